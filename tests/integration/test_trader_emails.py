"""Issue 13 on real Kafka and Redis: an additional-documents request answered LATE.

The in-time answer runs end to end against the CEISA simulator
(``tests/e2e/test_customs_lifecycle.py``); a late one needs the lifecycle's
clock to move past the C6 period (7 working days, Art. 17), so here the
customs lifecycle, its trader desk and deadline watch run in-process with a
controlled clock, and the notifier's trader mail with the real Redis stores.
Records travel on real topics: the requests for the trader's emails are
signed by the customs service's key and verified by the notifier's
subscription, as in production.

The story: proof of entry -> TTP-RK -> additional documents requested ->
the C6 deadline approaches and passes (both emailed) -> the trader answers
anyway (the hub forwards it: C6 lets customs decide on the data it has) ->
customs rejects. Each step's email, in both languages, with its due date.
"""

import asyncio
from datetime import UTC, date, datetime, time, timedelta

from pydantic import SecretStr
from redis.asyncio import Redis

from contracts import signers, topics
from contracts.customs import (
    AnswerAdditionalDocuments,
    CustomsApplicationStatus,
    SupportingDocument,
)
from customs.commands import TraderDesk
from customs.deadlines import JAKARTA
from customs.handler import Lifecycle
from customs.store_redis import RedisCustomsStore
from customs.watch import DeadlineWatch
from customs.workdays import add_working_days
from notifier.mailer import MemoryMailer
from notifier.store_redis import RedisActivationStore, RedisMailLedger
from notifier.tokens import Tokens
from notifier.trader_emails import NOTICE_HEADER, day
from notifier.trader_mail import TraderMail
from runtime.service import HubService
from runtime.settings import InfraSettings
from simulators.ceisa.documents import render
from simulators.ceisa.script import Application, Scenario, story
from tests.kafka_io import collect, produce
from tests.support import at_rest

START = date(2026, 3, 19)
NOW = datetime(2026, 3, 19, 3, 0, tzinfo=UTC)
EMAIL = "pt.contoh.late@example.co.id"


def settings(infrastructure, signer: str) -> InfraSettings:
    key = infrastructure.signing_keys[signer].secret_text()
    return InfraSettings(hub_signing_key=SecretStr(key))


async def wait_for(mailer: MemoryMailer, count: int, timeout: float = 60.0) -> list:
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while True:
        mine = [m for m in mailer.sent if m[NOTICE_HEADER] and m["To"] == EMAIL]
        if len(mine) >= count or loop.time() > deadline:
            return mine
        await asyncio.sleep(0.2)


def text(mail) -> tuple[str, str]:
    body = str(mail.get_body(("plain",)).get_content())
    english = str(mail["Subject"]).split(" / ", 1)[1].rsplit(" (", 1)[0]
    indonesian, separator, rest = body.partition(f"\n\n{english}.\n\n")
    assert separator, body
    return indonesian, rest


async def test_documents_answered_late_warn_twice_then_customs_decides_on_what_it_has(
    infrastructure, bootstrap_servers, redis_url, topic_prefix
):
    sid = f"SUB-LATE-{topic_prefix[-10:]}"
    app = Application(f"REG-{sid}", sid, ("IMPORTIR",))
    entry, ttp_rk, request, _acceptance = story(Scenario.ADDITIONAL_DOCUMENTS, app, START)
    rejection = story(Scenario.REJECT, app, START)[-1]  # customs decides on what it has
    c6_due = add_working_days(request.on, 7)
    clock = [NOW]

    redis = Redis.from_url(redis_url)
    store = RedisCustomsStore(redis, prefix=topic_prefix)
    inbound, commands = f"{topic_prefix}.ceisa", f"{topic_prefix}.commands"
    status_topic, deadline_topic = f"{topic_prefix}.status", f"{topic_prefix}.deadline"
    customs = HubService(
        settings(infrastructure, signers.CUSTOMS),
        name=f"{topic_prefix}.customs",
        signer=signers.CUSTOMS,
    )
    customs.subscribe(
        inbound,
        handler=Lifecycle(store, status_topic=status_topic, clock=lambda: clock[0]).on_responses,
        description="test",
    )
    customs.subscribe(
        commands,
        handler=TraderDesk(store, status_topic=status_topic, clock=lambda: clock[0]).handler(),
        description="test",
    )
    watch = DeadlineWatch(store, customs.publish, topic=deadline_topic, clock=lambda: clock[0])

    accounts = RedisActivationStore(redis, at_rest())
    tokens = Tokens(accounts, base_url="https://insw.example", ttl=timedelta(hours=24))
    await tokens.issue("A13B7E", EMAIL, submission_id=sid)  # what the approval email did
    mailer = MemoryMailer()
    notifier = HubService(
        settings(infrastructure, signers.NOTIFIER),
        name=f"{topic_prefix}.notifier",
        signer=signers.NOTIFIER,
    )
    trader_mail = TraderMail(
        RedisMailLedger(redis), accounts, mailer, sender="noreply@insw.go.id", lease=timedelta(1)
    )
    notifier.subscribe(
        topics.TRADER_NOTIFICATION_REQUESTED,
        handler=trader_mail.on_requests,
        description="test",
    )

    async def ceisa(*steps) -> None:
        documents = [render(step, NOW) for step in steps]
        await produce(bootstrap_servers, inbound, [(sid.encode(), d, []) for d in documents])

    async def statuses(version: int) -> list[CustomsApplicationStatus]:
        records = await collect(
            bootstrap_servers,
            [status_topic],
            lambda rs: any(
                CustomsApplicationStatus.model_validate_json(r.value).version >= version for r in rs
            ),
            timeout=30,
        )
        return [CustomsApplicationStatus.model_validate_json(r.value) for r in records]

    await customs.start()
    await notifier.start()
    try:
        await ceisa(entry, ttp_rk, request, request)  # the request redelivered: one email
        requested = (await statuses(3))[-1]
        assert requested.stage == "DOCUMENTS_REQUESTED" and requested.deadlines["C6"] == c6_due
        assert len(await wait_for(mailer, 3)) == 3

        # The C6 period runs out: the day after its last day, in Jakarta.
        clock[0] = datetime.combine(c6_due + timedelta(days=1), time(9), JAKARTA)
        assert await watch.run_once() >= 2  # C6 approaching and passed (customs.deadline.v1)
        assert await watch.run_once() == 0  # each once
        assert len(await wait_for(mailer, 5)) == 5

        late = AnswerAdditionalDocuments(
            command_id="late-answer",
            submission_id=sid,
            documents=[SupportingDocument(code="NPWP", document_id="DOC-LATE", sha256="1" * 64)],
        )
        await produce(
            bootstrap_servers, commands, [(sid.encode(), late.model_dump_json().encode(), [])]
        )
        answered = (await statuses(4))[-1]
        assert answered.stage == "RECEIPTED" and "C6" not in answered.deadlines
        await ceisa(rejection)
        final = (await statuses(5))[-1]
        assert final.stage == "REJECTED" and [r.code for r in final.reasons] == [
            "ADDRESS_NOT_VERIFIED"
        ]
        mails = await wait_for(mailer, 6)
        await asyncio.sleep(1.0)  # nothing more may come
        mails = await wait_for(mailer, 7, timeout=0)
    finally:
        await notifier.stop()
        await customs.stop()
        await redis.aclose()

    titles = [str(m["Subject"]).split(" / ", 1)[1].rsplit(" (", 1)[0] for m in mails]
    assert sorted(titles) == sorted(
        [
            "Proof of entry of your customs registration",
            "Customs registration receipt (TTP-RK)",
            "Additional documents requested",
            "Deadline approaching",
            "Deadline passed",
            "Customs registration rejected",
        ]
    )
    by_title = dict(zip(titles, mails, strict=True))
    for title in ("Additional documents requested", "Deadline approaching", "Deadline passed"):
        indonesian, english = text(by_title[title])
        assert f"Batas waktu (C6): dokumen tambahan harus diterima paling lambat {day(c6_due)}" in (
            indonesian
        ), title
        assert f"Deadline (C6): the additional documents must arrive by {day(c6_due)}" in (
            english
        ), title
    indonesian, english = text(by_title["Deadline passed"])
    assert "Batas waktu telah lewat" in indonesian and "has passed" in english
    indonesian, english = text(by_title["Customs registration rejected"])
    assert "1. ADDRESS_NOT_VERIFIED:" in indonesian and "1. ADDRESS_NOT_VERIFIED:" in english
    assert {str(m[NOTICE_HEADER]) for m in mails} >= {
        request.message_id,
        f"{sid}|C6|{c6_due.isoformat()}|APPROACHING",
        f"{sid}|C6|{c6_due.isoformat()}|PASSED",
    }
