"""Builders shared by the test layers: a valid submission, then spoiled one field at a time."""

import hashlib
from datetime import UTC, datetime
from typing import Any

from contracts.registration import RegistrationSubmitted
from runtime.at_rest import AtRest
from runtime.sealing import new_key

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


def at_rest() -> AtRest:
    """A fresh at-rest key ring, as a store under test is given one by its composition root."""
    return AtRest([new_key()], b"test-index-key")
