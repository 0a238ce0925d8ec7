"""The applicant's emails, in Bahasa Indonesia and English (R14, R15, R17, R19).

Pure rendering: data in, :class:`~email.message.EmailMessage` out; no SMTP,
no Redis. The wording follows the seed's example email (manual §6.1):
Indonesian first, English second, the username and a confirmation link, and
the reminder to check the sender. Each email is plain text with an HTML
alternative built from the same paragraphs, so the two cannot disagree.

A decision email's ``Message-ID`` is derived from the decision id: should a
crash ever make the notifier send one again (see ``notifier.handlers``), the
copy is recognisably the same message.
"""

import html
from collections.abc import Sequence
from datetime import datetime, timedelta, timezone
from email.headerregistry import Address
from email.message import EmailMessage
from email.utils import format_datetime, make_msgid

from contracts.facts import email_address
from contracts.reasons import Reason

WIB = timezone(timedelta(hours=7), "WIB")
"""Western Indonesian Time: expiry times are shown as applicants read their clocks."""

DECISION_HEADER = "X-INSW-Decision-Id"

_FOOTER = (
    "Email ini dikirim secara otomatis oleh sistem. Anda tidak perlu membalas atau mengirim "
    "email ke alamat ini. Pastikan email ini berasal dari {sender}.\n"
    "This email is sent automatically by the system. You don't need to reply to or send "
    "email to this address. Make sure this email comes from {sender}."
)


class InvalidAddress(ValueError):
    """An email address that cannot be put in a ``To`` header (the message names no value)."""


def recipient(address: str) -> Address:
    """``address`` as a single mailbox, or :class:`InvalidAddress` (R10 was not met).

    Judged by :func:`contracts.facts.email_address`, the very check the
    gateway applies for R10, so an address the form accepted is one this
    notifier can send to.
    """
    checked = email_address(address)
    if checked is None:
        raise InvalidAddress("email: not a single valid address (R10)")
    try:
        local, domain = checked.rsplit("@", 1)
        return Address(username=local, domain=domain)
    except (ValueError, IndexError):
        raise InvalidAddress("email: not a single valid address (R10)") from None


def _when(moment: datetime) -> str:
    return moment.astimezone(WIB).strftime("%d-%m-%Y %H:%M WIB")


def _link_paragraphs(username: str, link: str, expires_at: datetime) -> tuple[str, str]:
    until = _when(expires_at)
    indonesian = (
        f"Username: {username}\n\n"
        f"Konfirmasi di sini: {link}\n\n"
        f"Tautan ini hanya dapat digunakan satu kali dan berlaku hingga {until}. Jika tautan "
        'sudah kedaluwarsa ("Token Expired"), gunakan Kirim Ulang Email: tautan baru dikirim '
        "ke alamat email yang sama."
    )
    english = (
        f"Username: {username}\n\n"
        f"Confirm here: {link}\n\n"
        f"This link works once and is valid until {until} (UTC+7). If it has expired "
        '("Token Expired"), use Resend Email: a new link goes to the same email address.'
    )
    return indonesian, english


def approval_email(
    *,
    decision_id: str,
    sender: str,
    to: str,
    applicant_name: str,
    username: str,
    link: str,
    expires_at: datetime,
    sent_at: datetime,
) -> EmailMessage:
    """R14: the approval email with the username and the single-use confirmation link."""
    links_id, links_en = _link_paragraphs(username, link, expires_at)
    paragraphs = [
        "Registrasi Anda telah disetujui.",
        f"Halo {applicant_name}, permohonan registrasi akun Anda telah disetujui dan Anda dapat "
        "melanjutkan dengan melakukan konfirmasi email dan pasang password melalui tautan di "
        "bawah ini:",
        links_id,
        "Your registration has been approved.",
        f"Hello {applicant_name}, your account registration application has been approved and "
        "you can continue by confirming your email and setting your password with the link "
        "below:",
        links_en,
        footer(sender),
    ]
    return _message(
        subject="Registrasi Anda telah disetujui / Your registration has been approved",
        sender=sender,
        to=to,
        paragraphs=paragraphs,
        sent_at=sent_at,
        decision_id=decision_id,
    )


def rejection_email(
    *,
    decision_id: str,
    sender: str,
    to: str,
    applicant_name: str,
    organisation_name: str | None,
    reasons: Sequence[Reason],
    sent_at: datetime,
) -> EmailMessage:
    """R15: the rejection email listing every reason, in both languages."""
    for_org_id = f" untuk {organisation_name}" if organisation_name else ""
    for_org_en = f" for {organisation_name}" if organisation_name else ""
    listed_id = _numbered([f"{r.text_id} ({r.rule}, {r.field})" for r in reasons])
    listed_en = _numbered([f"{r.text_en} ({r.rule}, {r.field})" for r in reasons])
    paragraphs = [
        "Registrasi Anda ditolak.",
        f"Halo {applicant_name}, permohonan registrasi akun Anda{for_org_id} tidak dapat "
        "disetujui karena alasan berikut:",
        listed_id or "Hubungi Contact Center INSW untuk alasan penolakan.",
        "Anda dapat memperbaiki data tersebut dan mengajukan registrasi baru.",
        "Your registration has been rejected.",
        f"Hello {applicant_name}, your account registration application{for_org_en} could not "
        "be approved for the following reasons:",
        listed_en or "Please contact the INSW Contact Center for the reasons.",
        "You may correct the data and submit a new registration.",
        footer(sender),
    ]
    return _message(
        subject="Registrasi Anda ditolak / Your registration has been rejected",
        sender=sender,
        to=to,
        paragraphs=paragraphs,
        sent_at=sent_at,
        decision_id=decision_id,
    )


def new_link_email(
    *, sender: str, to: str, username: str, link: str, expires_at: datetime, sent_at: datetime
) -> EmailMessage:
    """R19: a new confirmation link, sent on request to the same email address."""
    links_id, links_en = _link_paragraphs(username, link, expires_at)
    paragraphs = [
        "Tautan konfirmasi baru.",
        "Sesuai permintaan Anda, berikut tautan baru untuk konfirmasi email dan pasang "
        "password. Tautan yang dikirim sebelumnya tidak berlaku lagi.",
        links_id,
        "New confirmation link.",
        "As you asked, here is a new link to confirm your email and set your password. "
        "Links sent earlier no longer work.",
        links_en,
        footer(sender),
    ]
    return _message(
        subject="Tautan konfirmasi baru / New confirmation link",
        sender=sender,
        to=to,
        paragraphs=paragraphs,
        sent_at=sent_at,
        decision_id=None,
    )


def _numbered(lines: Sequence[str]) -> str:
    return "\n".join(f"{index}. {line}" for index, line in enumerate(lines, start=1))


def footer(sender: str) -> str:
    """The closing paragraph of every email: sent automatically, check the sender."""
    return _FOOTER.format(sender=sender)


def _message(
    *,
    subject: str,
    sender: str,
    to: str,
    paragraphs: Sequence[str],
    sent_at: datetime,
    decision_id: str | None,
) -> EmailMessage:
    stable = (
        None if decision_id is None else (f"decision.{decision_id}", DECISION_HEADER, decision_id)
    )
    return compose(
        subject=subject, sender=sender, to=to, paragraphs=paragraphs, sent_at=sent_at, stable=stable
    )


def compose(
    *,
    subject: str,
    sender: str,
    to: str,
    paragraphs: Sequence[str],
    sent_at: datetime,
    stable: tuple[str, str, str] | None,
) -> EmailMessage:
    """Plain text and HTML from the same paragraphs.

    ``stable`` is (Message-ID local part, header name, idempotency key) for an
    email sent once per key: a resend after a crash carries the same
    ``Message-ID`` and names its key in the header. None: a fresh Message-ID.
    """
    domain = Address(addr_spec=sender).domain
    message = EmailMessage()
    message["Subject"] = subject
    message["From"] = Address("INSW", addr_spec=sender)
    message["To"] = recipient(to)
    message["Date"] = format_datetime(sent_at)
    if stable is None:
        message["Message-ID"] = make_msgid(domain=domain)
    else:
        local, header, key = stable
        message["Message-ID"] = f"<{local}@{domain}>"
        message[header] = key
    message.set_content("\n\n".join(paragraphs) + "\n")
    message.add_alternative(_html(paragraphs), subtype="html")
    return message


def _html(paragraphs: Sequence[str]) -> str:
    blocks = []
    for paragraph in paragraphs:
        lines = []
        for line in paragraph.split("\n"):
            words = [
                f'<a href="{html.escape(w)}">{html.escape(w)}</a>'
                if w.startswith(("http://", "https://"))
                else html.escape(w)
                for w in line.split(" ")
            ]
            lines.append(" ".join(words))
        blocks.append("<p>" + "<br>\n".join(lines) + "</p>")
    return '<!doctype html>\n<html lang="id"><body>\n' + "\n".join(blocks) + "\n</body></html>\n"
