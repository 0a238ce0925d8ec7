"""Agency rules over the agencies' facts (R3, R4, R8): NPWP forms and responsible persons."""

from contracts.verification import NibRecord, NpwpRecord, ResponsiblePerson
from gateway.rules.agency import Listed, npwp_agrees, responsible_person
from gateway.rules.identifiers import parse_npwp
from tests.support import assessed, submission

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


def applicant(name, kind="NIK", number="3171011708850001"):
    return assessed(
        submission(applicant__full_name=name, applicant__identity={"kind": kind, "number": number})
    )


def test_r8_responsible_person_by_name_and_ktp_number():
    budi = ResponsiblePerson(
        identity_type="KTP", identity_number="3171011708850001", name="BUDI SANTOSO"
    )
    assert responsible_person(record(budi), applicant("Ir. Budi Santoso, S.E.")) == Listed.PROVEN
    other_nik = applicant("Budi Santoso", number="3171011708850002")
    assert responsible_person(record(budi), other_nik) == Listed.NO
    assert responsible_person(record(budi), applicant("Budi Santosa")) == Listed.NO


def test_r8_a_name_alone_never_proves_a_passport_holder():
    # Names are printed on the NIB: matching one proves nothing about who applies.
    anna = ResponsiblePerson(
        identity_type="PASSPORT", identity_number="E50775020", name="Anna Lindqvist"
    )
    impostor = applicant("ANNA LINDQVIST", kind="PASSPORT", number="X1234567")
    assert responsible_person(record(anna), impostor) == Listed.BY_NAME_ONLY
    holder = applicant("ANNA LINDQVIST", kind="PASSPORT", number="E50775020")
    assert responsible_person(record(anna), holder) == Listed.PROVEN
