"""The whole hub as separate OS processes, once for the end-to-end tests."""

from collections.abc import Iterator
from pathlib import Path

import pytest

from devstack.infra import Infrastructure
from devstack.stack import Stack
from runtime.tracing import TRACES_DIR_ENV

E2E_SETTINGS = {
    # Re-check an unavailable agency after 2 s instead of 30 s, so the outage
    # test sees the recovery within its time budget.
    "RECHECK_DELAY_SECONDS": "2",
}


@pytest.fixture(scope="session")
def traces_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Where every service of the stack writes its spans (one JSON-lines file per process)."""
    return tmp_path_factory.mktemp("traces")


@pytest.fixture(scope="session")
def stack(infrastructure: Infrastructure, traces_dir: Path) -> Iterator[Stack]:
    """Simulators, adapters, gateway and the rest, each its own process, tracing on."""
    with pytest.MonkeyPatch.context() as patch:
        for name, value in E2E_SETTINGS.items():
            patch.setenv(name, value)
        patch.setenv(TRACES_DIR_ENV, str(traces_dir))
        with Stack(infrastructure) as running:
            yield running
