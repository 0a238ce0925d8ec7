"""The whole hub as separate OS processes, once for the end-to-end tests."""

from collections.abc import Iterator

import pytest

from devstack.infra import Infrastructure
from devstack.stack import Stack

E2E_SETTINGS = {
    # Re-check an unavailable agency after 2 s instead of 30 s, so the outage
    # test sees the recovery within its time budget.
    "RECHECK_DELAY_SECONDS": "2",
}


@pytest.fixture(scope="session")
def stack(infrastructure: Infrastructure) -> Iterator[Stack]:
    """Simulators, adapters, gateway and the rest, each its own process."""
    with pytest.MonkeyPatch.context() as patch:
        for name, value in E2E_SETTINGS.items():
            patch.setenv(name, value)
        with Stack(infrastructure) as running:
            yield running
