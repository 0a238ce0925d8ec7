"""Issue 10: one rule catalogue; a rule added to it is on every decision, whatever the outcome."""

from datetime import UTC, date, datetime

from contracts.reasons import Reason, ReasonCode
from contracts.registration import RegistrationSubmitted
from contracts.rules import RULES, RuleSpec, Stage, by_rule, decision_rules
from gateway.decisions import ToDecide, build_decision
from gateway.rules.pipeline import Rulebook
from tests.support import documents_as_referenced, submission
from tests.unit.test_fail_closed import proven

POSTCODE_MISSING = ReasonCode(
    "ADDRESS_POSTCODE_MISSING",
    "R20",
    "Alamat harus memuat kode pos lima digit.",
    "The address must include a five-digit postcode.",
)
R20 = RuleSpec("R20", Stage.FORM, "Kode pos pada alamat", "Postcode in the address")


def postcode_in_address(sub: RegistrationSubmitted, today: date) -> list[Reason]:
    """R20 (test only): the address names a five-digit postcode."""
    words = (sub.organisation.address or "").replace(",", " ").split()
    if any(len(w) == 5 and w.isascii() and w.isdigit() for w in words):
        return []
    return [POSTCODE_MISSING.at("organisation.address")]


NOW = datetime(2026, 11, 21, 8, tzinfo=UTC)
WITH_R20 = Rulebook(catalogue=(*RULES, R20), extra_rules=(postcode_in_address,))


def decided(rulebook: Rulebook, **overrides):
    sub = submission(**overrides)
    assessment = rulebook.assess(sub, date(2026, 11, 21), documents_as_referenced(sub))
    answers = proven()
    verdict = rulebook.decide(assessment, answers)
    item = ToDecide(None, sub, assessment, verdict, answers)
    return build_decision(item, rulebook, decided_at=NOW, username="4C7ADA")


def statuses(decision) -> dict[str, str]:
    return {r.rule: r.status for r in decision.rules}


def test_every_rule_r1_to_r19_is_in_the_catalogue_with_its_reason_codes():
    assert [spec.rule for spec in RULES] == [f"R{n}" for n in range(1, 20)]
    assert {spec.rule for spec in RULES if not spec.codes()} <= {"R14", "R15", "R17"}
    assert "TOKEN_EXPIRED" in {code.code for code in by_rule()["R19"].codes()}


def test_decisions_list_every_decision_rule_of_the_shipped_catalogue():
    decision = decided(Rulebook())
    assert list(statuses(decision)) == [spec.rule for spec in decision_rules()]
    assert "R13" in statuses(decision) and "R20" not in statuses(decision)


def test_a_rule_added_to_the_catalogue_is_on_every_decision():
    approved = decided(WITH_R20, organisation__address="Jl. Merdeka 1, Jakarta 10110")
    rejected = decided(WITH_R20, organisation__address="Jl. Merdeka 1, Jakarta")
    referred = decided(
        WITH_R20,
        organisation__address="Jl. Merdeka 1, Jakarta 10110",
        applicant__identity={"kind": "PASSPORT", "number": "X1234567"},
    )
    assert (approved.outcome, rejected.outcome, referred.outcome) == (
        "APPROVED",
        "REJECTED",
        "REFERRED",
    )
    assert statuses(approved)["R20"] == "PASSED"
    assert statuses(referred)["R20"] == "PASSED"
    assert statuses(rejected)["R20"] == "FAILED"
    assert [(r.code, r.rule) for r in rejected.reasons] == [("ADDRESS_POSTCODE_MISSING", "R20")]
