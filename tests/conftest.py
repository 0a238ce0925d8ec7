"""Shared test fixtures: real Kafka and Redis for integration and end-to-end tests.

The broker and the server are started once per run by devstack (or taken from
KAFKA_BOOTSTRAP_SERVERS / REDIS_URL), and only when a test that needs them is
actually run. The run's output names them, so a green run visibly used the
real infrastructure.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

from devstack.infra import Infrastructure
from runtime import tracing

TESTS_DIR = Path(__file__).resolve().parent
MARKER_BY_DIRECTORY = {"unit": "unit", "integration": "integration", "e2e": "e2e"}
NEEDS_INFRASTRUCTURE = {"integration", "e2e"}

_infra_lines: list[str] = []


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Mark every test by its directory: tests/unit -> unit, tests/integration -> ..."""
    for item in items:
        try:
            first = Path(item.path).resolve().relative_to(TESTS_DIR).parts[0]
        except (ValueError, IndexError):
            continue
        marker = MARKER_BY_DIRECTORY.get(first)
        if marker is not None:
            item.add_marker(getattr(pytest.mark, marker))


@pytest.fixture(autouse=True)
def _tracing_left_as_found() -> Iterator[None]:
    """Tracing is per process and the first ``configure`` wins: undo what a test turned on.

    The e2e stack sets ``HUB_TRACES_DIR`` for its subprocesses for the whole
    session; a service built in this process by a later test would read it
    and leave tracing on for every test after, which changes what records
    look like (they carry their span) in tests that expect it off.
    """
    was_on = tracing.enabled()
    yield
    if tracing.enabled() and not was_on:
        tracing.uninstall()


@pytest.fixture(scope="session")
def infrastructure(request: pytest.FixtureRequest) -> Iterator[Infrastructure]:
    """Kafka + Redis for the whole run: started by devstack unless given by env vars."""
    infra = Infrastructure().start()
    lines = [infra.describe_kafka(), infra.describe_redis()]
    _infra_lines.extend(lines)
    reporter = request.config.pluginmanager.get_plugin("terminalreporter")
    capture = request.config.pluginmanager.get_plugin("capturemanager")
    if reporter is not None and capture is not None:
        with capture.global_and_fixture_disabled():  # fixture output is captured otherwise
            reporter.write_line("")
            for line in lines:
                reporter.write_line(f"devstack: {line}", bold=True)
    try:
        yield infra
    finally:
        infra.stop()


@pytest.fixture(autouse=True)
def _infrastructure_env(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> None:
    """For integration/e2e tests: start infrastructure, export its env vars for the test.

    Why autouse: code under test reads KAFKA_BOOTSTRAP_SERVERS / REDIS_URL like
    the services do; unit tests never trigger the (lazy) start. Tests connect
    to Kafka as the provisioning superuser (``admin``): they create throw-away
    topics no participant's ACLs cover. Tests of a participant's rights name
    that participant (``tests/kafka_principals.py``); stacks started by a
    test give each service its own principal.
    """
    if not any(request.node.get_closest_marker(m) for m in NEEDS_INFRASTRUCTURE):
        return
    infra: Infrastructure = request.getfixturevalue("infrastructure")
    for key, value in {**infra.env(), **infra.admin_env()}.items():
        monkeypatch.setenv(key, value)


@pytest.fixture
def bootstrap_servers(infrastructure: Infrastructure) -> str:
    """Kafka bootstrap servers of the run's broker."""
    return infrastructure.bootstrap_servers


@pytest.fixture
def redis_url(infrastructure: Infrastructure) -> str:
    """Redis URL of the run's server."""
    return infrastructure.redis_url


@pytest.fixture
def topic_prefix(request: pytest.FixtureRequest) -> str:
    """A prefix unique to this test (name + random), for topics, groups and Redis keys."""
    name = re.sub(r"[^A-Za-z0-9-]+", "-", request.node.name).strip("-")[:60]
    return f"test.{name}.{uuid.uuid4().hex[:10]}"


@pytest.fixture
def unique_topic(topic_prefix: str) -> str:
    """A topic name no other test (and no earlier run) uses."""
    return f"{topic_prefix}.topic"


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    """Repeat which Kafka and Redis the run used, at the end where it is seen."""
    if _infra_lines:
        terminalreporter.section("devstack infrastructure")
        for line in _infra_lines:
            terminalreporter.write_line(line)
