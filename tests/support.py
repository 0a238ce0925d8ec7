"""Builders shared by the test layers: a valid submission, then spoiled one field at a time."""

import hashlib
from datetime import UTC, datetime
from typing import Any

from contracts import channels
from contracts.agencies import SHIPPED
from contracts.registration import RegistrationSubmitted
from contracts.verification import AgencyAnswer, NikMatch
from gateway.rules.assess import Assessment, request_id
from gateway.rules.documents import StoredFacts
from gateway.rules.pipeline import SHIPPED_RULES
from runtime.at_rest import AtRest
from runtime.consumer import BatchHandler
from runtime.sealing import new_key
from runtime.typed import typed

POWER_OF_ATTORNEY = b"%PDF-1.7 surat kuasa"


def submission_dict(submission_id: str = "SUB-0001", **overrides: Any) -> dict[str, Any]:
    """A form that passes every format rule; ``overrides`` replace dotted paths."""
    data: dict[str, Any] = {
        "submission_id": submission_id,
        "submitted_at": "2026-11-20T08:00:00+07:00",
        "request": {"purpose": "TRANSAKSI"},
        "organisation": {
            "trader_type": "PELAKU_USAHA_PERUSAHAAN",
            "nib": "9120001234567",
            "npwp": "01.234.567.8-901.000",
            "name": "PT Contoh Logistik",
            "business_types": ["IMPORTIR", "EKSPORTIR"],
            "address": "Jl. Merdeka 1, Jakarta",
        },
        "applicant": {
            "full_name": "Ir. Budi Santoso, S.E.",
            "position": "Direktur Utama",
            "identity": {"kind": "NIK", "number": "3171011708850001"},
            "email": "budi@example.co.id",
            "phone": "0812-3456-7890",
        },
        "attachments": {
            "power_of_attorney": {
                "document_id": "DOC-1",
                "sha256": hashlib.sha256(POWER_OF_ATTORNEY).hexdigest(),
                "size_bytes": len(POWER_OF_ATTORNEY),
                "media_type": "application/pdf",
            }
        },
        "consent": {
            "accepted": True,
            "accepted_at": "2026-11-20T07:59:00+07:00",
            "terms_version": "2024-01",
        },
    }
    for path, value in overrides.items():
        target = data
        *parents, leaf = path.split("__")
        for part in parents:
            target = target[part]
        target[leaf] = value
    return data


def submission(submission_id: str = "SUB-0001", **overrides: Any) -> RegistrationSubmitted:
    """:func:`submission_dict` parsed into the contract model."""
    return RegistrationSubmitted.model_validate(submission_dict(submission_id, **overrides))


TODAY = datetime(2026, 11, 21, tzinfo=UTC).date()


def example_documents():
    """A document store holding the Surat Kuasa every test submission refers to."""
    from runtime.documents import MemoryDocumentStore, StoredDocument
    from simulators.registrations import EXAMPLE_DOCUMENT_ID, EXAMPLE_POWER_OF_ATTORNEY

    store = MemoryDocumentStore()
    for document_id, content in (
        ("DOC-1", POWER_OF_ATTORNEY),
        (EXAMPLE_DOCUMENT_ID, EXAMPLE_POWER_OF_ATTORNEY),
    ):
        stored = StoredDocument(
            document_id, hashlib.sha256(content).hexdigest(), len(content), "application/pdf"
        )
        store.documents[document_id] = (stored, content)
    return store


IDENTIFIERS_ASKED = {
    "NIB": "9120001234567",
    "NPWP": "012345678901000",
    "NIK": "3171011708850001",
}
"""The identifiers the gateway asks about for :func:`submission_dict`'s form, by check."""


def agency_answer(**fields: Any) -> AgencyAnswer:
    """An answer as a shipped adapter gives it: in its agency's model, echoing the question.

    ``identifier`` defaults to what the gateway asks for :func:`submission_dict`;
    a VERIFIED NIK answer defaults to Dukcapil's flags for a match.
    """
    check = str(fields["check"])
    fields.setdefault("identifier", IDENTIFIERS_ASKED.get(check))
    if fields["identifier"] is not None:
        asked = request_id(str(fields["submission_id"]), check, str(fields["identifier"]))
        fields.setdefault("request_id", asked)
    if check == "NIK" and str(fields.get("outcome")) == "VERIFIED":
        fields.setdefault("nik_match", NikMatch(nik_found=True, name_matches=True))
    return SHIPPED.answer_model(check).model_validate(fields)


def submissions_of(gateway: Any) -> BatchHandler:
    """The gateway's submission handler behind the one decode loop, as the service runs it."""
    return typed(channels.REGISTRATION_SUBMITTED, gateway.on_submissions)


def results_of(gateway: Any) -> BatchHandler:
    """The gateway's answer handler behind the one decode loop, as the service runs it."""
    return typed(
        channels.VERIFICATION_COMPLETED,
        gateway.on_results,
        gateway.rulebook.agencies.decode_answer,
    )


def manual_decisions_of(desk: Any) -> BatchHandler:
    """The officers' desk behind the one decode loop, as the service runs it."""
    return typed(channels.MANUAL_DECISION, desk.on_manual_decisions)


def documents_as_referenced(sub: RegistrationSubmitted) -> dict[str, StoredFacts]:
    """The document store holding exactly the PDF the submission references."""
    ref = sub.attachments.power_of_attorney
    if ref is None or not ref.document_id:
        return {}
    return {ref.document_id: StoredFacts((ref.sha256 or "").lower(), "application/pdf")}


def assessed(sub: RegistrationSubmitted | None = None, today: Any = None) -> Assessment:
    """The shipped pipeline's assessment of ``sub`` (the example form by default)."""
    sub = sub or submission()
    day = today or datetime(2026, 11, 21, tzinfo=UTC).date()
    return SHIPPED_RULES.assess(sub, day, documents_as_referenced(sub))


def at_rest() -> AtRest:
    """A fresh at-rest key ring, as a store under test is given one by its composition root."""
    return AtRest([new_key()], b"test-index-key")
