"""``hubctl replay`` against the real broker the test session started.

Each test makes its own topics and groups (``topic_prefix``), drives the
command line the way an integrator would, and checks Kafka afterwards with
plain aiokafka clients, not with the code under test.
"""

import argparse
import asyncio
import json
import uuid
from datetime import UTC, datetime, timedelta

from aiokafka import AIOKafkaConsumer, AIOKafkaProducer, TopicPartition
from aiokafka.admin import AIOKafkaAdminClient

from contracts import headers as h
from contracts import topics
from contracts.decision import Outcome
from devstack.kafka import create_topics_async
from devstack.paths import REPO_ROOT
from gateway.rules import RULES_VERSION
from hubctl import replay
from hubctl.console import EXIT_OK, EXIT_REFUSED
from hubctl.history import read_history
from hubctl.replay_sandbox import REPLAYED_FROM
from hubctl.whatif import OFFICER_DECIDED, Status, what_if
from runtime.kafka_security import from_environment
from simulators.dataset import WORLD
from tests.kafka_io import collect, committed_reader, produce
from tests.support import submission_dict
from tests.unit.test_whatif import recorded, verified_answers

BUNDLE = REPO_ROOT / "history" / "registrations-2026-11.jsonl.gz"
T0 = 1_795_132_800_000  # 2026-11-20T00:00:00Z
MINUTE = 60_000


async def hubctl(*argv: str) -> int:
    """Run ``hubctl replay ...`` as the command line would, in a thread (it owns its loop)."""
    root = argparse.ArgumentParser(prog="hubctl")
    replay.register(root.add_subparsers(dest="concern", required=True))
    args = root.parse_args(["replay", *argv])
    status: int = await asyncio.to_thread(args.run, args)
    return status


async def produce_at(bootstrap, topic, records):
    """``(partition, key, value, timestamp_ms)`` records, acknowledged."""
    producer = AIOKafkaProducer(bootstrap_servers=bootstrap, acks="all", **from_environment())
    await producer.start()
    try:
        for partition, key, value, when in records:
            await producer.send_and_wait(
                topic,
                value,
                key=key,
                partition=partition,
                timestamp_ms=when,
                headers=[(h.MESSAGE_ID, f"m-{partition}-{key.decode()}".encode())],
            )
    finally:
        await producer.stop()


async def consume_and_commit(bootstrap, topic, group, expected):
    """Be the group's only member, read ``expected`` records, commit, leave."""
    consumer = AIOKafkaConsumer(
        topic, bootstrap_servers=bootstrap, group_id=group, auto_offset_reset="earliest",
        enable_auto_commit=False, **from_environment(),
    )  # fmt: skip
    await consumer.start()
    try:
        seen = 0
        while seen < expected:
            for records in (await consumer.getmany(timeout_ms=500)).values():
                seen += len(records)
        await consumer.commit()
    finally:
        await consumer.stop()


async def committed(bootstrap, group, topic, partitions):
    admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap, **from_environment())
    await admin.start()
    try:
        tps = [TopicPartition(topic, p) for p in range(partitions)]
        found = await admin.list_consumer_group_offsets(group, partitions=tps)
        return {tp.partition: meta.offset for tp, meta in found.items()}
    finally:
        await admin.close()


async def read_partitions(bootstrap, topic, partitions):
    """Every record of ``topic`` by partition, in offset order."""
    async with committed_reader(bootstrap) as consumer:
        tps = [TopicPartition(topic, p) for p in range(partitions)]
        consumer.assign(tps)
        await consumer.seek_to_beginning(*tps)
        end = await consumer.end_offsets(tps)
        found: dict[int, list] = {p: [] for p in range(partitions)}
        while [tp for tp in tps if await consumer.position(tp) < end[tp]]:
            for tp, records in (await consumer.getmany(timeout_ms=500)).items():
                found[tp.partition].extend(records)
        return found


async def ten_per_partition(bootstrap, topic):
    """Two partitions, ten records each, one minute apart from T0."""
    await create_topics_async(bootstrap, [topic], partitions=2)
    await produce_at(
        bootstrap,
        topic,
        [
            (p, f"k{p}-{i}".encode(), f"v{p}-{i}".encode(), T0 + i * MINUTE)
            for p in range(2)
            for i in range(10)
        ],
    )


# --- consumer groups ------------------------------------------------------------


async def test_re_driving_a_stopped_group_to_earliest_commits_the_first_offsets(
    bootstrap_servers, topic_prefix, capsys
):
    topic, group = f"{topic_prefix}.src", f"{topic_prefix}.group"
    await ten_per_partition(bootstrap_servers, topic)
    await consume_and_commit(bootstrap_servers, topic, group, 20)
    assert await committed(bootstrap_servers, group, topic, 2) == {0: 10, 1: 10}

    assert await hubctl("group", group, "--topic", topic, "--to-earliest", "--dry-run") == EXIT_OK
    assert await committed(bootstrap_servers, group, topic, 2) == {0: 10, 1: 10}

    assert await hubctl("group", group, "--topic", topic, "--to-earliest") == EXIT_OK

    assert await committed(bootstrap_servers, group, topic, 2) == {0: 0, 1: 0}
    printed = capsys.readouterr().out
    assert printed.count("re-reads 10") == 4  # dry run and real run, two partitions each
    assert "20 to re-read" in printed


async def test_re_driving_to_a_timestamp_commits_the_first_offset_at_or_after_it(
    bootstrap_servers, topic_prefix
):
    topic, group = f"{topic_prefix}.src", f"{topic_prefix}.group"
    await ten_per_partition(bootstrap_servers, topic)
    await consume_and_commit(bootstrap_servers, topic, group, 20)

    when = "2026-11-20T07:03:30+07:00"  # T0 + 3.5 minutes: the record at minute 4
    status = await hubctl(
        "group", group, "--topic", topic, "--to-timestamp", when, "--partition", "1"
    )

    assert status == EXIT_OK
    assert await committed(bootstrap_servers, group, topic, 2) == {0: 10, 1: 4}


async def test_a_timestamp_after_every_record_and_an_offset_past_the_end_give_the_end(
    bootstrap_servers, topic_prefix
):
    topic, group = f"{topic_prefix}.src", f"{topic_prefix}.group"
    await ten_per_partition(bootstrap_servers, topic)
    await consume_and_commit(bootstrap_servers, topic, group, 20)
    assert await hubctl("group", group, "--topic", topic, "--to-offset", "2") == EXIT_OK
    assert await committed(bootstrap_servers, group, topic, 2) == {0: 2, 1: 2}

    later = "2027-01-01T00:00:00Z"
    assert await hubctl("group", group, "--topic", topic, "--to-timestamp", later) == EXIT_OK
    assert await committed(bootstrap_servers, group, topic, 2) == {0: 10, 1: 10}

    assert await hubctl("group", group, "--topic", topic, "--to-offset", "2") == EXIT_OK
    assert await hubctl("group", group, "--topic", topic, "--to-offset", "999") == EXIT_OK
    assert await committed(bootstrap_servers, group, topic, 2) == {0: 10, 1: 10}


async def test_a_group_with_an_active_member_is_refused_and_keeps_its_offsets(
    bootstrap_servers, topic_prefix, capsys
):
    topic, group = f"{topic_prefix}.src", f"{topic_prefix}.group"
    await ten_per_partition(bootstrap_servers, topic)
    await consume_and_commit(bootstrap_servers, topic, group, 20)
    member = AIOKafkaConsumer(
        topic, bootstrap_servers=bootstrap_servers, group_id=group, **from_environment()
    )
    await member.start()
    try:
        deadline = asyncio.get_running_loop().time() + 30
        while not member.assignment():
            assert asyncio.get_running_loop().time() < deadline, "member never joined"
            await member.getmany(timeout_ms=200)

        status = await hubctl("group", group, "--topic", topic, "--to-earliest")

        assert status == EXIT_REFUSED
        error = capsys.readouterr().err
        assert f"consumer group {group} is Stable with 1 member(s)" in error
    finally:
        await member.stop()
    assert await committed(bootstrap_servers, group, topic, 2) == {0: 10, 1: 10}


async def test_a_missing_topic_is_refused_and_not_created(bootstrap_servers, topic_prefix, capsys):
    topic = f"{topic_prefix}.nope"
    assert await hubctl("group", f"{topic_prefix}.g", "--topic", topic, "--to-earliest") == 2
    assert f"topic {topic} does not exist" in capsys.readouterr().err
    admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap_servers, **from_environment())
    await admin.start()
    try:
        assert topic not in await admin.list_topics()
    finally:
        await admin.close()


# --- sandbox copies -------------------------------------------------------------


async def test_a_sandbox_copy_takes_exactly_the_range_with_headers_and_leaves_the_source(
    bootstrap_servers, topic_prefix
):
    source = f"{topic_prefix}.src"
    await ten_per_partition(bootstrap_servers, source)
    before = await read_partitions(bootstrap_servers, source, 2)
    namespace = uuid.uuid4().hex[:12]

    status = await hubctl(
        "sandbox", "--topic", source, "--namespace", namespace,
        "--from-offset", "2", "--to-offset", "6",
    )  # fmt: skip

    assert status == EXIT_OK
    copies = await read_partitions(bootstrap_servers, f"sandbox.{namespace}.{source}", 2)
    for partition in range(2):
        originals = [r for r in before[partition] if 2 <= r.offset < 6]
        assert [(c.key, c.value) for c in copies[partition]] == [
            (r.key, r.value) for r in originals
        ]
        for copy, original in zip(copies[partition], originals, strict=True):
            assert copy.headers == (
                *original.headers,
                (REPLAYED_FROM, f"{source}/{partition}/{original.offset}".encode()),
            )
    after = await read_partitions(bootstrap_servers, source, 2)
    assert {p: [(r.offset, r.key, r.value) for r in rs] for p, rs in after.items()} == {
        p: [(r.offset, r.key, r.value) for r in rs] for p, rs in before.items()
    }


async def test_a_sandbox_copy_by_time_skips_aborted_transactions(bootstrap_servers, topic_prefix):
    source = f"{topic_prefix}.src"
    await create_topics_async(bootstrap_servers, [source], partitions=1)
    producer = AIOKafkaProducer(
        bootstrap_servers=bootstrap_servers,
        transactional_id=f"{topic_prefix}.tx",
        **from_environment(),
    )
    await producer.start()
    start = datetime.now(UTC) - timedelta(seconds=1)
    try:
        for value in (b"kept-1", b"aborted", b"kept-2", b"after"):
            if value == b"after":
                await asyncio.sleep(0.05)
                cut = datetime.now(UTC)
                await asyncio.sleep(0.05)
            try:
                async with producer.transaction():
                    await producer.send_and_wait(source, value, key=b"k", partition=0)
                    if value == b"aborted":
                        raise RuntimeError("abort this one")
            except RuntimeError:
                pass
    finally:
        await producer.stop()
    namespace = uuid.uuid4().hex[:12]

    status = await hubctl(
        "sandbox", "--topic", source, "--namespace", namespace,
        "--from-time", start.isoformat(), "--to-time", cut.isoformat(),
    )  # fmt: skip

    assert status == EXIT_OK
    copies = await read_partitions(bootstrap_servers, f"sandbox.{namespace}.{source}", 1)
    assert [c.value for c in copies[0]] == [b"kept-1", b"kept-2"]


async def test_a_dry_run_creates_no_sandbox_topic(bootstrap_servers, topic_prefix):
    source = f"{topic_prefix}.src"
    await ten_per_partition(bootstrap_servers, source)
    namespace = uuid.uuid4().hex[:12]

    status = await hubctl(
        "sandbox", "--topic", source, "--namespace", namespace, "--to-offset", "3", "--dry-run"
    )

    assert status == EXIT_OK
    admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap_servers, **from_environment())
    await admin.start()
    try:
        assert f"sandbox.{namespace}.{source}" not in await admin.list_topics()
    finally:
        await admin.close()


# --- history and what-if ----------------------------------------------------------


async def test_what_if_over_the_bundled_history_finds_no_change(capsys):
    assert await hubctl("what-if", "--history", str(BUNDLE)) == EXIT_OK

    printed = capsys.readouterr().out
    report = what_if(read_history(BUNDLE))
    assert report.changed == []
    re_decided = sum(report.transitions().values())
    assert re_decided >= 140
    assert f"changed: 0 of {re_decided} re-decided" in printed
    outcomes = {new for _, new in report.transitions()}
    assert outcomes == {Outcome.APPROVED, Outcome.REJECTED, Outcome.REFERRED}
    assert report.not_redecided() == {OFFICER_DECIDED: 2}
    assert report.unreadable == {topics.REGISTRATION_SUBMITTED: 1}
    assert report.documents_as_given() == 4
    assert report.recorded_rules_versions() == {RULES_VERSION: 152}


async def test_export_then_what_if_read_a_sandbox_copy(bootstrap_servers, topic_prefix, tmp_path):
    """Read from sandbox.<ns>.*: production topics may have live services on them."""
    sid = f"WI-{uuid.uuid4().hex[:12]}"
    changed = f"{sid}-X"
    namespace = f"wi{uuid.uuid4().hex[:8]}"

    def copy_of(topic: str) -> str:
        return f"sandbox.{namespace}.{topic}"

    await produce(
        bootstrap_servers,
        copy_of(topics.REGISTRATION_SUBMITTED),
        [
            (sid.encode(), json.dumps(submission_dict(sid)).encode(), [(h.MESSAGE_ID, b"m1")]),
            (
                changed.encode(),
                json.dumps(submission_dict(changed, applicant__phone="12")).encode(),
                [],
            ),
        ],
    )
    await produce(
        bootstrap_servers,
        copy_of(topics.VERIFICATION_COMPLETED),
        [(a.submission_id.encode(), a.model_dump_json().encode(), []) for s in (sid, changed)
         for a in verified_answers(s)],
    )  # fmt: skip
    await produce(
        bootstrap_servers,
        copy_of(topics.REGISTRATION_DECIDED),
        [
            (s.encode(), recorded(s, Outcome.APPROVED).model_dump_json().encode(), [])
            for s in (sid, changed)
        ],
    )
    await collect(
        bootstrap_servers,
        [copy_of(topics.REGISTRATION_DECIDED)],
        lambda rs: {sid, changed} <= {r.key.decode() for r in rs if r.key},
    )
    out = tmp_path / "history.jsonl.gz"

    assert await hubctl("export", "--out", str(out), "--sandbox", namespace) == EXIT_OK
    what_if_json = str(tmp_path / "w.json")
    assert await hubctl("what-if", "--json", what_if_json, "--sandbox", namespace) == EXIT_OK

    history = read_history(out)
    assert {r.topic for r in history} == set(topics_of_history())  # production names
    mine = [r for r in history if r.key in (sid, changed)]
    assert len(mine) == len(history)  # only the sandbox was read
    assert {r.topic for r in mine} == set(topics_of_history())
    [submitted] = [r for r in mine if r.topic == topics.REGISTRATION_SUBMITTED and r.key == sid]
    assert submitted.headers == ((h.MESSAGE_ID, "m1"),)
    report = {c.submission_id: c for c in what_if(read_history(out)).comparisons}
    assert report[sid].status is Status.UNCHANGED
    assert report[changed].added == ("PHONE_FORMAT(applicant.phone)",)
    rows = json.loads((tmp_path / "w.json").read_text())
    assert changed in {row["submission_id"] for row in rows}


def topics_of_history():
    return (
        topics.REGISTRATION_SUBMITTED,
        topics.VERIFICATION_COMPLETED,
        topics.REGISTRATION_DECIDED,
    )


def test_the_bundle_is_small_and_holds_only_the_simulated_world():
    assert BUNDLE.stat().st_size < 300 * 1024
    names = {r.name for c in WORLD.companies for r in c.responsible}
    names |= {p.full_name.title() for p in WORLD.people}
    applicants = [
        json.loads(r.value)["applicant"]
        for r in read_history(BUNDLE)
        if r.topic == topics.REGISTRATION_SUBMITTED and r.value and r.value.startswith('{"')
    ]
    assert len(applicants) == 152
    for applicant in applicants:
        assert applicant["full_name"] in names
        email = applicant["email"]
        assert "@" not in email or email.endswith("@example.co.id")
    assert (BUNDLE.parent / "README.md").exists()
