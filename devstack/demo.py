"""Demo for ``./hub run``: submit the example registrations and print the decisions.

Why: a newcomer should see the hub work end to end in one command. The demo
uses only the public contract (the submitted and decided topics), exactly as a
partner portal would, so it also proves the contract is usable from outside.
"""

from __future__ import annotations

import json
import time
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from aiokafka import AIOKafkaConsumer, AIOKafkaProducer, TopicPartition

from contracts.topics import REGISTRATION_DECIDED, REGISTRATION_SUBMITTED
from devstack.paths import REPO_ROOT
from runtime.kafka_security import from_environment

EXAMPLES_DIR = REPO_ROOT / "examples" / "registrations"


def load_examples(
    directory: Path = EXAMPLES_DIR, run: str | None = None
) -> list[tuple[str, bytes, str | None]]:
    """(file name, raw bytes, submission_id or None) for every example, sorted by name.

    With ``run``, each submission id gets ``-<run>`` appended: the hub decides a
    submission id once, so a demo repeated against the same Kafka and Redis
    needs fresh ids to see fresh decisions.
    """
    examples = []
    for path in sorted(directory.glob("*.json")):
        raw = path.read_bytes()
        sid = _submission_id(raw)
        if run is not None and sid is not None:
            payload = json.loads(raw)
            sid = payload["submission_id"] = f"{sid}-{run}"
            raw = json.dumps(payload, ensure_ascii=False).encode()
        examples.append((path.name, raw, sid))
    return examples


def _submission_id(raw: bytes) -> str | None:
    """The ``submission_id`` of a JSON message, or None when absent or not JSON."""
    try:
        value = json.loads(raw).get("submission_id")
    except (ValueError, AttributeError):
        return None
    return None if value is None else str(value)


def format_decision(raw: bytes, names: dict[str, str]) -> str:
    """One human line for a decision message: example file, submission, outcome, reasons."""
    try:
        data: Any = json.loads(raw)
        submission_id = str(data.get("submission_id"))
        outcome = data.get("outcome")
        reasons = [
            f"{r.get('code')}" + (f"({r['field']})" if r.get("field") else "")
            for r in data.get("reasons") or []
        ]
    except (ValueError, AttributeError, TypeError):
        return f"(unparsable decision) {raw[:120]!r}"
    name = names.get(submission_id, "-")
    return f"{name:<32} {submission_id:<38} {outcome!s:<10} {', '.join(reasons) or '-'}"


async def _decisions_consumer(bootstrap: str, security: Mapping[str, Any]) -> Any:
    """A group-less consumer of every decided partition, positioned at the current end.

    Why no group and explicit end offsets: nothing to wait for (no rebalance),
    and no decision published after this point can be missed.
    """
    consumer = AIOKafkaConsumer(
        bootstrap_servers=bootstrap, group_id=None, enable_auto_commit=False, **security
    )
    await consumer.start()
    try:
        # A metadata request of its own: the reader may not be allowed to
        # describe what the submitter writes, nor the submitter what it reads.
        cluster = await consumer._client.fetch_all_metadata()
        partitions = cluster.partitions_for_topic(REGISTRATION_DECIDED) or set()
        tps = [TopicPartition(REGISTRATION_DECIDED, p) for p in sorted(partitions)]
        consumer.assign(tps)
        for tp, offset in (await consumer.end_offsets(tps)).items():
            consumer.seek(tp, offset)
    except BaseException:
        await consumer.stop()
        raise
    return consumer


async def submit_examples_and_print(
    bootstrap: str,
    examples_dir: Path | None = None,
    *,
    portal: Mapping[str, Any] | None = None,
    reader: Mapping[str, Any] | None = None,
) -> None:
    """Publish every example to the submitted topic, then print decisions until cancelled.

    ``examples_dir`` defaults to ``examples/registrations`` (tests pass their own).
    It submits as a partner portal would (``portal``: that principal's
    options) and reads decisions as an integrator (``reader``); both default
    to the principal this process's environment names.
    """
    portal = from_environment() if portal is None else portal
    reader = from_environment() if reader is None else reader
    directory = EXAMPLES_DIR if examples_dir is None else examples_dir
    examples = load_examples(directory, run=time.strftime("%Y%m%d%H%M%S"))
    names = {sid: name for name, _, sid in examples if sid is not None}
    producer = AIOKafkaProducer(bootstrap_servers=bootstrap, acks="all", **portal)
    await producer.start()
    consumer = None
    try:
        consumer = await _decisions_consumer(bootstrap, reader)
        for name, raw, sid in examples:
            if sid is None:
                print(f"warning: {name} has no submission_id; sent without a key")
            await producer.send_and_wait(
                REGISTRATION_SUBMITTED, raw, key=None if sid is None else sid.encode()
            )
        if examples:
            print(f"submitted {len(examples)} example(s) from {directory}; decisions:", flush=True)
        else:
            print(f"no examples in {directory}; waiting for decisions from elsewhere", flush=True)
        pending = set(names)
        announced = False
        async for message in consumer:
            print(format_decision(message.value, names), flush=True)
            pending.discard(_submission_id(message.value) or "")
            if names and not pending and not announced:
                announced = True
                print(
                    f"all {len(names)} examples decided; still serving, Ctrl-C to stop", flush=True
                )
    finally:
        if consumer is not None:
            await consumer.stop()
        await producer.stop()
