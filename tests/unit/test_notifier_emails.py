"""R14, R15, R17, R19: the bilingual emails carry the username, the link and every reason."""

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from contracts import reasons as catalogue
from notifier.emails import (
    DECISION_HEADER,
    InvalidAddress,
    approval_email,
    new_link_email,
    recipient,
    rejection_email,
)

SENT_AT = datetime(2026, 11, 21, 3, 0, tzinfo=UTC)
LINK = "https://insw.example/accounts/password?token=abc_DEF-123"
SENDER = "noreply@insw.go.id"


def bodies(message) -> tuple[str, str]:
    text = message.get_body(preferencelist=("plain",)).get_content()
    html = message.get_body(preferencelist=("html",)).get_content()
    return text, html


def approval():
    return approval_email(
        decision_id="d" * 32,
        sender=SENDER,
        to="budi@example.co.id",
        applicant_name="Budi Santoso",
        username="4C7ADA",
        link=LINK,
        expires_at=SENT_AT + timedelta(hours=24),
        sent_at=SENT_AT,
    )


def test_r14_approval_has_username_and_link_in_both_languages():
    message = approval()
    text, html = bodies(message)
    indonesian, english = text.split("Your registration has been approved.")
    for part in (indonesian, english):
        assert "Username: 4C7ADA" in part and LINK in part
    assert "Registrasi Anda telah disetujui." in indonesian
    assert "Konfirmasi di sini" in indonesian and "Confirm here" in english
    assert f'<a href="{LINK}">' in html and "4C7ADA" in html
    assert "Halo Budi Santoso" in text and "Hello Budi Santoso" in text


def test_r19_approval_says_the_link_expires_and_works_once():
    text, _ = bodies(approval())
    assert "berlaku hingga 22-11-2026 10:00 WIB" in text
    assert "valid until 22-11-2026 10:00 WIB" in text
    assert "satu kali" in text and "works once" in text
    assert "Token Expired" in text


def test_r17_email_comes_from_the_sender_and_says_so():
    message = approval()
    assert message["From"].addresses[0].addr_spec == SENDER
    assert message["To"].addresses[0].addr_spec == "budi@example.co.id"
    text, _ = bodies(message)
    assert f"berasal dari {SENDER}" in text and f"comes from {SENDER}" in text


def test_decision_email_message_id_derives_from_the_decision_id():
    message = approval()
    assert message["Message-ID"] == f"<decision.{'d' * 32}@insw.go.id>"
    assert message[DECISION_HEADER] == "d" * 32


def test_r15_rejection_lists_every_reason_in_both_languages():
    reasons = [
        catalogue.NPWP_FORMAT.at("organisation.npwp"),
        catalogue.NIB_NOT_ACTIVE.at("organisation.nib"),
    ]
    message = rejection_email(
        decision_id="e" * 32,
        sender=SENDER,
        to="budi@example.co.id",
        applicant_name="Budi Santoso",
        organisation_name="PT Contoh",
        reasons=reasons,
        sent_at=SENT_AT,
    )
    text, html = bodies(message)
    indonesian, english = text.split("Your registration has been rejected.")
    for number, reason in enumerate(reasons, start=1):
        assert f"{number}. {reason.text_id} ({reason.rule}, {reason.field})" in indonesian
        assert f"{number}. {reason.text_en} ({reason.rule}, {reason.field})" in english
        assert reason.text_en in html
    assert "untuk PT Contoh" in indonesian and "for PT Contoh" in english
    assert message["Subject"] == "Registrasi Anda ditolak / Your registration has been rejected"


def test_r19_new_link_email_has_username_and_link_and_a_fresh_message_id():
    kwargs: dict[str, Any] = dict(
        sender=SENDER,
        to="budi@example.co.id",
        username="4C7ADA",
        link=LINK,
        expires_at=SENT_AT + timedelta(hours=24),
        sent_at=SENT_AT,
    )
    first, second = new_link_email(**kwargs), new_link_email(**kwargs)
    text, _ = bodies(first)
    assert text.count("Username: 4C7ADA") == 2 and text.count(LINK) == 2
    assert "tidak berlaku lagi" in text and "no longer work" in text
    assert first["Message-ID"] != second["Message-ID"]


def test_names_are_escaped_in_html():
    message = approval_email(
        decision_id="d" * 32,
        sender=SENDER,
        to="budi@example.co.id",
        applicant_name="<script>x</script>",
        username="4C7ADA",
        link=LINK,
        expires_at=SENT_AT,
        sent_at=SENT_AT,
    )
    _, html = bodies(message)
    assert "<script>" not in html and "&lt;script&gt;" in html


@pytest.mark.parametrize(
    "address",
    ["", "no-at-sign", "a@b@c.id", "a@example.co.id\r\nBcc: x@y.id", "a b@example.id", "a@local"],
)
def test_r10_an_address_that_is_not_one_mailbox_is_refused_without_echoing_it(address):
    with pytest.raises(InvalidAddress) as raised:
        recipient(address)
    assert "email" in str(raised.value) and (not address or address not in str(raised.value))
