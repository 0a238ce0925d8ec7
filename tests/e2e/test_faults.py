"""Faults under load, the CI-sized subset of ``python -m faults``: nothing lost, nothing twice.

Two faults, each on a fresh stack of its own (broker, Redis, every service on
the registration path) with 300 approvable registrations in flight: the
gateway killed with ``kill -9`` at its fault point mid-aggregation and
restarted, and the Kafka broker restarted. Afterwards every topic is read
back with ``read_committed`` and the dev mailbox is read, and the ledger must
add up: every submission decided once, one email and one customs message per
approval, no consumer group left behind, and the audit trail verifies
(``hubctl audit verify``: a batch signs only its last entry, so a kill
between publish and commit must leave nothing the verifier calls broken).
The full suite (eight faults, 2,000 registrations each) is ``python -m
faults``; RELIABILITY.md holds its figures.
"""

import pytest

from faults.run import Result, run_scenario
from faults.scenarios import SCENARIOS

REGISTRATIONS = 300
SETTLE_LIMIT_S = 90.0


@pytest.fixture(autouse=True)
def _infrastructure_env(monkeypatch: pytest.MonkeyPatch) -> None:
    """Overrides the suite's autouse fixture: these tests start (and restart) their own stacks.

    Without this, the session's shared broker and Redis would be started for
    nothing; this module never touches them. The fault harness acts as its
    stack's superuser through the environment: whatever it leaves there is
    undone after each test.
    """
    for name in ("KAFKA_SECURITY_PROTOCOL", "KAFKA_SASL_USERNAME", "KAFKA_SASL_PASSWORD"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.delenv("KAFKA_CA_FILE", raising=False)


def explain(result: Result) -> str:
    """What went wrong and what happened, for the assertion message."""
    return "\n".join(
        [
            f"{result.name}: {result.ledger.figures()}",
            *result.violations(),
            *result.notes,
            f"service logs: {result.log_dir}",
        ]
    )


@pytest.mark.timeout(200)
@pytest.mark.parametrize("name", ["gateway-kill", "broker-restart"])
async def test_a_fault_under_load_loses_nothing_and_repeats_nothing(name: str) -> None:
    result = await run_scenario(SCENARIOS[name], REGISTRATIONS, settle_timeout=SETTLE_LIMIT_S)
    ledger = result.ledger
    why = explain(result)
    assert ledger.submitted == REGISTRATIONS, why
    assert ledger.lost == (), why
    assert ledger.decided == ledger.approved == REGISTRATIONS, why
    assert ledger.duplicate_decisions == 0, why
    assert ledger.duplicate_emails == 0, why
    assert ledger.duplicate_customs == 0, why
    assert ledger.approvals_without_one_email == 0, why
    assert ledger.approvals_without_one_customs == 0, why
    assert ledger.lag_total == 0, why
    assert result.recovered_after_s is not None, why
    assert result.violations() == [], why  # the audit trail's verdict included
    assert any("audit trail:" in note and "entries verified" in note for note in result.notes), why
