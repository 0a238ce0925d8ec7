"""``hubctl dlq`` against the real broker: list, inspect and exactly-once re-drive."""

import argparse
import asyncio
import json
import os
import uuid

import pytest
from aiokafka import AIOKafkaConsumer, AIOKafkaProducer
from aiokafka.structs import TopicPartition

from contracts import headers as h
from devstack.kafka import create_topics_async
from hubctl import dlq
from hubctl.dlq_letters import REDRIVEN_FROM
from runtime.deadletter import dead_letter
from runtime.errors import PoisonMessage
from runtime.kafka_security import from_environment
from runtime.records import Inbound, Outbound
from runtime.sealing import DeadLetterSeal, new_key
from tests.kafka_io import collect


def payload(n: int) -> bytes:
    """A submission-like value holding personal data, as real dead letters do."""
    return json.dumps(
        {
            "submission_id": f"SUB-{n}",
            "applicant": {"full_name": "Siti Rahayu", "nik": "3171014508900002"},
        }
    ).encode()


def failed(topic: str, offset: int, *, partition: int = 0) -> Outbound:
    """The dead letter the runtime writes for record ``offset`` of ``topic`` (env key seal)."""
    inbound = Inbound(
        topic,
        partition,
        offset,
        f"SUB-{offset}".encode(),
        payload(offset),
        [
            (h.MESSAGE_ID, f"m-{offset}".encode()),
            (h.CORRELATION_ID, f"SUB-{offset}".encode()),
            (h.SCHEMA, b"registration.submitted/1"),
            (h.CONTENT_TYPE, b"application/json"),
        ],
    )
    return dead_letter(
        inbound, PoisonMessage("submitted_at: missing"), DeadLetterSeal(os.environ["DLQ_SEAL_KEY"])
    )


async def publish(bootstrap: str, letters: list[Outbound], partition: int = 0) -> None:
    """Write dead letters to one partition of their ``.dlq`` topic."""
    producer = AIOKafkaProducer(bootstrap_servers=bootstrap, acks="all", **from_environment())
    await producer.start()
    try:
        for out in letters:
            headers = [(n, v.encode()) for n, v in out.headers.items()]
            await producer.send_and_wait(
                out.topic, out.value, key=out.key, headers=headers, partition=partition
            )
    finally:
        await producer.stop()


async def log_end(bootstrap: str, topic: str, partitions: int = 2) -> int:
    """Sum of the topic's log-end offsets: changes with any record or transaction marker."""
    consumer = AIOKafkaConsumer(bootstrap_servers=bootstrap, **from_environment())
    await consumer.start()
    try:
        ends = await consumer.end_offsets([TopicPartition(topic, p) for p in range(partitions)])
        return sum(ends.values())
    finally:
        await consumer.stop()


async def cluster_topics(bootstrap: str) -> set[str]:
    consumer = AIOKafkaConsumer(bootstrap_servers=bootstrap, **from_environment())
    await consumer.start()
    try:
        found: set[str] = await consumer.topics()
        return found
    finally:
        await consumer.stop()


@pytest.fixture
async def topics(bootstrap_servers, unique_topic):
    """A consumed topic (2 partitions) and its dead-letter twin (2 partitions)."""
    await create_topics_async(
        bootstrap_servers, [unique_topic, unique_topic + ".dlq"], partitions=2
    )
    return unique_topic, unique_topic + ".dlq"


async def hubctl(capsys, *argv: str) -> tuple[int, str, str]:
    """Run ``hubctl dlq ...`` as the command line would; return status, stdout, stderr."""
    root = argparse.ArgumentParser(prog="hubctl")
    dlq.register(root.add_subparsers(dest="concern", required=True))
    args = root.parse_args(["dlq", *argv])
    status = await asyncio.to_thread(args.run, args)
    captured = capsys.readouterr()
    return status, captured.out, captured.err


def personal(text: str) -> bool:
    return "Siti" in text or "3171014508900002" in text


async def test_list_shows_a_dead_letter_without_its_value(bootstrap_servers, topics, capsys):
    topic, dlq_topic = topics
    await publish(bootstrap_servers, [failed(topic, 7)], partition=1)
    status, out, _ = await hubctl(capsys, "list", "--topic", dlq_topic, "--json")
    assert status == 0
    report = json.loads(out)
    [row] = report["dead_letters"]
    assert (row["dlq_topic"], row["partition"], row["offset"], row["key"]) == (
        dlq_topic,
        1,
        0,
        "SUB-7",
    )
    assert row["original"] == f"{topic}[0]@7"
    assert row["exception_class"] == "runtime.errors.PoisonMessage"
    assert row["exception_message"] == "submitted_at: missing"
    assert row["redriven"] is False and row["failed_at"].endswith("Z")
    assert report["topics"] == [
        {"dlq_topic": dlq_topic, "dead_letters": 1, "redriven": 0, "waiting": 1}
    ]
    status, text, _ = await hubctl(capsys, "list", "--topic", topic)  # the guarded topic works too
    assert status == 0 and f"{topic}[0]@7" in text and "SUB-7" in text
    assert not personal(out + text)
    status, everything, _ = await hubctl(capsys, "list", "--json", "--limit", "1")
    assert status == 0 and dlq_topic in [t["dlq_topic"] for t in json.loads(everything)["topics"]]


async def test_list_and_inspect_refuse_an_unknown_topic(bootstrap_servers, unique_topic, capsys):
    status, _, err = await hubctl(capsys, "list", "--topic", unique_topic + ".dlq")
    assert status == 2 and f"unknown topic {unique_topic}.dlq" in err
    status, _, err = await hubctl(capsys, "inspect", unique_topic + ".dlq", "0", "0")
    assert status == 2 and "unknown topic" in err


async def test_inspect_hides_the_value_without_show_value(bootstrap_servers, topics, capsys):
    topic, dlq_topic = topics
    await publish(bootstrap_servers, [failed(topic, 3)])
    status, out, _ = await hubctl(capsys, "inspect", dlq_topic, "0", "0")
    assert status == 0 and not personal(out)
    assert "hidden" in out and "sha256" in out
    assert f"{h.DLQ_EXCEPTION_CLASS}: runtime.errors.PoisonMessage" in out
    assert f"{h.MESSAGE_ID}: m-3" in out and f"{h.DLQ_SEALED}: fernet-v1" in out
    status, _, err = await hubctl(capsys, "inspect", dlq_topic, "0", "5")
    assert status == 2 and "not 5" in err


async def test_inspect_with_the_key_shows_the_value(bootstrap_servers, topics, capsys):
    topic, dlq_topic = topics
    await publish(bootstrap_servers, [failed(topic, 3)])
    status, out, _ = await hubctl(capsys, "inspect", dlq_topic, "0", "0", "--show-value")
    assert status == 0 and '"full_name": "Siti Rahayu"' in out
    status, out, _ = await hubctl(capsys, "inspect", dlq_topic, "0", "0", "--show-value", "--json")
    assert json.loads(out)["value"]["json"] == json.loads(payload(3))


async def test_a_wrong_key_is_refused_and_nothing_is_sent(
    bootstrap_servers, topics, capsys, monkeypatch
):
    topic, dlq_topic = topics
    await publish(bootstrap_servers, [failed(topic, 1), failed(topic, 2)])
    monkeypatch.setenv("DLQ_SEAL_KEY", new_key())
    status, out, err = await hubctl(capsys, "inspect", dlq_topic, "0", "0", "--show-value")
    assert status == 2 and "SealBroken" in err and err.count("\n") == 1 and out == ""
    status, _, err = await hubctl(capsys, "redrive", "--topic", dlq_topic, "--all")
    assert status == 2 and "SealBroken" in err
    assert await log_end(bootstrap_servers, topic) == 0


async def test_dry_run_prints_the_plan_and_sends_nothing(bootstrap_servers, topics, capsys):
    topic, dlq_topic = topics
    await publish(bootstrap_servers, [failed(topic, 1), failed(topic, 2)])
    status, out, _ = await hubctl(capsys, "redrive", "--topic", dlq_topic, "--all", "--dry-run")
    assert status == 0
    assert f"would send {dlq_topic}/0/0 -> {topic} key=SUB-1" in out
    assert REDRIVEN_FROM in out and "would re-drive 2 dead letter(s)" in out
    assert not personal(out)
    assert await log_end(bootstrap_servers, topic) == 0
    status, listed, _ = await hubctl(capsys, "list", "--topic", dlq_topic, "--json")
    assert json.loads(listed)["topics"][0]["redriven"] == 0


async def test_redrive_all_sends_each_dead_letter_back_exactly_once(
    bootstrap_servers, topics, capsys
):
    topic, dlq_topic = topics
    await publish(bootstrap_servers, [failed(topic, n) for n in range(4)], partition=0)
    await publish(
        bootstrap_servers, [failed(topic, n, partition=1) for n in range(4, 11)], partition=1
    )
    status, out, _ = await hubctl(capsys, "redrive", "--topic", dlq_topic, "--all", "--json")
    assert status == 0 and len(json.loads(out)["records"]) == 11
    sent = await collect(bootstrap_servers, [topic], lambda found: len(found) >= 11, timeout=20)
    assert sorted(r.value for r in sent) == sorted(payload(n) for n in range(11))
    by_key = {r.key: r for r in sent}
    redriven = {n: v.decode() for n, v in by_key[b"SUB-5"].headers}
    assert set(redriven) == {
        h.MESSAGE_ID,
        h.CORRELATION_ID,
        h.CAUSATION_ID,
        h.SCHEMA,
        h.CONTENT_TYPE,
        REDRIVEN_FROM,
    }
    assert redriven[h.CAUSATION_ID] == "m-5" and redriven[h.MESSAGE_ID] != "m-5"
    assert redriven[REDRIVEN_FROM] == f"{dlq_topic}/1/1" and redriven[h.CORRELATION_ID] == "SUB-5"
    before = await log_end(bootstrap_servers, topic)
    assert before > 11  # 11 records and the transactions' commit markers

    status, out, _ = await hubctl(capsys, "redrive", "--topic", dlq_topic, "--all")
    assert status == 0 and f"nothing to re-drive in {dlq_topic}" in out
    assert await log_end(bootstrap_servers, topic) == before
    status, listed, _ = await hubctl(capsys, "list", "--topic", dlq_topic, "--json")
    assert json.loads(listed)["topics"][0] == {
        "dlq_topic": dlq_topic,
        "dead_letters": 11,
        "redriven": 11,
        "waiting": 0,
    }
    status, out, err = await hubctl(
        capsys, "redrive", "--topic", dlq_topic, "--partition", "1", "--offset", "2"
    )
    assert status == 2 and "already re-driven" in err and out == ""


async def test_a_single_redrive_is_never_repeated_by_all(bootstrap_servers, topics, capsys):
    topic, dlq_topic = topics
    await publish(bootstrap_servers, [failed(topic, n) for n in range(3)])
    single = ("redrive", "--topic", dlq_topic, "--partition", "0", "--offset", "1")
    status, out, _ = await hubctl(capsys, *single)
    assert status == 0 and f"sent {dlq_topic}/0/1 -> {topic} key=SUB-1" in out
    status, _, err = await hubctl(capsys, *single)
    assert status == 2 and "--force" in err
    status, listed, _ = await hubctl(capsys, "list", "--topic", dlq_topic, "--json")
    assert [r["redriven"] for r in json.loads(listed)["dead_letters"]] == [False, True, False]

    status, out, _ = await hubctl(capsys, "redrive", "--topic", dlq_topic, "--all", "--json")
    assert [r["dead_letter"] for r in json.loads(out)["records"]] == [
        f"{dlq_topic}/0/0",
        f"{dlq_topic}/0/2",
    ]
    status, out, _ = await hubctl(capsys, *single, "--force")
    assert status == 0
    sent = await collect(bootstrap_servers, [topic], lambda found: len(found) >= 4, timeout=20)
    assert sorted(r.key for r in sent) == [b"SUB-0", b"SUB-1", b"SUB-1", b"SUB-2"]


async def test_a_dead_letter_without_its_origin_stops_the_whole_redrive(
    bootstrap_servers, topics, capsys
):
    topic, dlq_topic = topics
    good, bad = failed(topic, 1), failed(topic, 2)
    del bad.headers[h.DLQ_TOPIC]
    await publish(bootstrap_servers, [good, bad])
    status, out, err = await hubctl(capsys, "redrive", "--topic", dlq_topic, "--all")
    assert out == ""
    assert status == 2 and f"{dlq_topic}/0/1 has no {h.DLQ_TOPIC} header" in err
    assert await log_end(bootstrap_servers, topic) == 0
    status, listed, _ = await hubctl(capsys, "list", "--topic", dlq_topic, "--json")
    assert json.loads(listed)["topics"][0]["redriven"] == 0
    assert json.loads(listed)["dead_letters"][1]["original"] is None


async def test_redrive_refuses_an_original_topic_that_does_not_exist(
    bootstrap_servers, unique_topic, capsys
):
    dlq_topic = unique_topic + ".dlq"
    await create_topics_async(bootstrap_servers, [dlq_topic], partitions=1)
    await publish(bootstrap_servers, [failed(unique_topic, 1)])
    status, _, err = await hubctl(capsys, "redrive", "--topic", dlq_topic, "--all")
    assert status == 2 and f"original topic {unique_topic}" in err and "does not exist" in err
    assert unique_topic not in await cluster_topics(bootstrap_servers)  # nor created by sending


async def publish_in_transactions(
    bootstrap: str, committed: list[Outbound], aborted: Outbound
) -> None:
    """Write dead letters as the transactional runtime does: markers, and one aborted try."""
    producer = AIOKafkaProducer(
        bootstrap_servers=bootstrap, transactional_id=f"t-{uuid.uuid4().hex}", **from_environment()
    )
    await producer.start()
    try:
        for out in committed[:1], [aborted], committed[1:]:
            try:
                async with producer.transaction():
                    for letter in out:
                        headers = [(n, v.encode()) for n, v in letter.headers.items()]
                        await producer.send(
                            letter.topic, letter.value, key=letter.key, headers=headers, partition=0
                        )
                    if out == [aborted]:
                        raise RuntimeError("abort this one")
            except RuntimeError:
                pass
    finally:
        await producer.stop()


async def test_transaction_markers_and_aborted_dead_letters_are_skipped(
    bootstrap_servers, topics, capsys
):
    topic, dlq_topic = topics
    await publish_in_transactions(
        bootstrap_servers, [failed(topic, 1), failed(topic, 3)], failed(topic, 2)
    )
    status, listed, _ = await hubctl(capsys, "list", "--topic", dlq_topic, "--json")
    rows = json.loads(listed)["dead_letters"]
    assert status == 0 and [r["key"] for r in rows] == ["SUB-1", "SUB-3"]
    status, _, err = await hubctl(capsys, "inspect", dlq_topic, "0", "1")  # the first commit marker
    assert status == 2 and "no record at" in err
    status, out, _ = await hubctl(capsys, "redrive", "--topic", dlq_topic, "--all", "--json")
    assert status == 0 and [r["key"] for r in json.loads(out)["records"]] == ["SUB-1", "SUB-3"]
    status, out, _ = await hubctl(capsys, "redrive", "--topic", dlq_topic, "--all")
    assert status == 0 and "nothing to re-drive" in out
