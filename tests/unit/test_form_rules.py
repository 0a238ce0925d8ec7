"""Format rules R1 to R12, table by table: one passing and failing case per rule."""

import pytest

from gateway.rules.form import check_form
from tests.support import TODAY, submission


def codes(**overrides):
    return [(r.code, r.field) for r in check_form(submission(**overrides), TODAY).reasons]


def test_valid_form_has_no_reasons_and_normalises_identifiers():
    form = check_form(submission(), TODAY)
    assert form.reasons == []
    assert form.nib == "9120001234567"
    assert form.npwp is not None and form.npwp.canonical == "0012345678901000"
    assert form.phone == "+6281234567890"
    assert form.nik == "3171011708850001"


@pytest.mark.parametrize(
    ("overrides", "expected"),
    [
        ({"request__purpose": "INFORMASI"}, ("PURPOSE_NOT_SUPPORTED", "request.purpose")),
        (
            {"organisation__trader_type": "KOPERASI"},
            ("TRADER_TYPE_UNKNOWN", "organisation.trader_type"),
        ),
        ({"organisation__nib": "912000123456"}, ("NIB_FORMAT", "organisation.nib")),
        ({"organisation__nib": "91200012345AB"}, ("NIB_FORMAT", "organisation.nib")),
        ({"organisation__nib": "-"}, ("NIB_REQUIRED", "organisation.nib")),
        ({"organisation__npwp": "01.234.567.8-901"}, ("NPWP_FORMAT", "organisation.npwp")),
        ({"organisation__npwp": "-"}, ("NPWP_REQUIRED", "organisation.npwp")),
        ({"organisation__name": "  "}, ("ORGANISATION_NAME_REQUIRED", "organisation.name")),
        (
            {"organisation__business_types": []},
            ("BUSINESS_TYPE_REQUIRED", "organisation.business_types"),
        ),
        (
            {"organisation__business_types": ["IMPORTIR", "IMPORTIR"]},
            ("BUSINESS_TYPE_DUPLICATE", "organisation.business_types[1]"),
        ),
        (
            {"organisation__business_types": ["PETANI"]},
            ("BUSINESS_TYPE_UNKNOWN", "organisation.business_types[0]"),
        ),
        ({"organisation__address": None}, ("ADDRESS_REQUIRED", "organisation.address")),
        ({"applicant__full_name": ""}, ("APPLICANT_NAME_REQUIRED", "applicant.full_name")),
        ({"applicant__position": None}, ("APPLICANT_POSITION_REQUIRED", "applicant.position")),
        (
            {"applicant__identity": {"kind": "NIK", "number": "317101170885000"}},
            ("NIK_FORMAT", "applicant.identity.number"),
        ),
        (
            {"applicant__identity": {"kind": "NIK", "number": "3171011708850000"}},
            ("NIK_FORMAT", "applicant.identity.number"),
        ),
        (
            {"applicant__identity": {"kind": "PASSPORT", "number": "A123"}},
            ("PASSPORT_FORMAT", "applicant.identity.number"),
        ),
        (
            {"applicant__identity": {"kind": "SIM", "number": "A1234567"}},
            ("IDENTITY_KIND_UNKNOWN", "applicant.identity.kind"),
        ),
        ({"applicant__email": "budi.example.co.id"}, ("EMAIL_FORMAT", "applicant.email")),
        ({"applicant__phone": "12345"}, ("PHONE_FORMAT", "applicant.phone")),
        (
            {"attachments__power_of_attorney": None},
            ("POWER_OF_ATTORNEY_REQUIRED", "attachments.power_of_attorney"),
        ),
        (
            {
                "attachments__power_of_attorney": {
                    "document_id": "D",
                    "sha256": "ab",
                    "size_bytes": 10,
                    "media_type": "application/pdf",
                }
            },
            ("POWER_OF_ATTORNEY_REFERENCE", "attachments.power_of_attorney"),
        ),
        (
            {
                "attachments__power_of_attorney": {
                    "document_id": "D",
                    "sha256": "a" * 64,
                    "size_bytes": 1024 * 1024 + 1,
                    "media_type": "application/pdf",
                }
            },
            ("POWER_OF_ATTORNEY_TOO_LARGE", "attachments.power_of_attorney.size_bytes"),
        ),
        ({"consent__accepted": False}, ("TERMS_NOT_ACCEPTED", "consent.accepted")),
    ],
    ids=lambda v: v[0] if isinstance(v, tuple) else None,
)
def test_each_violation_names_its_field_and_rule(overrides, expected):
    assert codes(**overrides) == [expected]


def test_all_violations_are_collected_not_just_the_first():
    found = codes(organisation__nib="123", organisation__npwp="x", applicant__email="nope")
    assert [code for code, _ in found] == ["NIB_FORMAT", "NPWP_FORMAT", "EMAIL_FORMAT"]


@pytest.mark.parametrize("trader", ["YAYASAN", "KEDUTAAN_ASING", "PERSEORANGAN"])
def test_r3_r4_exempt_traders_may_register_without_nib_and_npwp(trader):
    assert (
        codes(organisation__trader_type=trader, organisation__nib="-", organisation__npwp="-") == []
    )


def test_r3_kld_may_omit_nib_but_not_npwp():
    # Manual §5.2.2 lets K/L/D register without NIB; §5.2.3 does not exempt it from NPWP.
    assert codes(
        organisation__trader_type="KEMENTERIAN_LEMBAGA_DAERAH",
        organisation__nib="-",
        organisation__npwp="-",
    ) == [("NPWP_REQUIRED", "organisation.npwp")]


@pytest.mark.parametrize(
    "trader", ["PELAKU_USAHA_PERUSAHAAN", "PELAKU_USAHA_PERSEORANGAN", "BADAN_USAHA_PEMERINTAH"]
)
def test_r3_businesses_need_an_nib(trader):
    assert ("NIB_REQUIRED", "organisation.nib") in codes(
        organisation__trader_type=trader, organisation__nib="-"
    )


@pytest.mark.parametrize(
    "overrides",
    [
        {},
        {"organisation__npwp": "0012345678901000"},
        {
            "organisation__trader_type": "YAYASAN",
            "organisation__nib": "-",
            "organisation__npwp": "-",
            "applicant__identity": {"kind": "PASSPORT", "number": "X1234567"},
        },
    ],
)
def test_form_facts_gives_the_identifiers_check_form_gave(overrides):
    from gateway.rules.form import form_facts

    sub = submission(**overrides)
    full = check_form(sub, TODAY)
    assert full.reasons == []
    assert form_facts(sub) == full
