"""Agency rules over the agencies' facts (R3, R4, R8): NPWP forms and responsible persons."""

from contracts.verification import NibRecord, NpwpRecord, ResponsiblePerson
from gateway.rules.agency import is_responsible_person, npwp_agrees
from gateway.rules.identifiers import parse_npwp

PERSONAL_15 = "059277996403000"
OWNER_NIK = "3674182307650051"
DJP_PERSONAL = NpwpRecord(npwp=OWNER_NIK, npwp15=PERSONAL_15, active=True, taxpayer_name="X")


def npwp(value):
    parsed = parse_npwp(value)
    assert parsed is not None
    return parsed


def test_r4_organisation_npwp_agrees_in_15_and_16_digit_forms():
    assert npwp_agrees("017704115013000", npwp("0017704115013000"), None)
    assert npwp_agrees("0017704115013000", npwp("01.770.411.5-013.000"), None)


def test_r4_personal_npwp_agrees_with_its_nik_form_only_through_djp():
    # A personal 15-digit NPWP maps to the holder's NIK, not to "0" + 15 digits.
    assert npwp_agrees(PERSONAL_15, npwp(PERSONAL_15), None)
    assert not npwp_agrees(PERSONAL_15, npwp(OWNER_NIK), None)
    assert npwp_agrees(PERSONAL_15, npwp(OWNER_NIK), DJP_PERSONAL)


def test_r4_a_different_npwp_disagrees_even_with_djp_answer():
    assert not npwp_agrees("017704115013000", npwp("013044318091000"), DJP_PERSONAL)


def record(*people):
    return NibRecord(
        nib="9120001234567", company_name="PT X", status="01", responsible_persons=list(people)
    )


def test_r8_responsible_person_by_name_and_ktp_number():
    budi = ResponsiblePerson(
        identity_type="KTP", identity_number="3171011708850001", name="BUDI SANTOSO"
    )
    assert is_responsible_person(record(budi), "Ir. Budi Santoso, S.E.", "3171011708850001")
    assert not is_responsible_person(record(budi), "Budi Santoso", "3171011708850002")
    assert not is_responsible_person(record(budi), "Budi Santosa", "3171011708850001")


def test_r8_passport_holder_matches_by_name():
    anna = ResponsiblePerson(
        identity_type="PASSPORT", identity_number="E50775020", name="Anna Lindqvist"
    )
    assert is_responsible_person(record(anna), "ANNA LINDQVIST", None)
