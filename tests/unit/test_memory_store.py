"""The in-memory store passes the store conformance suite."""

import pytest

from gateway.store_memory import MemoryRegistrationStore
from tests.store_conformance import StoreConformance


class TestMemoryStore(StoreConformance):
    @pytest.fixture
    def store(self):
        return MemoryRegistrationStore()
