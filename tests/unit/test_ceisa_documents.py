"""Every approved decision becomes one valid, repeatable registration application (C1)."""

from datetime import UTC, datetime

import pytest

from adapters.ceisa.documents import build_application, validate
from contracts.decision import Outcome, RegistrationDecided, RegistrationSummary
from contracts.xml_messages import REGISTRATION
from contracts.xml_reader import read_customs_document
from runtime.errors import PoisonMessage


def _decision(**summary: object) -> RegistrationDecided:
    fields: dict[str, object] = {
        "trader_type": "PELAKU_USAHA_PERUSAHAAN",
        "organisation_name": "PT Contoh Niaga Sejahtera",
        "nib": "9120001234567",
        "npwp": "0012345678901000",
        "business_types": ["IMPORTIR", "EKSPORTIR", "PPJK"],
        "address": "Jl. Contoh No. 1, Jakarta",
        "applicant_name": "Budi Contoh",
        "applicant_position": "Direktur",
        "power_of_attorney_id": "DOC-0001",
        "power_of_attorney_sha256": "a" * 64,
    } | summary
    return RegistrationDecided(
        decision_id="DEC-0001",
        submission_id="SUB-0001",
        outcome=Outcome.APPROVED,
        rules_version="2026.11",
        decided_at=datetime(2026, 3, 19, 9, 30, tzinfo=UTC),
        username="4C7ADA",
        registration=RegistrationSummary.model_validate(fields),
    )


def test_an_application_for_several_activities_reads_back_as_a_valid_v1_registration():
    document = read_customs_document(build_application(_decision(), "INSW"))
    assert (document.message, document.major) == (REGISTRATION, 1)
    ns = {"r": REGISTRATION.namespace()}
    activities = document.root.xpath("r:Activities/r:Activity/text()", namespaces=ns)
    assert activities == ["IMPORTIR", "EKSPORTIR", "PPJK"]


def test_a_redelivered_decision_yields_the_identical_document():
    assert build_application(_decision(), "INSW") == build_application(_decision(), "INSW")


def test_exempt_trader_types_omit_nib_and_npwp():
    document = build_application(_decision(trader_type="YAYASAN", nib=None, npwp=None), "INSW")
    assert b"<Nib>" not in document
    read_customs_document(document)


def test_an_invalid_application_is_poison_and_the_reason_names_paths_not_values():
    with pytest.raises(PoisonMessage) as error:
        build_application(_decision(nib="12345", business_types=["SMUGGLING"]), "INSW")
    reason = str(error.value)
    assert "Organisation/Nib: pattern" in reason
    assert "Activities/Activity" in reason
    assert "12345" not in reason
    assert "SMUGGLING" not in reason


def test_validate_is_usable_on_its_own():
    from lxml import etree

    root = etree.fromstring(build_application(_decision(), "INSW"))
    validate(root)
    applicant = root.find(f"{{{REGISTRATION.namespace()}}}Applicant")
    assert applicant is not None
    applicant.clear()
    with pytest.raises(PoisonMessage, match="Applicant"):
        validate(root)
