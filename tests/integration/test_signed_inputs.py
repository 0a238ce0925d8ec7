"""Issue 11 on real Kafka and Redis: forged decision inputs refused, re-drives still proven,
the audit trail verified and its tampering named.

Each test runs the service's own subscription path (``HubService.subscribe``
with the channel's contract) on private topics, signs what a legitimate
participant would with the stack's keys (``Infrastructure.signing_keys``) and
forges the rest, then reads the dead-letter topic and the stores back.
"""

import argparse
import asyncio
import json
import uuid
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta

from aiokafka import AIOKafkaProducer, TopicPartition
from pydantic import SecretStr
from redis.asyncio import Redis

from contracts import channels, signers, topics
from contracts import headers as h
from contracts.agencies import DJP_NPWP, OSS_NIB
from contracts.customs import CustomsApplicationStatus
from contracts.notification import NotificationRequested
from contracts.trader_notification import TraderNotice, TraderNotificationRequested
from contracts.verification import Check, CheckOutcome, NibRecord, ResponsiblePerson
from customs.handler import Lifecycle
from customs.store_redis import RedisCustomsStore
from devstack.infra import Infrastructure
from devstack.kafka import create_topics_async
from gateway.handlers import Gateway
from gateway.rules.assess import request_id
from gateway.rules.decide import accepted_answers
from gateway.store_redis import RedisRegistrationStore
from hubctl import audit, dlq, replay
from hubctl.console import EXIT_FAILED, EXIT_OK, reader
from notifier.handlers import Notifier
from notifier.mailer import MemoryMailer
from notifier.store_redis import RedisActivationStore, RedisMailLedger
from notifier.tokens import Tokens
from notifier.trader_emails import NOTICE_HEADER
from notifier.trader_mail import TraderMail
from runtime.kafka_security import from_environment
from runtime.records import Inbound, Outbound
from runtime.service import HubService
from runtime.settings import InfraSettings
from runtime.signing import SigningKey
from runtime.typed import typed
from simulators.ceisa.documents import render
from simulators.ceisa.script import Application, Scenario, story
from tests.kafka_io import collect, produce
from tests.support import (
    IDENTIFIERS_ASKED,
    agency_answer,
    example_documents,
    submission_dict,
    submissions_of,
)

NIB = IDENTIFIERS_ASKED["NIB"]


def as_signer(infra: Infrastructure, signer: str) -> InfraSettings:
    """The settings of a process holding ``signer``'s key of this stack."""
    return InfraSettings(hub_signing_key=SecretStr(infra.signing_keys[signer].secret_text()))


def wire(record: Outbound) -> tuple[bytes | None, bytes, list[tuple[str, bytes]]]:
    return record.key, record.value or b"", [(n, v.encode()) for n, v in record.headers.items()]


def signed(key: SigningKey | None, record: Outbound) -> tuple[bytes | None, bytes, list]:
    return wire(key.sign(record) if key is not None else record)


def reason(letter) -> str:
    text: str = dict(letter.headers)[h.DLQ_EXCEPTION_MESSAGE].decode()
    return text


async def dead_letters(bootstrap: str, topic: str, count: int) -> list:
    dlq_topic = topics.dead_letter_topic(topic)
    found = await collect(bootstrap, [dlq_topic], lambda rs: len(rs) >= count, timeout=30)
    return sorted(found, key=lambda r: (r.timestamp, r.partition, r.offset))


async def until(check, timeout: float = 30.0) -> None:
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while not await check():
        assert loop.time() < deadline, "timed out"
        await asyncio.sleep(0.2)


async def test_a_forged_ceisa_acceptance_is_refused_signature_invalid(
    infrastructure, bootstrap_servers, redis_url, topic_prefix
):
    inbound, status_topic = f"{topic_prefix}.ceisa", f"{topic_prefix}.status"
    sid = f"SUB-{topic_prefix[-10:]}"
    steps = story(
        Scenario.ACCEPT, Application(f"REG-{sid}", sid, ("IMPORTIR",)), datetime.now(UTC).date()
    )
    entered, receipted, acceptance = (render(s, datetime.now(UTC)) for s in steps)

    def response(document: bytes) -> Outbound:
        return Outbound.of(channels.CEISA_RESPONSE, document, cause=None, correlation_id=sid)

    ceisa = infrastructure.signing_keys[signers.CEISA]
    gateway_key = infrastructure.signing_keys[signers.GATEWAY]
    redis = Redis.from_url(redis_url)
    service = HubService(
        as_signer(infrastructure, signers.CUSTOMS), name=f"{topic_prefix}.g", signer=signers.CUSTOMS
    )
    store = RedisCustomsStore(redis, prefix=topic_prefix)
    service.subscribe(
        inbound,
        channel=channels.CEISA_RESPONSE,
        handler=Lifecycle(store, status_topic=status_topic).on_responses,
        description="test",
    )
    await service.start()
    try:
        await produce(
            bootstrap_servers,
            inbound,
            [
                signed(ceisa, response(entered)),
                signed(ceisa, response(receipted)),
                signed(None, response(acceptance)),  # forged: no signature
                signed(gateway_key, response(acceptance)),  # forged: not CEISA's key
            ],
        )
        letters = await dead_letters(bootstrap_servers, inbound, 2)
        [record] = await store.load([sid])
        assert record is not None and record.app.stage.value == "RECEIPTED"  # not accepted
        await produce(bootstrap_servers, inbound, [signed(ceisa, response(acceptance))])
        found = await collect(
            bootstrap_servers,
            [status_topic],
            lambda rs: any(b"ACCEPTED" in (r.value or b"") for r in rs),
            timeout=30,
        )
    finally:
        await service.stop()
        await redis.aclose()
    assert [reason(x) for x in letters] == [
        "SIGNATURE_INVALID: no signature",
        "SIGNATURE_INVALID: signer gateway may not write this channel",
    ]
    stages = [CustomsApplicationStatus.model_validate_json(r.value).stage for r in found]
    assert stages[-1] == "ACCEPTED"  # CEISA's own acceptance, signed, is applied


async def test_the_account_takeover_notification_is_refused(
    infrastructure, bootstrap_servers, redis_url, topic_prefix
):
    inbound = f"{topic_prefix}.notify"
    username = uuid.uuid4().hex[:6].upper()
    redis = Redis.from_url(redis_url)
    store = RedisActivationStore(redis, infrastructure.at_rest())
    mailer = MemoryMailer()
    notifier = Notifier(
        RedisMailLedger(redis),
        Tokens(store, base_url="https://insw.example", ttl=timedelta(hours=1)),
        mailer,
        sender="noreply@insw.go.id",
        lease=timedelta(minutes=2),
    )

    def approval(decision: str, email: str) -> Outbound:
        request = NotificationRequested(
            decision_id=f"{topic_prefix}.{decision}",
            submission_id=f"SUB-{decision}",
            outcome="APPROVED",
            reasons=[],
            username=username,
            applicant_name="Budi Santoso",
            email=email,
            organisation_name="PT Contoh",
        )
        return Outbound.of(
            channels.NOTIFICATION_REQUESTED, request, cause=None, correlation_id=f"SUB-{decision}"
        )

    gateway_key = infrastructure.signing_keys[signers.GATEWAY]
    service = await started(f"{topic_prefix}.g", inbound, channels.NOTIFICATION_REQUESTED, notifier)
    try:
        await produce(
            bootstrap_servers, inbound, [signed(gateway_key, approval("d1", "budi@example.co.id"))]
        )
        await until(lambda: _sent(mailer))
        await produce(
            bootstrap_servers,
            inbound,
            [
                signed(None, approval("d2", "attacker@example.com")),  # anyone on the broker
                signed(gateway_key, approval("d3", "attacker@example.com")),  # even signed
            ],
        )
        letters = await dead_letters(bootstrap_servers, inbound, 2)
        account = await store.account(username)
    finally:
        await service.stop()
        await redis.aclose()
    by_key = {x.key: reason(x) for x in letters}
    assert by_key[b"SUB-d2"] == "SIGNATURE_INVALID: no signature"
    assert by_key[b"SUB-d3"].startswith(f"decision {topic_prefix}.d3: username {username}")
    assert "EMAIL_NOT_ON_FILE" in by_key[b"SUB-d3"] and "attacker" not in by_key[b"SUB-d3"]
    assert [m["To"] for m in mailer.sent] == ["budi@example.co.id"]
    assert account is not None and account.email == "budi@example.co.id"


async def test_a_forged_customs_email_request_is_refused_and_nothing_is_sent(
    infrastructure, bootstrap_servers, redis_url, topic_prefix
):
    """Issue 13: only the customs service may ask for a trader's email; not the gateway."""
    inbound, sid = f"{topic_prefix}.trader-notify", f"SUB-{topic_prefix[-10:]}"
    redis = Redis.from_url(redis_url)
    store = RedisActivationStore(redis, infrastructure.at_rest())
    tokens = Tokens(store, base_url="https://insw.example", ttl=timedelta(hours=1))
    await tokens.issue(uuid.uuid4().hex[:6].upper(), "budi@example.co.id", submission_id=sid)
    mailer = MemoryMailer()
    traders = TraderMail(
        RedisMailLedger(redis), store, mailer, sender="noreply@insw.go.id", lease=timedelta(1)
    )

    def revoked(notification_id: str) -> Outbound:
        request = TraderNotificationRequested(
            notification_id=f"{topic_prefix}.{notification_id}",
            submission_id=sid,
            notice=TraderNotice.REVOKED,
            rule="C12",
            on=datetime.now(UTC).date(),
            customs_id="NIK-0000000001",
        )
        return Outbound.of(
            channels.TRADER_NOTIFICATION_REQUESTED, request, cause=None, correlation_id=sid
        )

    trader_channel = channels.TRADER_NOTIFICATION_REQUESTED
    service = await started(f"{topic_prefix}.t", inbound, trader_channel, traders)
    try:
        await produce(
            bootstrap_servers,
            inbound,
            [
                signed(None, revoked("forged")),  # anyone on the broker
                signed(infrastructure.signing_keys[signers.GATEWAY], revoked("gateway")),
                signed(infrastructure.signing_keys[signers.CUSTOMS], revoked("genuine")),
            ],
        )
        letters = await dead_letters(bootstrap_servers, inbound, 2)
        await until(lambda: _sent(mailer))
        await asyncio.sleep(0.5)
    finally:
        await service.stop()
        await redis.aclose()
    assert [reason(x).split(":")[0] for x in letters] == ["SIGNATURE_INVALID"] * 2
    assert [m[NOTICE_HEADER] for m in mailer.sent] == [f"{topic_prefix}.genuine"]
    assert [m["To"] for m in mailer.sent] == ["budi@example.co.id"]


async def started(
    name: str, inbound: str, channel: channels.Channel, mail: Notifier | TraderMail
) -> HubService:
    """A service emailing what arrives on ``inbound`` under ``channel``'s contract (signers)."""
    service = HubService(InfraSettings(), name=name)
    service.subscribe(inbound, channel=channel, handler=mail.on_requests, description="test")
    await service.start()
    return service


async def _sent(mailer: MemoryMailer) -> bool:
    return bool(mailer.sent)


def nib_answer(sid: str, **overrides) -> object:
    fields = dict(
        submission_id=sid,
        check=Check.NIB,
        outcome=CheckOutcome.VERIFIED,
        nib_record=NibRecord(
            nib=NIB,
            company_name="PT Contoh Logistik",
            npwp="012345678901000",
            status="01",
            responsible_persons=[
                ResponsiblePerson(
                    identity_type="KTP", identity_number="3171011708850001", name="Budi Santoso"
                )
            ],
        ),
    )
    fields.update(overrides)
    return agency_answer(**fields)


def answer_record(answer, key: str | None = None) -> Outbound:
    sid = answer.submission_id
    return Outbound.of(
        channels.VERIFICATION_COMPLETED, answer, cause=None, correlation_id=sid, key=key or sid
    )


class GatewayUnderTest:
    """The gateway's answer subscription on a private topic, its store on the real Redis."""

    def __init__(self, infra: Infrastructure, redis: Redis, prefix: str) -> None:
        self.store = RedisRegistrationStore(redis, infra.at_rest())
        self.gateway = Gateway(self.store, example_documents())
        self.topic = f"{prefix}.answers"
        agencies = self.gateway.rulebook.agencies
        self.service = HubService(
            as_signer(infra, signers.GATEWAY), name=f"{prefix}.g", signer=signers.GATEWAY
        )
        self.service.subscribe(
            self.topic,
            channel=channels.VERIFICATION_COMPLETED,
            handler=typed(
                channels.VERIFICATION_COMPLETED, self.gateway.on_results, agencies.decode_answer
            ),
            signers=agencies.signers(),
            description="test",
        )

    async def open(self, sids: Sequence[str]) -> None:
        submissions = [
            Inbound(topics.REGISTRATION_SUBMITTED, 0, i, None, _json(sid))
            for i, sid in enumerate(sids)
        ]
        await submissions_of(self.gateway)(submissions)

    async def has_answer(self, sid: str, check: str) -> bool:
        [state] = await self.store.load([sid])
        return state is not None and check in state.answers(self.gateway.rulebook.agencies)


def _json(sid: str) -> bytes:
    return json.dumps(submission_dict(sid)).encode()


async def test_an_adapter_writing_another_agencys_answer_and_a_replayed_answer_are_refused(
    infrastructure, bootstrap_servers, redis_url, topic_prefix
):
    a, b = f"SUB-A-{topic_prefix[-10:]}", f"SUB-B-{topic_prefix[-10:]}"
    oss = infrastructure.signing_keys[OSS_NIB.signer]
    djp = infrastructure.signing_keys[DJP_NPWP.signer]
    redis = Redis.from_url(redis_url)
    under = GatewayUnderTest(infrastructure, redis, topic_prefix)
    await under.open([a, b])
    genuine_for_a = answer_record(nib_answer(a))
    moved_value = nib_answer(b, request_id=request_id(a, Check.NIB, NIB))
    await under.service.start()
    try:
        await produce(
            bootstrap_servers,
            under.topic,
            [
                signed(djp, genuine_for_a),  # DJP's adapter answering OSS's check
                # A's signed answer replayed for B: under B's key, then with B in the value
                _rekeyed(signed(oss, genuine_for_a), b),
                _revalued(signed(oss, genuine_for_a), answer_record(nib_answer(b))),
                # OSS signs an answer for B that echoes A's question: a stray, never counted
                signed(oss, answer_record(moved_value)),
                signed(oss, genuine_for_a),  # the real answer
            ],
        )
        letters = await dead_letters(bootstrap_servers, under.topic, 3)
        await until(lambda: under.has_answer(a, Check.NIB))
    finally:
        await under.service.stop()
    assert sorted((x.key, reason(x)) for x in letters) == [
        (a.encode(), "SIGNATURE_INVALID: signer adapter-djp-npwp does not answer check NIB"),
        (b.encode(), f"SIGNATURE_INVALID: signature by {oss.key_id} does not match the record"),
        (b.encode(), f"SIGNATURE_INVALID: signature by {oss.key_id} does not match the record"),
    ]
    # nothing A's answer said counts for B: the one that reached B's store echoes A's
    # question, which the rules never accept (answers tied to their questions)
    [state] = await under.store.load([b])
    assert state is not None
    stored = state.answers(under.gateway.rulebook.agencies)
    assert accepted_answers(state.assessment, stored) == {}
    assert under.gateway.strays == 1
    await redis.aclose()


def _rekeyed(record, key: str):
    _, value, headers = record
    return key.encode(), value, headers


def _revalued(record, other: Outbound):
    _, _, headers = record
    return other.key, other.value or b"", headers


async def test_a_re_driven_dead_letter_still_verifies(
    infrastructure, bootstrap_servers, redis_url, topic_prefix, capsys
):
    """An OSS answer before its application exists is dead-lettered; re-driven later it counts."""
    sid = f"SUB-R-{topic_prefix[-10:]}"
    oss = infrastructure.signing_keys[OSS_NIB.signer]
    redis = Redis.from_url(redis_url)
    under = GatewayUnderTest(infrastructure, redis, topic_prefix)
    await under.service.start()
    try:
        await produce(bootstrap_servers, under.topic, [signed(oss, answer_record(nib_answer(sid)))])
        [letter] = await dead_letters(bootstrap_servers, under.topic, 1)
        assert reason(letter) == f"no application waiting for submission {sid}"
        assert {h.SIGNATURE, h.SIGNER} <= {n for n, _ in letter.headers}
        await under.open([sid])
        status = await _hubctl(
            dlq, "dlq", "redrive", "--topic", topics.dead_letter_topic(under.topic), "--all"
        )
        assert status == EXIT_OK
        await until(lambda: under.has_answer(sid, Check.NIB))
    finally:
        await under.service.stop()
        await redis.aclose()
    again = await collect(
        bootstrap_servers, [topics.dead_letter_topic(under.topic)], lambda rs: False, timeout=2
    )
    assert len(again) == 1  # the re-driven record verified: no second dead letter


async def _hubctl(module, *argv: str) -> int:
    root = argparse.ArgumentParser(prog="hubctl")
    module.register(root.add_subparsers(dest="concern", required=True))
    args = root.parse_args(list(argv))
    status: int = await asyncio.to_thread(args.run, args)
    return status


async def test_audit_verify_passes_on_a_runs_log_and_names_the_record_one_changed_byte_breaks(
    infrastructure, bootstrap_servers, redis_url, topic_prefix, capsys
):
    started = datetime.now(UTC) - timedelta(seconds=1)
    sid = f"SUB-V-{topic_prefix[-10:]}"
    redis = Redis.from_url(redis_url)
    under = GatewayUnderTest(infrastructure, redis, topic_prefix)
    await under.open([sid])
    keys = infrastructure.signing_keys
    answers = [
        signed(keys[OSS_NIB.signer], answer_record(nib_answer(sid))),
        signed(
            keys[DJP_NPWP.signer],
            answer_record(
                agency_answer(submission_id=sid, check=Check.NPWP, outcome=CheckOutcome.NOT_FOUND)
            ),
        ),
        signed(
            keys["adapter-dukcapil"],
            answer_record(
                agency_answer(submission_id=sid, check=Check.NIK, outcome=CheckOutcome.VERIFIED)
            ),
        ),
    ]
    await under.service.start()
    try:
        await produce(bootstrap_servers, under.topic, answers)
        found = await collect(
            bootstrap_servers,
            [topics.AUDIT],
            lambda rs: any(
                b'"kind":"DECISION"' in (r.value or b"") and sid.encode() in (r.value or b"")
                for r in rs
            ),
            timeout=30,
        )
    finally:
        await under.service.stop()
        await redis.aclose()
    ours = [r for r in found if sid.encode() in (r.value or b"")]
    assert len(ours) == 4  # three answers accepted, one decision
    namespace = f"audit-{uuid.uuid4().hex[:8]}"
    copied = await _hubctl(
        replay,
        "replay",
        "sandbox",
        "--topic",
        topics.AUDIT,
        "--namespace",
        namespace,
        "--from-time",
        started.isoformat(),
    )
    assert copied == EXIT_OK
    capsys.readouterr()
    assert await _hubctl(audit, "audit", "verify", "--sandbox", namespace) == EXIT_OK
    assert "unaltered" in capsys.readouterr().out

    tampered = f"{namespace}-x"
    partition, offset = await _copy_with_one_byte_changed(
        bootstrap_servers,
        f"sandbox.{namespace}.{topics.AUDIT}",
        f"sandbox.{tampered}.{topics.AUDIT}",
        victim=sid.encode(),
    )
    assert await _hubctl(audit, "audit", "verify", "--sandbox", tampered) == EXIT_FAILED
    out = capsys.readouterr().out
    assert (
        f"BROKEN sandbox.{tampered}.{topics.AUDIT}/{partition}/{offset}: SIGNATURE_INVALID" in out
    )


async def _copy_with_one_byte_changed(
    bootstrap: str, source: str, target: str, *, victim: bytes
) -> tuple[int, int]:
    """Copy ``source`` to ``target`` partition by partition, one byte of one entry changed.

    The changed entry is the last one about ``victim`` (its decision); returns
    where it lands in ``target``.
    """
    async with reader(bootstrap) as consumer:
        partitions = consumer.partitions_for_topic(source) or set()
        if not partitions:
            await consumer._client.force_metadata_update()
            partitions = consumer.partitions_for_topic(source) or set()
        records = []
        for p in sorted(partitions):
            tp = TopicPartition(source, p)
            consumer.assign([tp])
            consumer.seek(tp, 0)
            end = (await consumer.end_offsets([tp]))[tp]
            while await consumer.position(tp) < end:
                for batch in (await consumer.getmany(tp, timeout_ms=1000)).values():
                    records.extend(batch)
    await create_topics_async(bootstrap, [target], partitions=len(partitions))
    chosen = max((r for r in records if victim in (r.value or b"")), key=lambda r: r.offset)
    producer = AIOKafkaProducer(bootstrap_servers=bootstrap, acks="all", **from_environment())
    await producer.start()
    landed: tuple[int, int] = (-1, -1)
    try:
        for record in sorted(records, key=lambda r: (r.partition, r.offset)):
            value = record.value or b""
            if record is chosen:
                at = value.index(victim)
                value = value[:at] + b"X" + value[at + 1 :]  # one byte: S -> X
            meta = await producer.send_and_wait(
                target,
                value,
                key=record.key,
                partition=record.partition,
                headers=list(record.headers),
            )
            if record is chosen:
                landed = (meta.partition, meta.offset)
    finally:
        await producer.stop()
    return landed
