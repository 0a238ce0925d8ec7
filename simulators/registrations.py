"""Registrations drawn from the simulated world: the bundled examples and benchmark load.

The examples are the stories the README tells (approved company, applicant not
on the NIB, foundation without NIB or NPWP, malformed NPWP, frozen NIB); they
are written to ``examples/registrations`` by ``python -m simulators
write-examples`` and a unit test checks the files still match this world.
"""

import hashlib
import json
from pathlib import Path
from typing import Any

from simulators.dataset import WORLD, World
from simulators.records import NibRecord, PersonRecord

EXAMPLES_DIR = Path(__file__).resolve().parent.parent / "examples" / "registrations"
SUBMITTED_AT = "2026-11-20T09:00:00+07:00"
EXAMPLE_DOCUMENT_ID = "DOC-EXAMPLE-SURAT-KUASA"
"""One sample Surat Kuasa that every generated registration refers to (seeded by devstack)."""
EXAMPLE_POWER_OF_ATTORNEY = (
    b"%PDF-1.4\n1 0 obj <</Type /Catalog>> endobj\n% Surat Kuasa (example)\n"
    b"trailer <</Root 1 0 R>>\n%%EOF\n"
)


def registration(
    submission_id: str,
    company: NibRecord,
    applicant_name: str,
    nik: str,
    *,
    trader_type: str = "PELAKU_USAHA_PERUSAHAAN",
    npwp: str | None = None,
) -> dict[str, Any]:
    """A complete ``insw.registration.submitted.v1`` payload for ``company``."""
    return {
        "submission_id": submission_id,
        "submitted_at": SUBMITTED_AT,
        "request": {"purpose": "TRANSAKSI"},
        "organisation": {
            "trader_type": trader_type,
            "nib": company.nib,
            "npwp": company.npwp if npwp is None else npwp,
            "name": company.company_name,
            "business_types": ["IMPORTIR", "EKSPORTIR"],
            "address": "Jl. Pelabuhan Raya No. 1, Jakarta Utara",
        },
        "applicant": {
            "full_name": applicant_name,
            "position": "Direktur Utama",
            "identity": {"kind": "NIK", "number": nik},
            "email": f"applicant.{submission_id.lower()}@example.co.id",
            "phone": "0812-1000-2000",
        },
        "attachments": {
            "power_of_attorney": {
                "document_id": EXAMPLE_DOCUMENT_ID,
                "sha256": hashlib.sha256(EXAMPLE_POWER_OF_ATTORNEY).hexdigest(),
                "size_bytes": len(EXAMPLE_POWER_OF_ATTORNEY),
                "media_type": "application/pdf",
            }
        },
        "consent": {"accepted": True, "accepted_at": SUBMITTED_AT, "terms_version": "2024-01"},
    }


def approvable(submission_id: str, company: NibRecord, person: PersonRecord) -> dict[str, Any]:
    """A registration every rule approves (benchmark load)."""
    name = next(r.name for r in company.responsible if r.identity_number == person.nik)
    return registration(submission_id, company, name, person.nik)


def examples(world: World = WORLD) -> dict[str, dict[str, Any]]:
    """The bundled examples by file name, each with the outcome it must reach."""
    ok = world.fixture("approved_company")
    outsider = world.fixture("not_responsible_person")
    frozen = world.fixture("frozen_nib")
    assert ok.responsible and outsider.person and frozen.responsible and ok.person
    foundation = registration(
        "EX-03-FOUNDATION",
        ok.company,
        ok.responsible.name,
        ok.responsible.identity_number,
        trader_type="YAYASAN",
        npwp="-",
    )
    foundation["organisation"].update(
        nib="-", name="Yayasan Pendidikan Nusantara", business_types=["IMPORTIR"]
    )
    malformed = registration(
        "EX-04-BAD-NPWP",
        ok.company,
        ok.responsible.name,
        ok.responsible.identity_number,
        npwp="01.770.411.5-013",
    )
    return {
        "01-company-approved.json": registration(
            "EX-01-APPROVED", ok.company, ok.responsible.name, ok.responsible.identity_number
        ),
        "02-applicant-not-responsible-person.json": registration(
            "EX-02-NOT-RESPONSIBLE",
            outsider.company,
            outsider.person.full_name.title(),
            outsider.person.nik,
        ),
        "03-foundation-without-nib-npwp.json": foundation,
        "04-malformed-npwp.json": malformed,
        "05-frozen-nib.json": registration(
            "EX-05-FROZEN",
            frozen.company,
            frozen.responsible.name,
            frozen.responsible.identity_number,
        ),
    }


EXPECTED_OUTCOMES = {
    "01-company-approved.json": ("APPROVED", []),
    "02-applicant-not-responsible-person.json": ("REJECTED", ["APPLICANT_NOT_RESPONSIBLE_PERSON"]),
    "03-foundation-without-nib-npwp.json": ("REFERRED", ["ORGANISATION_NOT_PROVEN"]),
    "04-malformed-npwp.json": ("REJECTED", ["NPWP_FORMAT"]),
    "05-frozen-nib.json": ("REJECTED", ["NIB_NOT_ACTIVE"]),
}
"""What each example must be decided as: outcome and reason codes."""


def write_examples(directory: Path = EXAMPLES_DIR) -> list[Path]:
    """(Re)write the example files; returns their paths."""
    directory.mkdir(parents=True, exist_ok=True)
    written = []
    for name, payload in examples().items():
        path = directory / name
        path.write_text(json.dumps(payload, indent=2, ensure_ascii=False) + "\n")
        written.append(path)
    return written
