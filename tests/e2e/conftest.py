"""The whole hub as separate OS processes, once for the end-to-end tests."""

from collections.abc import Iterator

import pytest

from devstack.infra import Infrastructure
from devstack.stack import Stack


@pytest.fixture(scope="session")
def stack(infrastructure: Infrastructure) -> Iterator[Stack]:
    """Simulators, the four adapters and the gateway, each its own process."""
    with Stack(infrastructure) as running:
        yield running
