"""Every rule of the INSW registration manual, R1 to R19: one passing and one failing case each.

Form rules (R1 to R12) run through ``check_form``; agency-backed parts of R3,
R4, R8 and R9 and the referral rule R13 through the gateway's decision; R14 to
R19 through the notifier's pure parts (emails, usernames, passwords, links).
Tests are named by the rule they prove.
"""

from datetime import UTC, datetime, timedelta

import pytest

from contracts.agencies import SHIPPED
from contracts.decision import Outcome
from contracts.reasons import Reason
from contracts.verification import AgencyAnswer, Check, CheckOutcome
from gateway import usernames
from gateway.rules.decide import decide
from gateway.rules.form import check_form
from gateway.store_memory import MemoryRegistrationStore
from notifier.emails import approval_email, rejection_email
from notifier.passwords import check_password
from notifier.settings import NotifierSettings
from notifier.store import TokenStatus
from notifier.store_memory import MemoryActivationStore
from notifier.tokens import Tokens
from tests.support import TODAY, agency_answer, assessed, submission
from tests.unit.test_gateway_handlers import answers_for

NIK = {"kind": "NIK", "number": "3171011708850001"}

FORM_RULES = [
    # rule, a submission that satisfies it, one that breaks it, the code it must give
    ("R1", {}, {"request__purpose": "PENELUSURAN"}, "PURPOSE_NOT_SUPPORTED"),
    (
        "R2",
        {
            "organisation__trader_type": "YAYASAN",
            "organisation__nib": "-",
            "organisation__npwp": "-",
        },
        {"organisation__trader_type": "KOPERASI"},
        "TRADER_TYPE_UNKNOWN",
    ),
    (
        "R3",
        {"organisation__trader_type": "KEMENTERIAN_LEMBAGA_DAERAH", "organisation__nib": "-"},
        {"organisation__nib": "912000123456"},
        "NIB_FORMAT",
    ),
    (
        "R4",
        {"organisation__npwp": "0012345678901000"},
        {"organisation__npwp": "-"},
        "NPWP_REQUIRED",
    ),
    (
        "R5",
        {"organisation__name": "PT Contoh"},
        {"organisation__name": ""},
        "ORGANISATION_NAME_REQUIRED",
    ),
    (
        "R6",
        {"organisation__business_types": ["PPJK"]},
        {"organisation__business_types": ["PPJK", "PPJK"]},
        "BUSINESS_TYPE_DUPLICATE",
    ),
    (
        "R7",
        {"organisation__address": "Jl. Merdeka 1"},
        {"organisation__address": " "},
        "ADDRESS_REQUIRED",
    ),
    (
        "R8",
        {"applicant__position": "Direktur"},
        {"applicant__position": None},
        "APPLICANT_POSITION_REQUIRED",
    ),
    (
        "R9",
        {"applicant__identity": {"kind": "PASSPORT", "number": "C1234567"}},
        {"applicant__identity": {"kind": "NIK", "number": "3171013202850001"}},
        "NIK_FORMAT",
    ),
    (
        "R10",
        {"applicant__phone": "+62 21 5555 1234"},
        {"applicant__email": "budi@"},
        "EMAIL_FORMAT",
    ),
    (
        "R11",
        {},
        {
            "attachments__power_of_attorney": {
                "document_id": "D",
                "sha256": "a" * 64,
                "size_bytes": 2_000_000,
                "media_type": "application/pdf",
            }
        },
        "POWER_OF_ATTORNEY_TOO_LARGE",
    ),
    ("R12", {}, {"consent__terms_version": None}, "TERMS_NOT_ACCEPTED"),
]


def form_codes(**overrides) -> list[tuple[str, str]]:
    return [(r.rule, r.code) for r in check_form(submission(**overrides), TODAY).reasons]


@pytest.mark.parametrize(
    ("rule", "good", "bad", "code"), FORM_RULES, ids=[f"{row[0]}" for row in FORM_RULES]
)
def test_form_rule_passes_and_fails(rule, good, bad, code):
    assert form_codes(**good) == [], f"{rule} should pass"
    assert (rule, code) in form_codes(**bad), f"{rule} should fail with {code}"


def results(**changes) -> dict[str, AgencyAnswer]:
    return {
        a.check: a for a in (SHIPPED.decode_answer(r.value or b"") for r in answers_for(**changes))
    }


def verdict(**changes):
    return decide(assessed(submission(), TODAY), results(**changes))


def test_r3_active_nib_approves_frozen_nib_rejects():
    assert verdict().outcome is Outcome.APPROVED
    assert [r.code for r in verdict(status="05").reasons] == ["NIB_NOT_ACTIVE"]


def test_r4_npwp_inactive_at_djp_rejects():
    assert [r.code for r in verdict(npwp_active=False).reasons] == ["NPWP_NOT_ACTIVE"]


def test_r8_applicant_must_be_a_responsible_person_on_the_nib():
    assert verdict(person="Ir. BUDI SANTOSO").outcome is Outcome.APPROVED
    assert [r.code for r in verdict(person="Siti Aminah").reasons] == [
        "APPLICANT_NOT_RESPONSIBLE_PERSON"
    ]


def test_r9_nik_and_name_must_match_dukcapil():
    sub = submission()
    answers = results()
    answers[Check.NIK] = agency_answer(
        submission_id=sub.submission_id, check=Check.NIK, outcome=CheckOutcome.MISMATCH
    )
    found = decide(assessed(sub, TODAY), answers)
    assert [r.code for r in found.reasons] == ["NIK_NOT_VERIFIED"]


def test_r13_unreachable_agency_refers_never_approves():
    sub = submission()
    answers = results()
    answers[Check.NPWP] = agency_answer(
        submission_id=sub.submission_id, check=Check.NPWP, outcome=CheckOutcome.UNAVAILABLE
    )
    found = decide(assessed(sub, TODAY), answers)
    assert found.outcome is Outcome.REFERRED
    assert verdict().outcome is Outcome.APPROVED


NOW = datetime(2026, 11, 21, 8, tzinfo=UTC)


def plain_text(mail) -> str:
    body = mail.get_body(("plain",))
    assert body is not None
    return str(body.get_content())


def test_r14_approval_email_is_bilingual_with_username_and_link():
    mail = approval_email(
        decision_id="d1",
        sender="noreply@insw.go.id",
        to="a@example.co.id",
        applicant_name="Budi",
        username="4C7ADA",
        link="http://hub/accounts/password?token=t",
        expires_at=NOW,
        sent_at=NOW,
    )
    text = plain_text(mail)
    assert "4C7ADA" in text and "token=t" in text
    assert "disetujui" in text and "approved" in text
    assert "ditolak" not in text


def test_r15_rejection_email_lists_every_reason_in_both_languages():
    reasons = [
        Reason(
            code="NIB_FORMAT",
            rule="R3",
            field="organisation.nib",
            text_id="NIB harus berupa 13 digit angka.",
            text_en="NIB must be exactly 13 digits.",
        ),
        Reason(
            code="EMAIL_FORMAT",
            rule="R10",
            field="applicant.email",
            text_id="Alamat email tidak valid.",
            text_en="Email address is not valid.",
        ),
    ]
    mail = rejection_email(
        decision_id="d2",
        sender="noreply@insw.go.id",
        to="a@example.co.id",
        applicant_name="Budi",
        organisation_name="PT X",
        reasons=reasons,
        sent_at=NOW,
    )
    text = plain_text(mail)
    for reason in reasons:
        assert reason.text_id in text and reason.text_en in text
    empty = plain_text(
        rejection_email(
            decision_id="d3",
            sender="s@insw.go.id",
            to="a@example.co.id",
            applicant_name="Budi",
            organisation_name=None,
            reasons=[],
            sent_at=NOW,
        )
    )
    assert "NIB must be exactly 13 digits." not in empty


async def test_r16_usernames_are_six_uppercase_hex_and_unique():
    store = MemoryRegistrationStore()
    names = await usernames.allocate(store, [f"SUB-{i}" for i in range(300)])
    assert all(len(n) == 6 and n == n.upper() and int(n, 16) >= 0 for n in names.values())
    assert len(set(names.values())) == 300
    again = await usernames.allocate(store, ["SUB-7"])
    assert again["SUB-7"] == names["SUB-7"]  # idempotent for the same submission
    assert not usernames.candidate("SUB-7", 0).islower()


def test_r17_sender_defaults_to_insw_and_is_configurable(monkeypatch):
    assert NotifierSettings().mail_sender == "noreply@insw.go.id"
    monkeypatch.setenv("MAIL_SENDER", "noreply@example.go.id")
    assert NotifierSettings().mail_sender == "noreply@example.go.id"


@pytest.mark.parametrize(
    ("password", "codes"),
    [
        ("Abc12!", []),
        ("Ab1!", ["PASSWORD_TOO_SHORT"]),
        ("abcdef1!", ["PASSWORD_NEEDS_CAPITAL"]),
        ("Abcdefg!", ["PASSWORD_NEEDS_DIGIT"]),
        ("Abcdefg1", ["PASSWORD_NEEDS_SYMBOL"]),
    ],
)
def test_r18_password_rules(password, codes):
    assert [r.code for r in check_password(password)] == codes


async def test_r19_expired_link_fails_and_resend_invalidates_older_links():
    clock = {"now": NOW}
    tokens = Tokens(
        MemoryActivationStore(),
        base_url="http://hub",
        ttl=timedelta(hours=24),
        clock=lambda: clock["now"],
    )
    first = await tokens.issue("4C7ADA", "a@example.co.id")
    token = first.url.split("token=")[1]
    assert (await tokens.check(token)).status is TokenStatus.VALID
    clock["now"] += timedelta(hours=25)
    assert (await tokens.check(token)).status is TokenStatus.EXPIRED
    second = await tokens.issue("4C7ADA", "a@example.co.id")
    clock["now"] -= timedelta(hours=24)
    assert (await tokens.check(token)).status is TokenStatus.SUPERSEDED
    assert (await tokens.check(second.url.split("token=")[1])).status is TokenStatus.VALID
