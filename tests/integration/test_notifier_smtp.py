"""Decision emails over real SMTP (aiosmtpd on 127.0.0.1) with the real Redis ledger.

One email per decision id on redelivery and across notifier instances; an
SMTP outage is transient and, once the server is back, every email arrives
exactly once, also through the real Kafka consume policy.
"""

import asyncio
import uuid
from datetime import timedelta

import pytest
from aiosmtpd.controller import Controller
from redis.asyncio import Redis

from contracts import reasons as catalogue
from contracts.notification import NotificationRequested
from devstack.mailbox import MailboxHandler, read_mailbox
from devstack.net import LOOPBACK, free_port
from notifier.emails import DECISION_HEADER
from notifier.handlers import Notifier
from notifier.mailer import SmtpMailer
from notifier.store_redis import RedisActivationStore, RedisMailLedger
from notifier.tokens import Tokens
from runtime.consumer import Backoff
from runtime.errors import TransientFailure
from runtime.records import Inbound
from runtime.service import HubService
from runtime.settings import InfraSettings
from tests.kafka_io import produce
from tests.support import at_rest


class Smtp:
    """A real SMTP server that can be taken down and brought back on the same port."""

    def __init__(self, directory) -> None:
        self.port = free_port()
        self.directory = directory
        self._controller: Controller | None = None

    def up(self) -> None:
        self._controller = Controller(
            MailboxHandler(self.directory), hostname=LOOPBACK, port=self.port
        )
        self._controller.start()

    def down(self) -> None:
        if self._controller is not None:
            self._controller.stop()
            self._controller = None

    def mails(self):
        return read_mailbox(self.directory)


@pytest.fixture
def smtp(tmp_path):
    server = Smtp(tmp_path / "mailbox")
    yield server
    server.down()


@pytest.fixture
async def redis(redis_url):
    client = Redis.from_url(redis_url)
    yield client
    await client.aclose()


def notifier(redis, port: int) -> Notifier:
    tokens = Tokens(
        RedisActivationStore(redis, at_rest()),
        base_url="http://127.0.0.1:1",
        ttl=timedelta(hours=1),
    )
    return Notifier(
        RedisMailLedger(redis),
        tokens,
        SmtpMailer(LOOPBACK, port, timeout_seconds=5),
        sender="noreply@insw.go.id",
        lease=timedelta(seconds=30),
    )


def requests(count: int = 3) -> list[NotificationRequested]:
    run = uuid.uuid4().hex[:10]
    out = []
    for index in range(count):
        approved = index % 2 == 0
        out.append(
            NotificationRequested(
                decision_id=f"{run}-{index}",
                submission_id=f"SUB-{run}-{index}",
                outcome="APPROVED" if approved else "REJECTED",
                reasons=[] if approved else [catalogue.NIB_NOT_ACTIVE.at("organisation.nib")],
                username=uuid.uuid4().hex[:6].upper() if approved else None,
                applicant_name="Siti Rahma",
                email=f"siti.{run}.{index}@example.co.id",
                organisation_name="PT Contoh",
            )
        )
    return out


def records(batch: list[NotificationRequested]) -> list[Inbound]:
    return [
        Inbound("t", 0, i, r.submission_id.encode(), r.model_dump_json().encode())
        for i, r in enumerate(batch)
    ]


def by_decision(mails) -> dict[str, int]:
    counts: dict[str, int] = {}
    for mail in mails:
        counts[mail[DECISION_HEADER]] = counts.get(mail[DECISION_HEADER], 0) + 1
    return counts


async def test_r14_r15_emails_arrive_over_smtp_from_the_sender(smtp, redis):
    smtp.up()
    batch = requests()
    await notifier(redis, smtp.port).on_requests(records(batch))
    mails = smtp.mails()
    assert by_decision(mails) == {r.decision_id: 1 for r in batch}
    for mail in mails:
        assert mail["From"].addresses[0].addr_spec == "noreply@insw.go.id"
    approved = next(m for m in mails if m[DECISION_HEADER] == batch[0].decision_id)
    assert approved["To"].addresses[0].addr_spec == batch[0].email
    assert f"Username: {batch[0].username}" in approved.get_body(("plain",)).get_content()


async def test_redelivery_and_a_second_instance_send_nothing_twice(smtp, redis):
    smtp.up()
    batch = records(requests())
    first, second = notifier(redis, smtp.port), notifier(redis, smtp.port)
    await first.on_requests(batch)
    await first.on_requests(batch)
    await second.on_requests(batch + batch)
    assert sorted(by_decision(smtp.mails()).values()) == [1, 1, 1]


async def test_smtp_outage_then_recovery_no_loss_no_duplicate(smtp, redis):
    batch = records(requests())
    service = notifier(redis, smtp.port)
    with pytest.raises(TransientFailure):
        await service.on_requests(batch)  # nothing listens on the port yet
    smtp.up()
    await service.on_requests(batch)
    await service.on_requests(batch)
    assert sorted(by_decision(smtp.mails()).values()) == [1, 1, 1]


async def test_through_kafka_an_outage_backs_off_and_every_email_arrives_once(
    smtp, redis, unique_topic, topic_prefix
):
    batch = requests(4)
    await produce(
        InfraSettings().kafka_bootstrap_servers,
        unique_topic,
        [(r.submission_id.encode(), r.model_dump_json().encode(), []) for r in batch],
    )
    service = HubService(InfraSettings(), name=f"{topic_prefix}.notifier")
    service.subscribe(
        unique_topic,
        handler=notifier(redis, smtp.port).on_requests,
        description="test",
        backoff=Backoff(base_seconds=0.05, cap_seconds=0.3),
    )
    await service.start()
    try:
        await asyncio.sleep(2.0)  # SMTP is down: the batch is retried, nothing sent
        assert smtp.mails() == []
        smtp.up()
        # redeliver everything on top, as a replay would
        await produce(
            InfraSettings().kafka_bootstrap_servers,
            unique_topic,
            [(r.submission_id.encode(), r.model_dump_json().encode(), []) for r in batch],
        )
        for _ in range(100):
            if len(by_decision(smtp.mails())) == len(batch):
                break
            await asyncio.sleep(0.1)
        await asyncio.sleep(1.0)  # room for a duplicate to show up, if there were one
    finally:
        await service.stop()
    assert by_decision(smtp.mails()) == {r.decision_id: 1 for r in batch}
