"""One validator per fact (issue 12) and R9/R10 read as the manual says (issue 13).

Each probe here failed on main before ``contracts.facts`` existed: look-alike
digits reached the agencies or crashed the form rules, a NIK from Kalimantan
Utara was rejected, a Swiss phone number was refused, and four email forms
the form accepted were refused by the notifier.
"""

import json
from datetime import UTC, date, datetime

import pytest

from contracts import facts, topics
from contracts.agencies import DUKCAPIL_NIK
from contracts.decision import RegistrationDecided
from contracts.verification import VerificationRequested
from gateway.handlers import Gateway
from gateway.rules.form import check_form
from gateway.store_memory import MemoryRegistrationStore
from notifier.emails import InvalidAddress, recipient
from runtime.records import Inbound
from tests.support import example_documents, submission, submission_dict, submissions_of

TODAY = date(2026, 11, 21)
NOW = datetime(2026, 11, 21, 1, 0, tzinfo=UTC)

SUPERSCRIPT_NIK = "317101\u00b2708850001"
LOOKALIKES = {
    "superscript": "\u2070\u00b9\u00b2\u00b3\u2074\u2075\u2076\u2077\u2078\u2079",
    "arabic-indic": "".join(chr(0x0660 + d) for d in range(10)),
    "fullwidth": "".join(chr(0xFF10 + d) for d in range(10)),
}


@pytest.mark.parametrize("script", sorted(LOOKALIKES))
def test_identifiers_take_ascii_digits_only(script):
    table = str.maketrans("0123456789", LOOKALIKES[script])
    assert facts.is_nib("9120001234567") and not facts.is_nib("9120001234567".translate(table))
    assert facts.parse_npwp("012345678901000") is not None
    assert facts.parse_npwp("012345678901000".translate(table)) is None
    assert facts.nik_problem("3171011708850001", TODAY) is None
    assert facts.nik_problem("3171011708850001".translate(table), TODAY) is not None
    assert facts.phone_e164("081234567890".translate(table)) is None


def gateway() -> Gateway:
    return Gateway(MemoryRegistrationStore(), example_documents(), clock=lambda: NOW)


def submitted(**overrides) -> Inbound:
    payload = json.dumps(submission_dict("SUB-FACTS", **overrides)).encode()
    return Inbound(topics.REGISTRATION_SUBMITTED, 0, 0, b"SUB-FACTS", payload)


async def test_superscript_nik_is_rejected_with_nik_format_not_dead_lettered():
    result = await submissions_of(gateway())(
        [submitted(applicant__identity={"kind": "NIK", "number": SUPERSCRIPT_NIK})]
    )
    assert result.dead == []
    [decision] = [
        RegistrationDecided.model_validate_json(o.value or b"")
        for o in result.outbound
        if o.topic == topics.REGISTRATION_DECIDED
    ]
    assert decision.outcome == "REJECTED"
    assert [(r.code, r.rule, r.field) for r in decision.reasons] == [
        ("NIK_FORMAT", "R9", "applicant.identity.number")
    ]


@pytest.mark.parametrize("nik", ["6571011708850001", "9271011708850001", "9671011708850001"])
async def test_r9_nik_with_a_region_stdnum_lacks_passes_the_form_and_reaches_dukcapil(nik):
    assert not facts.nik_region_known(nik)  # python-stdnum 2.2's table lacks it
    form = check_form(submission(applicant__identity={"kind": "NIK", "number": nik}), TODAY)
    assert form.reasons == [] and form.nik == nik
    result = await submissions_of(gateway())(
        [submitted(applicant__identity={"kind": "NIK", "number": nik})]
    )
    [asked] = [o for o in result.outbound if o.topic == DUKCAPIL_NIK.request_topic]
    assert VerificationRequested.model_validate_json(asked.value or b"").identifier == nik


@pytest.mark.parametrize(
    ("nik", "why"),
    [
        ("3171013202850001", "birth date is not a real past date"),  # day 32
        ("3171011708850000", "serial must be 0001 or more"),
        ("317101170885000", "not 16 ASCII digits"),
    ],
)
def test_r9_still_checks_length_date_and_serial(nik, why):
    assert facts.nik_problem(nik, TODAY) == why


@pytest.mark.parametrize(
    ("raw", "e164"),
    [
        ("+41 44 668 18 00", "+41446681800"),  # Zürich: a foreign applicant (issue 13)
        ("+1 202-456-1111", "+12024561111"),
        ("0812-3456-7890", "+6281234567890"),
        ("6281234567890", "+6281234567890"),
        ("+62 21 5555 1234", "+622155551234"),
        ("812345", None),
        ("12345", None),
        ("+41 12", None),
        ("", None),
    ],
)
def test_r10_any_valid_international_phone_number(raw, e164):
    assert facts.phone_e164(raw) == e164


def test_r10_swiss_phone_passes_the_form():
    form = check_form(submission(applicant__phone="+41 44 668 18 00"), TODAY)
    assert form.reasons == [] and form.phone == "+41446681800"


@pytest.mark.parametrize(
    "address",
    [
        "budi@example.co.id ",
        "a,b@example.co.id",
        'a"b@example.co.id',
        "a..b@example.co.id",
        ".a@example.co.id",
        "\u00e4@example.co.id",
        "a[b]@example.co.id",
        "a\x01b@example.co.id",
    ],
)
def test_r10_refuses_the_email_forms_the_notifier_could_not_send_to(address):
    """On main the form accepted every one of these and the notifier refused all but one."""
    form = check_form(submission(applicant__email=address), TODAY)
    sendable = True
    try:
        recipient(address)
    except InvalidAddress:
        sendable = False
    accepted = not any(r.code == "EMAIL_FORMAT" for r in form.reasons)
    assert accepted == sendable


def test_r10_an_accepted_email_is_one_the_notifier_sends_to():
    for address in ["budi@example.co.id", " Budi@Example.CO.ID", "a@b\u00fccher.example"]:
        checked = facts.email_address(address)
        assert checked is not None and str(recipient(address)) == checked
