"""The gateway's handlers over the in-memory store: the path and its idempotency."""

import json
from dataclasses import replace
from datetime import UTC, datetime

from contracts import topics
from contracts.agencies import DJP_NPWP, DUKCAPIL_NIK, OSS_NIB
from contracts.audit import AuditEvent, AuditKind
from contracts.decision import RegistrationDecided
from contracts.verification import (
    Check,
    CheckOutcome,
    NibRecord,
    NpwpRecord,
    ResponsiblePerson,
)
from gateway.handlers import Gateway
from gateway.store_memory import MemoryRegistrationStore
from runtime.codec import encode
from runtime.records import Inbound
from tests.support import (
    agency_answer,
    example_documents,
    manual_decisions_of,
    results_of,
    submission_dict,
    submissions_of,
)

NOW = datetime(2026, 11, 21, 1, 0, tzinfo=UTC)


def inbound(topic, value: bytes, offset=0) -> Inbound:
    return Inbound(topic=topic, partition=0, offset=offset, key=b"k", value=value)


def submitted(submission_id="SUB-0001", **overrides) -> Inbound:
    payload = submission_dict(submission_id, **overrides)
    return inbound(topics.REGISTRATION_SUBMITTED, json.dumps(payload).encode())


def answers_for(sid="SUB-0001", *, person="Budi Santoso", status="01", npwp_active=True):
    nib = agency_answer(
        submission_id=sid,
        check=Check.NIB,
        outcome=CheckOutcome.VERIFIED,
        nib_record=NibRecord(
            nib="9120001234567",
            company_name="PT Contoh Logistik",
            npwp="012345678901000",
            status=status,
            responsible_persons=[
                ResponsiblePerson(
                    identity_type="KTP", identity_number="3171011708850001", name=person
                )
            ],
        ),
    )
    npwp = agency_answer(
        submission_id=sid,
        check=Check.NPWP,
        outcome=CheckOutcome.VERIFIED,
        npwp_record=NpwpRecord(
            npwp="0012345678901000", active=npwp_active, taxpayer_name="PT CONTOH LOGISTIK"
        ),
    )
    nik = agency_answer(submission_id=sid, check=Check.NIK, outcome=CheckOutcome.VERIFIED)
    return [
        inbound(topics.VERIFICATION_COMPLETED, encode(a), i) for i, a in enumerate((nib, npwp, nik))
    ]


async def run_to_decision(gateway, answers, handler="on_results"):
    typed_handler = {
        "on_submissions": submissions_of,
        "on_results": results_of,
        "on_manual_decisions": manual_decisions_of,
    }[handler]
    result = await typed_handler(gateway)(answers)
    for follow_up in result.after_publish:
        await follow_up()
    return result


def decisions(result):
    return [
        RegistrationDecided.model_validate_json(o.value)
        for o in result.outbound
        if o.topic == topics.REGISTRATION_DECIDED
    ]


async def test_valid_submission_asks_three_agencies_then_approves_with_username():
    store = MemoryRegistrationStore()
    gateway = Gateway(store, example_documents(), clock=lambda: NOW)
    asked = await submissions_of(gateway)([submitted()])
    assert sorted(o.topic for o in asked.outbound) == sorted(
        [
            OSS_NIB.request_topic,
            DJP_NPWP.request_topic,
            DUKCAPIL_NIK.request_topic,
        ]
    )
    assert all(o.headers["insw-correlation-id"] == "SUB-0001" for o in asked.outbound)
    result = await run_to_decision(gateway, answers_for())
    [decision] = decisions(result)
    assert decision.outcome == "APPROVED"
    assert decision.username is not None and len(decision.username) == 6
    assert decision.username == decision.username.upper()
    int(decision.username, 16)
    assert decision.registration is not None and decision.registration.npwp == "0012345678901000"


async def test_twelve_digit_nib_is_a_rejection_naming_field_and_rule_not_an_error():
    gateway = Gateway(MemoryRegistrationStore(), example_documents(), clock=lambda: NOW)
    result = await submissions_of(gateway)([submitted(organisation__nib="912000123456")])
    [decision] = decisions(result)
    assert decision.outcome == "REJECTED"
    assert [(r.code, r.rule, r.field) for r in decision.reasons] == [
        ("NIB_FORMAT", "R3", "organisation.nib")
    ]
    assert result.dead == []


async def test_applicant_not_responsible_person_is_rejected():
    gateway = Gateway(MemoryRegistrationStore(), example_documents(), clock=lambda: NOW)
    await submissions_of(gateway)([submitted()])
    [decision] = decisions(await run_to_decision(gateway, answers_for(person="Andi Wijaya")))
    assert decision.outcome == "REJECTED"
    assert [r.code for r in decision.reasons] == ["APPLICANT_NOT_RESPONSIBLE_PERSON"]


async def test_frozen_nib_is_rejected_never_approved():
    gateway = Gateway(MemoryRegistrationStore(), example_documents(), clock=lambda: NOW)
    await submissions_of(gateway)([submitted()])
    [decision] = decisions(await run_to_decision(gateway, answers_for(status="05")))
    assert [r.code for r in decision.reasons] == ["NIB_NOT_ACTIVE"]


async def test_unavailable_agency_refers_instead_of_approving():
    gateway = Gateway(MemoryRegistrationStore(), example_documents(), clock=lambda: NOW)
    await submissions_of(gateway)([submitted()])
    answers = answers_for()
    down = agency_answer(
        submission_id="SUB-0001", check=Check.NPWP, outcome=CheckOutcome.UNAVAILABLE
    )
    answers[1] = inbound(topics.VERIFICATION_COMPLETED, encode(down), 1)
    [decision] = decisions(await run_to_decision(gateway, answers))
    assert decision.outcome == "REFERRED"
    assert [r.code for r in decision.reasons] == ["AGENCY_UNAVAILABLE"]


async def test_foundation_without_nib_or_npwp_with_passport_goes_to_an_officer_at_once():
    # Issue 12: with no agency-checkable identifier nothing is proven: never APPROVED.
    gateway = Gateway(MemoryRegistrationStore(), example_documents(), clock=lambda: NOW)
    result = await submissions_of(gateway)(
        [
            submitted(
                organisation__trader_type="YAYASAN",
                organisation__nib="-",
                organisation__npwp="-",
                applicant__identity={"kind": "PASSPORT", "number": "X1234567"},
            )
        ]
    )
    [decision] = decisions(result)
    assert decision.outcome == "REFERRED"
    assert decision.checks == [] and decision.username is None
    assert [(r.code, r.field) for r in decision.reasons] == [
        ("IDENTITY_NOT_PROVEN", "applicant.identity.number"),
        ("ORGANISATION_NOT_PROVEN", "organisation.nib"),
    ]


async def test_redelivery_after_decision_decides_nothing_again():
    store = MemoryRegistrationStore()
    gateway = Gateway(store, example_documents(), clock=lambda: NOW)
    await submissions_of(gateway)([submitted()])
    first = decisions(await run_to_decision(gateway, answers_for()))
    again_answers = await run_to_decision(gateway, answers_for())
    again_submission = await submissions_of(gateway)([submitted()])
    assert len(first) == 1
    assert decisions(again_answers) == [] and again_submission.outbound == []


async def test_answers_delivered_twice_by_at_least_once_adapters_decide_once():
    # The agency adapters publish, then commit (runtime.at_least_once): a crash in
    # between delivers an answer again, before the others, among them, or after.
    store = MemoryRegistrationStore()
    gateway = Gateway(store, example_documents(), clock=lambda: NOW)
    await submissions_of(gateway)([submitted()])
    nib, npwp, nik = answers_for()
    early = await run_to_decision(gateway, [nib, nib])
    together = await run_to_decision(gateway, [npwp, nib, nik, npwp])
    late = await run_to_decision(gateway, [nik, nib])
    assert decisions(early) == [] and decisions(late) == []
    [decision] = decisions(together)
    assert decision.outcome == "APPROVED"


async def test_intake_goes_at_least_once_only_when_it_asks_and_decides_nothing():
    gateway = Gateway(MemoryRegistrationStore(), example_documents(), clock=lambda: NOW)
    asked = await submissions_of(gateway)([submitted()])
    referred = await submissions_of(gateway)(
        [
            submitted("SUB-0002"),
            submitted(
                "SUB-0003",
                organisation__trader_type="YAYASAN",
                organisation__nib="-",
                organisation__npwp="-",
                applicant__identity={"kind": "PASSPORT", "number": "X1234567"},
            ),
        ]
    )
    parked = replace(asked.outbound[0], topic=asked.outbound[0].topic + ".retry")
    assert len(asked.outbound) == 3 and gateway.only_questions(asked.outbound)
    assert len(decisions(referred)) == 1 and not gateway.only_questions(referred.outbound)
    assert not gateway.only_questions([*asked.outbound, parked])
    assert gateway.only_questions([])


async def test_an_answers_batch_goes_at_least_once_only_when_it_decides_nothing():
    gateway = Gateway(MemoryRegistrationStore(), example_documents(), clock=lambda: NOW)
    await submissions_of(gateway)([submitted()])
    nib, npwp, nik = answers_for()
    first = await results_of(gateway)([nib, npwp])
    last = await results_of(gateway)([nik])
    stray = await results_of(gateway)(answers_for("SUB-UNKNOWN")[:1])
    assert len(first.outbound) == 2 and gateway.only_receipts(first.outbound)
    assert len(decisions(last)) == 1 and not gateway.only_receipts(last.outbound)
    assert stray.dead and not gateway.only_receipts(
        [*first.outbound, replace(first.outbound[0], topic=topics.AUDIT + ".dlq")]
    )


async def test_decision_is_not_remembered_until_published():
    store = MemoryRegistrationStore()
    gateway = Gateway(store, example_documents(), clock=lambda: NOW)
    await submissions_of(gateway)([submitted()])
    result = await results_of(gateway)(answers_for())  # publish "fails": follow-ups never run
    assert len(decisions(result)) == 1 and store.decisions == {}
    retry = await run_to_decision(gateway, answers_for())
    assert [d.decision_id for d in decisions(retry)] == [d.decision_id for d in decisions(result)]


async def test_poison_submission_is_dead_lettered_and_neighbours_processed():
    gateway = Gateway(MemoryRegistrationStore(), example_documents(), clock=lambda: NOW)
    poison = inbound(topics.REGISTRATION_SUBMITTED, b"{not json", 7)
    no_id = inbound(topics.REGISTRATION_SUBMITTED, b'{"submitted_at": "2026-11-20T08:00:00Z"}', 8)
    result = await submissions_of(gateway)([poison, no_id, submitted(organisation__nib="1")])
    assert [record.offset for record, _ in result.dead] == [7, 8]
    assert "submission_id: missing" in str(result.dead[1][1])
    assert len(decisions(result)) == 1


async def test_answer_for_unknown_submission_is_dead_lettered():
    gateway = Gateway(MemoryRegistrationStore(), example_documents(), clock=lambda: NOW)
    result = await results_of(gateway)(answers_for("SUB-UNKNOWN")[:1])
    assert len(result.dead) == 1 and result.outbound == []


async def test_every_decision_asks_for_one_email_with_the_contact_details():
    from contracts.notification import NotificationRequested

    gateway = Gateway(MemoryRegistrationStore(), example_documents(), clock=lambda: NOW)
    await submissions_of(gateway)([submitted()])
    result = await run_to_decision(gateway, answers_for())
    [decision] = decisions(result)
    [note] = [
        NotificationRequested.model_validate_json(o.value)
        for o in result.outbound
        if o.topic == topics.NOTIFICATION_REQUESTED
    ]
    assert (note.decision_id, note.outcome, note.username) == (
        decision.decision_id,
        "APPROVED",
        decision.username,
    )
    assert note.email == "budi@example.co.id"
    # Personal data travels in the value only: never in the key or the headers.
    [out] = [o for o in result.outbound if o.topic == topics.NOTIFICATION_REQUESTED]
    assert out.key == b"SUB-0001"
    assert "budi" not in " ".join(out.headers.values()).lower()


async def test_r11_surat_kuasa_must_resolve_in_the_document_store_with_its_digest():
    gateway = Gateway(MemoryRegistrationStore(), example_documents(), clock=lambda: NOW)
    missing = submitted(
        attachments__power_of_attorney={
            "document_id": "DOC-UNKNOWN",
            "sha256": "a" * 64,
            "size_bytes": 10,
            "media_type": "application/pdf",
        }
    )
    tampered = submitted(
        "SUB-0002",
        attachments__power_of_attorney={
            "document_id": "DOC-1",
            "sha256": "b" * 64,
            "size_bytes": 10,
            "media_type": "application/pdf",
        },
    )
    result = await submissions_of(gateway)([missing, tampered])
    found = {d.submission_id: [(r.code, r.field) for r in d.reasons] for d in decisions(result)}
    assert found == {
        "SUB-0001": [("POWER_OF_ATTORNEY_NOT_FOUND", "attachments.power_of_attorney")],
        "SUB-0002": [("POWER_OF_ATTORNEY_HASH_MISMATCH", "attachments.power_of_attorney.sha256")],
    }


async def test_r11_a_malformed_digest_is_one_reason_not_also_a_mismatch():
    gateway = Gateway(MemoryRegistrationStore(), example_documents(), clock=lambda: NOW)
    malformed = submitted(
        attachments__power_of_attorney={
            "document_id": "DOC-1",
            "sha256": "not-a-digest",
            "size_bytes": 10,
            "media_type": "application/pdf",
        }
    )
    [decision] = decisions(await submissions_of(gateway)([malformed]))
    assert [(r.code, r.field) for r in decision.reasons] == [
        ("POWER_OF_ATTORNEY_REFERENCE", "attachments.power_of_attorney")
    ]


async def test_an_adapter_answering_another_agencys_check_is_refused_and_never_stored():
    """Issue 11: DJP's adapter signs a VERIFIED NIB answer; only OSS's adapter answers NIB."""
    store = MemoryRegistrationStore()
    gateway = Gateway(store, example_documents(), clock=lambda: NOW)
    await submissions_of(gateway)([submitted()])
    nib, npwp, nik = answers_for()
    forged = replace(nib, signer=DJP_NPWP.signer)
    result = await run_to_decision(gateway, [forged, npwp, nik])
    [(record, error)] = result.dead
    assert record is forged
    assert str(error) == "SIGNATURE_INVALID: signer adapter-djp-npwp does not answer check NIB"
    assert decisions(result) == []  # the NIB question is still open: nothing decided
    state = (await store.load(["SUB-0001"]))[0]
    assert state is not None and Check.NIB not in state.answers(gateway.rulebook.agencies)
    audited = [
        AuditEvent.model_validate_json(o.value or b"")
        for o in result.outbound
        if o.topic == topics.AUDIT
    ]
    assert {(e.details["check"], e.actor) for e in audited} == {
        ("NPWP", DJP_NPWP.signer),
        ("NIK", DUKCAPIL_NIK.signer),
    }


async def test_every_decision_and_accepted_answer_is_audited():
    gateway = Gateway(MemoryRegistrationStore(), example_documents(), clock=lambda: NOW)
    await submissions_of(gateway)([submitted()])
    result = await run_to_decision(gateway, answers_for())
    audited = [
        AuditEvent.model_validate_json(o.value or b"")
        for o in result.outbound
        if o.topic == topics.AUDIT
    ]
    kinds = sorted(e.kind.value for e in audited)
    assert kinds == ["ANSWER_ACCEPTED"] * 3 + ["DECISION"]
    [decision] = decisions(result)
    [entry] = [e for e in audited if e.kind is AuditKind.DECISION]
    assert entry.details["decision_id"] == decision.decision_id and entry.actor == "gateway"
