"""Issue 12: the hub approves only what agencies proved, for the identifier asked.

Each probe below approved a registration on the hub before rules 2.0.0; the
properties at the end check the invariant over generated submissions and
every combination of agency answers.
"""

import json
from datetime import date

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from contracts import topics
from contracts.agencies import SHIPPED
from contracts.decision import Outcome
from contracts.reasons import catalogue
from contracts.registration import RegistrationSubmitted
from contracts.verification import (
    AgencyAnswer,
    Check,
    CheckOutcome,
    NibRecord,
    NibStatus,
    NikMatch,
    NpwpRecord,
    ResponsiblePerson,
)
from gateway.handlers import Gateway
from gateway.rules.assess import request_id
from gateway.rules.decide import accepted_answers
from gateway.rules.pipeline import SHIPPED_RULES
from gateway.store_memory import MemoryRegistrationStore
from runtime.records import Inbound
from tests.support import (
    IDENTIFIERS_ASKED,
    agency_answer,
    assessed,
    documents_as_referenced,
    example_documents,
    results_of,
    submission,
    submission_dict,
    submissions_of,
)
from tests.unit.test_gateway_handlers import NOW, answers_for, decisions, run_to_decision

DIRECTOR = ResponsiblePerson(
    identity_type="KTP", identity_number="3171011708850001", name="Budi Santoso"
)


def nib_record(**changes) -> NibRecord:
    fields = {
        "nib": IDENTIFIERS_ASKED["NIB"],
        "company_name": "PT Contoh Logistik",
        "npwp": "012345678901000",
        "status": NibStatus.AKTIF,
        "responsible_persons": [DIRECTOR],
    } | changes
    return NibRecord.model_validate(fields)


def proven(sid="SUB-0001") -> dict[str, AgencyAnswer]:
    """Answers that prove every fact of the example submission."""
    return {
        Check.NIB: agency_answer(
            submission_id=sid, check=Check.NIB, outcome="VERIFIED", nib_record=nib_record()
        ),
        Check.NPWP: agency_answer(
            submission_id=sid,
            check=Check.NPWP,
            outcome="VERIFIED",
            npwp_record=NpwpRecord(
                npwp="0012345678901000", active=True, taxpayer_name="PT CONTOH LOGISTIK"
            ),
        ),
        Check.NIK: agency_answer(submission_id=sid, check=Check.NIK, outcome="VERIFIED"),
    }


def decide(answers, **overrides):
    return SHIPPED_RULES.decide(assessed(submission(**overrides)), answers)


def test_the_example_is_approved_when_every_fact_is_proven():
    assert decide(proven()).outcome is Outcome.APPROVED


def test_passport_holder_with_a_directors_name_is_referred_not_approved():
    # The director's name is public on the NIB; the attacker gives it with their passport.
    impostor = {"kind": "PASSPORT", "number": "X1234567"}
    answers = {k: v for k, v in proven().items() if k != Check.NIK}
    verdict = decide(answers, applicant__identity=impostor, applicant__full_name="Budi Santoso")
    assert verdict.outcome is Outcome.REFERRED
    assert {r.code for r in verdict.reasons} == {
        "IDENTITY_NOT_PROVEN",
        "RESPONSIBLE_PERSON_NOT_PROVEN",
    }


def test_verified_nib_without_its_record_is_not_proven():
    answers = proven() | {
        Check.NIB: agency_answer(submission_id="SUB-0001", check=Check.NIB, outcome="VERIFIED")
    }
    verdict = decide(answers)
    assert verdict.outcome is Outcome.REFERRED
    assert [(r.code, r.field) for r in verdict.reasons] == [
        ("AGENCY_ANSWER_INCOMPLETE", "organisation.nib")
    ]


def test_verified_nik_whose_flags_say_not_found_is_not_approved():
    for flags in (NikMatch(nik_found=False, name_matches=True), None):
        nik = agency_answer(
            submission_id="SUB-0001", check=Check.NIK, outcome="VERIFIED", nik_match=flags
        )
        assert decide(proven() | {Check.NIK: nik}).outcome is not Outcome.APPROVED


def test_nib_record_for_another_nib_is_not_proof():
    other = agency_answer(
        submission_id="SUB-0001",
        check=Check.NIB,
        outcome="VERIFIED",
        nib_record=nib_record(nib="9120009999999"),
    )
    assert decide(proven() | {Check.NIB: other}).outcome is Outcome.REFERRED


def test_answer_about_another_identifier_or_question_is_no_answer():
    replayed = agency_answer(
        submission_id="SUB-0001",
        check=Check.NIK,
        outcome="VERIFIED",
        identifier="3171011708850009",
    )
    verdict = decide(proven() | {Check.NIK: replayed})
    assert verdict.outcome is Outcome.REFERRED
    assert "AGENCY_ANSWER_FOR_OTHER_IDENTIFIER" in {r.code for r in verdict.reasons}
    foreign = proven()[Check.NIK].model_copy(
        update={"request_id": request_id("SUB-OTHER", "NIK", IDENTIFIERS_ASKED["NIK"])}
    )
    assert accepted_answers(assessed(submission()), {Check.NIK: foreign}) == {}


def test_surat_kuasa_that_is_not_a_pdf_is_rejected_on_the_kafka_path():
    png = submission_dict()["attachments"]["power_of_attorney"] | {"media_type": "image/png"}
    verdict = decide(proven(), attachments__power_of_attorney=png)
    assert verdict.outcome is Outcome.REJECTED
    assert [r.code for r in verdict.reasons] == ["POWER_OF_ATTORNEY_NOT_PDF"]


async def test_three_bare_verified_records_approve_nobody():
    gateway = Gateway(MemoryRegistrationStore(), example_documents(), clock=lambda: NOW)
    submitted = json.dumps(submission_dict()).encode()
    await submissions_of(gateway)([Inbound(topics.REGISTRATION_SUBMITTED, 0, 0, b"k", submitted)])
    bare = [
        Inbound(
            topics.VERIFICATION_COMPLETED,
            0,
            i,
            b"k",
            json.dumps(
                {"submission_id": "SUB-0001", "check": check, "outcome": "VERIFIED"}
            ).encode(),
        )
        for i, check in enumerate(("NIB", "NPWP", "NIK"))
    ]
    result = await results_of(gateway)(bare)
    assert decisions(result) == [] and gateway.strays == 3
    genuine = await run_to_decision(gateway, answers_for())
    assert [d.outcome for d in decisions(genuine)] == ["APPROVED"]


def test_a_replayed_answer_for_a_different_submission_proves_nothing():
    theirs = proven("SUB-VICTIM")
    mine = assessed(submission("SUB-ATTACKER"))
    assert accepted_answers(mine, theirs) == {}
    relabelled = {
        check: answer.model_copy(update={"submission_id": "SUB-ATTACKER"})
        for check, answer in theirs.items()
    }
    assert accepted_answers(mine, relabelled) == {}  # their request ids name their question


# --- properties over generated inputs -------------------------------------------------

outcomes = st.sampled_from(list(CheckOutcome))
maybe_ids = st.sampled_from(
    [None, "9120001234567", "012345678901000", "3171011708850001", "0012345678901000", "1"]
)


@st.composite
def answers(draw, sid: str) -> dict[str, AgencyAnswer]:
    """Any combination of answers: outcomes, flags, records, identifiers, request ids."""
    found: dict[str, AgencyAnswer] = {}
    for check in draw(st.sets(st.sampled_from(["NIB", "NPWP", "NIK"]))):
        fields: dict[str, object] = {
            "submission_id": draw(st.sampled_from([sid, "SUB-OTHER"])),
            "check": check,
            "outcome": draw(outcomes),
            "identifier": draw(st.one_of(maybe_ids, st.just(IDENTIFIERS_ASKED[check]))),
        }
        if draw(st.booleans()):
            fields["request_id"] = draw(st.text(max_size=8))
        if check == "NIB" and draw(st.booleans()):
            people = draw(
                st.lists(
                    st.builds(
                        ResponsiblePerson,
                        identity_type=st.sampled_from(["KTP", "PASSPORT"]),
                        identity_number=st.sampled_from(["3171011708850001", "X1234567", "E1"]),
                        name=st.sampled_from(["Budi Santoso", "Siti", "BUDI SANTOSO, S.E."]),
                    ),
                    max_size=3,
                )
            )
            fields["nib_record"] = nib_record(
                nib=draw(st.sampled_from([IDENTIFIERS_ASKED["NIB"], "9120009999999"])),
                status=draw(st.sampled_from(list(NibStatus))),
                responsible_persons=people,
            )
        if check == "NPWP" and draw(st.booleans()):
            fields["npwp_record"] = NpwpRecord(
                npwp=draw(st.sampled_from(["0012345678901000", "0099999999999000"])),
                active=draw(st.booleans()),
                taxpayer_name=draw(st.sampled_from(["PT CONTOH LOGISTIK", "CV LAIN"])),
            )
        if check == "NIK" and draw(st.booleans()):
            fields["nik_match"] = NikMatch(
                nik_found=draw(st.booleans()), name_matches=draw(st.booleans())
            )
        found[check] = SHIPPED.answer_model(check).model_validate(fields)
    return found


text = st.one_of(st.none(), st.text(max_size=20))
overrides = st.fixed_dictionaries(
    {},
    optional={
        "organisation__trader_type": st.sampled_from(
            ["PELAKU_USAHA_PERUSAHAAN", "YAYASAN", "KEDUTAAN_ASING", "PERSEORANGAN", "X", None]
        ),
        "organisation__nib": st.one_of(st.sampled_from(["-", "9120001234567", "12"]), text),
        "organisation__npwp": st.one_of(st.sampled_from(["-", "012345678901000"]), text),
        "applicant__identity": st.fixed_dictionaries(
            {
                "kind": st.sampled_from(["NIK", "PASSPORT", "KITAS", None]),
                "number": st.one_of(
                    st.sampled_from(["3171011708850001", "X1234567", "317101\u00b2708850001"]),
                    text,
                ),
            }
        ),
        "applicant__full_name": st.one_of(st.sampled_from(["Budi Santoso", "Siti"]), text),
        "applicant__email": text,
        "applicant__phone": text,
    },
)


def approved_only_on_proof(sub: RegistrationSubmitted, given_answers) -> None:
    assessment = SHIPPED_RULES.assess(sub, date(2026, 11, 21), documents_as_referenced(sub))
    verdict = SHIPPED_RULES.decide(assessment, given_answers)
    known = catalogue()
    assert all(reason.code in known for reason in verdict.reasons)
    if verdict.outcome is not Outcome.APPROVED:
        return
    assert assessment.form_passed and assessment.unproven == []
    assert set(assessment.identifiers) == {"NIB", "NIK"} | (
        {"NPWP"} if "NPWP" in assessment.identifiers else set()
    )
    for check, identifier in assessment.identifiers.items():
        answer = given_answers[check]
        assert answer.outcome is CheckOutcome.VERIFIED
        assert answer.identifier == identifier
        assert answer.submission_id == sub.submission_id
    nib = given_answers["NIB"]
    assert nib.nib_record is not None and nib.nib_record.nib == assessment.identifiers["NIB"]
    match = given_answers["NIK"].nik_match
    assert match is not None and match.nik_found and match.name_matches


@settings(
    max_examples=1500,
    derandomize=True,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)
@given(data=st.data(), changes=overrides)
def test_property_approved_implies_every_fact_proven_by_its_agency(data, changes):
    sub = submission("SUB-0001", **changes)
    approved_only_on_proof(sub, data.draw(answers("SUB-0001")))


def test_property_checks_hold_on_the_all_proven_case():
    # The property must be able to pass through the APPROVED branch, not only skip it.
    sub = submission()
    approved_only_on_proof(sub, proven())
    assert decide(proven()).outcome is Outcome.APPROVED


def test_an_unknown_region_code_is_a_warning_on_the_decision_not_a_rejection():
    # Issue 13, R9: 65xx (Kalimantan Utara) is missing from python-stdnum's table.
    from gateway.decisions import ToDecide, build_decision
    from tests.unit.test_gateway_handlers import NOW

    nik = "6571011708850001"
    sub = submission(applicant__identity={"kind": "NIK", "number": nik})
    assessment = assessed(sub)
    director = ResponsiblePerson(identity_type="KTP", identity_number=nik, name="Budi Santoso")
    answers = proven() | {
        Check.NIB: agency_answer(
            submission_id="SUB-0001",
            check=Check.NIB,
            outcome="VERIFIED",
            nib_record=nib_record(responsible_persons=[director]),
        ),
        Check.NIK: agency_answer(
            submission_id="SUB-0001", check=Check.NIK, outcome="VERIFIED", identifier=nik
        ),
    }
    verdict = SHIPPED_RULES.decide(assessment, answers)
    assert verdict.outcome is Outcome.APPROVED
    decision = build_decision(
        ToDecide(None, sub, assessment, verdict, answers),
        SHIPPED_RULES,
        decided_at=NOW,
        username=None,
    )
    assert [(w.code, w.field) for w in decision.warnings] == [
        ("NIK_REGION_UNKNOWN", "applicant.identity.number")
    ]
    assert "NIK_REGION_UNKNOWN" not in {r.code for r in decision.reasons}
    assert assessed().warnings == []
