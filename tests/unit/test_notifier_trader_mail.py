"""Issue 13: the trader's customs emails, over fakes: bilingual, to the email on file, once."""

from datetime import UTC, date, datetime, timedelta

import pytest

from contracts import topics
from contracts.customs import CustomsReason
from contracts.notification import NotificationRequested
from contracts.trader_notification import TraderNotice, TraderNotificationRequested
from notifier.handlers import Notifier
from notifier.mailer import MemoryMailer
from notifier.store_memory import MemoryActivationStore, MemoryMailLedger
from notifier.tokens import Tokens
from notifier.trader_emails import NOTICE_HEADER, trader_email
from notifier.trader_mail import NoAccountYet, TraderMail
from runtime.errors import PoisonMessage, TransientFailure
from runtime.records import Inbound

SID = "SUB-13"
EMAIL = "budi@example.co.id"


def notice(kind=TraderNotice.ENTRY_PROVED, notification_id="CEISA-POE-1", **fields):
    values = dict(
        notification_id=notification_id,
        submission_id=SID,
        notice=kind,
        rule="C2",
        on=date(2026, 3, 19),
        activities=["EKSPORTIR", "IMPORTIR"],
        due_rule="C3",
        due_on=date(2026, 4, 6),
    )
    values.update(fields)
    return TraderNotificationRequested.model_validate(values)


def inbound(request: TraderNotificationRequested, offset=0) -> Inbound:
    value = request.model_dump_json().encode()
    return Inbound(topics.TRADER_NOTIFICATION_REQUESTED, 0, offset, SID.encode(), value)


class World:
    def __init__(self) -> None:
        self.ledger = MemoryMailLedger()
        self.store = MemoryActivationStore()
        self.mailer = MemoryMailer()
        clock = lambda: datetime(2026, 3, 19, 3, tzinfo=UTC)  # noqa: E731
        self.tokens = Tokens(self.store, base_url="https://insw.example", ttl=timedelta(hours=24))
        self.approvals = Notifier(
            self.ledger,
            self.tokens,
            self.mailer,
            sender="noreply@insw.go.id",
            lease=timedelta(minutes=2),
            clock=clock,
        )
        self.traders = TraderMail(
            self.ledger,
            self.store,
            self.mailer,
            sender="noreply@insw.go.id",
            lease=timedelta(minutes=2),
            clock=clock,
        )

    async def approve(self) -> None:
        approval = NotificationRequested(
            decision_id="d-13",
            submission_id=SID,
            outcome="APPROVED",
            username="4C7ADA",
            applicant_name="Budi Santoso",
            email=EMAIL,
        )
        value = approval.model_dump_json().encode()
        record = Inbound(topics.NOTIFICATION_REQUESTED, 0, 0, SID.encode(), value)
        assert not (await self.approvals.on_requests([record])).dead

    def customs_mails(self):
        return [m for m in self.mailer.sent if m[NOTICE_HEADER]]


@pytest.fixture
def world():
    return World()


async def test_a_customs_event_is_emailed_once_in_both_languages_with_its_due_date(world):
    await world.approve()
    first = await world.traders.on_requests([inbound(notice())])
    again = await world.traders.on_requests([inbound(notice(), 1), inbound(notice(), 2)])
    assert not first.dead and not again.dead
    [mail] = world.customs_mails()
    assert mail["To"] == EMAIL and mail[NOTICE_HEADER] == "CEISA-POE-1"
    subject = mail["Subject"]
    assert "Bukti penerimaan" in subject and "Proof of entry" in subject and SID in subject
    body = mail.get_body(("plain",)).get_content()
    assert "paling lambat 06-04-2026" in body and "by 06-04-2026" in body
    assert "Yth. pengguna 4C7ADA" in body and "Dear user 4C7ADA" in body
    assert "Kegiatan: EKSPORTIR, IMPORTIR" in body and "Activities: EKSPORTIR, IMPORTIR" in body
    html = mail.get_body(("html",)).get_content()
    assert "06-04-2026" in html


async def test_a_request_before_the_approval_email_is_retried_not_lost_nor_poison(world):
    result = await world.traders.on_requests([inbound(notice())])
    [(_, error)] = result.dead
    assert isinstance(error, NoAccountYet) and not isinstance(error, PoisonMessage)
    assert "@" not in str(error) and SID in str(error)
    assert not world.customs_mails()
    await world.approve()
    assert not (await world.traders.on_requests([inbound(notice())])).dead
    assert len(world.customs_mails()) == 1


async def test_the_email_goes_to_the_address_on_file_after_an_operators_change(world):
    await world.approve()
    assert await world.store.change_email("4C7ADA", "budi.baru@example.co.id")
    await world.traders.on_requests([inbound(notice())])
    [mail] = world.customs_mails()
    assert mail["To"] == "budi.baru@example.co.id"


async def test_a_customs_id_equal_to_a_decision_id_never_suppresses_the_decision_email(world):
    await world.traders.on_requests([inbound(notice(notification_id="d-13"))])  # no account
    await world.approve()
    assert len(world.mailer.sent) == 1  # the approval, keyed apart from customs events
    await world.traders.on_requests([inbound(notice(notification_id="d-13"))])
    assert len(world.mailer.sent) == 2


async def test_smtp_outage_is_transient_and_the_retry_sends_exactly_once(world):
    await world.approve()
    world.mailer.down = True
    with pytest.raises(TransientFailure):
        await world.traders.on_requests([inbound(notice())])
    world.mailer.down = False
    await world.traders.on_requests([inbound(notice())])
    await world.traders.on_requests([inbound(notice())])
    assert len(world.customs_mails()) == 1


@pytest.mark.parametrize(
    ("kind", "fields", "indonesian", "english"),
    [
        (TraderNotice.TTP_RK_ISSUED, {"due_rule": "C7"}, "TTP-RK", "TTP-RK"),
        (TraderNotice.DOCUMENTS_REQUESTED, {"due_rule": "C6"}, "dokumen tambahan", "additional"),
        (
            TraderNotice.ACCEPTED,
            {"customs_id": "NIK-0000000042", "due_on": None},
            "Nomor identitas kepabeanan Anda: NIK-0000000042",
            "Your customs identity number: NIK-0000000042",
        ),
        (TraderNotice.REJECTED, {"due_on": None}, "ditolak", "rejected"),
        (TraderNotice.RETURNED, {"due_on": None}, "dikembalikan", "returned"),
        (TraderNotice.BLOCKED, {"activities": ["EKSPORTIR"]}, "memblokir", "blocked"),
        (TraderNotice.UNBLOCKED, {"due_on": None}, "membuka blokir", "lifted"),
        (TraderNotice.UNBLOCK_REFUSED, {"due_on": None}, "menolak permohonan", "refused"),
        (TraderNotice.REVOKED, {"due_on": None}, "mencabut", "revoked"),
        (TraderNotice.CHANGE_RECEIPTED, {"due_rule": "C10/documents"}, "menerima", "received"),
        (TraderNotice.CHANGE_APPROVED, {"due_on": None}, "menyetujui", "approved"),
        (TraderNotice.CHANGE_REJECTED, {"due_rule": "C10/reapply"}, "menolak", "rejected"),
        (TraderNotice.SITE_CHECK_RECORDED, {"due_rule": "C15/notice"}, "pemeriksaan", "site"),
        (TraderNotice.DEADLINE_APPROACHING, {}, "segera berakhir", "approaching"),
        (TraderNotice.DEADLINE_PASSED, {}, "telah lewat", "has passed"),
    ],
)
def test_every_notice_has_its_own_bilingual_text(kind, fields, indonesian, english):
    reasons = [CustomsReason(code="ADDRESS_NOT_VERIFIED", text="Not verified.", legal_basis="X")]
    request = notice(kind, reasons=reasons, **fields)
    mail = trader_email(
        request,
        sender="noreply@insw.go.id",
        to=EMAIL,
        username="4C7ADA",
        sent_at=datetime(2026, 3, 19, tzinfo=UTC),
    )
    plain = mail.get_body(("plain",))
    assert plain is not None
    body = plain.get_content()
    ind, eng = body.split("Dear user", 1)
    assert indonesian in ind and english in eng
    assert "1. ADDRESS_NOT_VERIFIED: Not verified. (X)" in ind
    assert "1. ADDRESS_NOT_VERIFIED: Not verified. (X)" in eng
    if request.due_on is not None:
        assert "paling lambat 06-04-2026" in ind and "by 06-04-2026" in eng
    else:
        assert "06-04-2026" not in body
    assert " / " in mail["Subject"]
