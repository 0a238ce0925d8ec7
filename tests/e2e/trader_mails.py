"""Helpers for the customs stories' trader emails: drive the trader's side, read the mailbox.

The trader's emails are told apart from decision emails by their header
(:data:`notifier.trader_emails.NOTICE_HEADER`) and found per application by
the applicant's address (``simulators.registrations`` stamps one per
submission id). Both languages are checked apart: the Indonesian part is
everything before the English title.
"""

import asyncio
from collections.abc import Callable
from datetime import date
from email.message import EmailMessage

from contracts import topics
from contracts.customs import CustomsApplicationStatus, SupportingDocument, TraderCommand
from devstack.mailbox import read_mailbox
from notifier.trader_emails import NOTICE_HEADER, day
from tests.kafka_io import collect, produce

MAIL_TIMEOUT_S = 90.0

ENTRY = "Proof of entry of your customs registration"
TTP_RK = "Customs registration receipt (TTP-RK)"
REQUESTED = "Additional documents requested"
ACCEPTED = "Customs registration accepted"
REJECTED = "Customs registration rejected"
RETURNED = "Customs registration application returned"
BLOCKED = "Customs identity number blocked"
UNBLOCKED = "Blocking lifted"
UNBLOCK_REFUSED = "Unblock application refused"
REVOKED = "Customs identity number revoked"
CHANGE_RECEIPTED = "Data change notification received"
CHANGE_APPROVED = "Data change approved"
"""English titles, as the subject's second half shows them."""


def address(sid: str) -> str:
    """The applicant's address ``simulators.registrations`` gives submission ``sid``."""
    return f"applicant.{sid.lower()}@example.co.id"


def trader_mails(stack, sid: str) -> list[EmailMessage]:
    """The customs emails filed for ``sid``'s applicant, oldest first."""
    return [
        m
        for m in read_mailbox(stack.mailbox_dir)
        if m[NOTICE_HEADER] and m["To"].addresses[0].addr_spec == address(sid)
    ]


def english_title(mail: EmailMessage) -> str:
    """``"<Indonesian> / <English> (<submission id>)"`` -> the English title."""
    return str(mail["Subject"]).split(" / ", 1)[1].rsplit(" (", 1)[0]


def by_title(mails: list[EmailMessage]) -> dict[str, EmailMessage]:
    """The emails by English title; a title twice is a duplicate email and fails here."""
    titles = [english_title(m) for m in mails]
    assert len(titles) == len(set(titles)), titles
    return dict(zip(titles, mails, strict=True))


def parts(mail: EmailMessage) -> tuple[str, str]:
    """The Indonesian and the English part of the plain text."""
    body = mail.get_body(("plain",))
    assert body is not None
    text = str(body.get_content()).replace("\r\n", "\n")  # as filed by SMTP
    english = english_title(mail)
    indonesian, separator, rest = text.partition(f"\n\n{english}.\n\n")
    assert separator, f"no English part titled {english!r} in:\n{text}"
    return indonesian, rest


def assert_due(mail: EmailMessage, rule: str, due: date) -> None:
    """Both languages state the deadline ``rule`` with its last day."""
    indonesian, english = parts(mail)
    assert f"Batas waktu ({rule}):" in indonesian and f"paling lambat {day(due)}" in indonesian
    assert f"Deadline ({rule}):" in english and f"by {day(due)} at the latest" in english


async def wait_mails(stack, expected: dict[str, set[str]]) -> dict[str, dict[str, EmailMessage]]:
    """Until each submission's emails carry at least the expected English titles."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + MAIL_TIMEOUT_S
    while True:
        found = {sid: by_title(trader_mails(stack, sid)) for sid in expected}
        if all(titles <= found[sid].keys() for sid, titles in expected.items()):
            return found
        if loop.time() > deadline:
            missing = {s: sorted(t - found[s].keys()) for s, t in expected.items()}
            raise AssertionError(f"trader emails missing: {missing}")
        stack.check_alive()
        await asyncio.sleep(0.3)


async def statuses(stack, sid: str, done: Callable[[list[CustomsApplicationStatus]], bool]):
    """``sid``'s statuses on the status topic, read until ``done`` says enough."""

    def mine(records) -> list[CustomsApplicationStatus]:
        return [
            CustomsApplicationStatus.model_validate_json(r.value)
            for r in records
            if r.key == sid.encode()
        ]

    records = await collect(
        stack.bootstrap_servers,
        [topics.CUSTOMS_APPLICATION_STATUS],
        lambda rs: done(mine(rs)),
        timeout=90,
    )
    stack.check_alive()
    found = mine(records)
    assert done(found), [(s.message, s.version) for s in found]
    return found


def reached(message: str) -> Callable[[list[CustomsApplicationStatus]], bool]:
    """A ``done`` for :func:`statuses`: some status was the result of ``message``."""
    return lambda found: any(s.message == message for s in found)


DOCUMENT = SupportingDocument(code="AKTA_PENDIRIAN", document_id="DOC-E2E-1", sha256="0" * 64)


async def command(stack, payload: TraderCommand) -> None:
    """Send one trader command, as the portal would."""
    await produce(
        stack.bootstrap_servers,
        topics.TRADER_COMMAND,
        [(payload.submission_id.encode(), payload.model_dump_json().encode(), [])],
    )
