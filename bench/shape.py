"""The byte shape of the hub's internal messages, so the raw pipe can copy it.

Why measured rather than guessed: the raw pipe must move exactly as many bytes
per hop as the hub does, headers included. After the hub's warm-up,
:func:`capture` reads the warm-up's own records back from the hub topics and
takes the median value size and the header names and value lengths per hop.
:data:`DEFAULT` (from a real run, see BENCHMARKS.md) is used with ``--skip-hub``.
"""

import json
import statistics
import time
from collections.abc import Sequence
from dataclasses import asdict, dataclass

from aiokafka import AIOKafkaConsumer, AIOKafkaProducer, TopicPartition

from contracts import topics
from contracts.agencies import DJP_NPWP, DUKCAPIL_NIK, OSS_NIB
from runtime.kafka_security import from_environment

CHECKS = ("NIB", "NPWP", "NIK")
REQUEST_TOPICS = {
    "NIB": OSS_NIB.request_topic,
    "NPWP": DJP_NPWP.request_topic,
    "NIK": DUKCAPIL_NIK.request_topic,
}

HeaderShape = list[tuple[str, int]]


@dataclass(frozen=True)
class Hop:
    """One message kind: value size in bytes, header names with value lengths."""

    value_bytes: int
    headers: HeaderShape

    def header_bytes(self) -> int:
        """Bytes of header names and values together."""
        return sum(len(name) + length for name, length in self.headers)


@dataclass(frozen=True)
class Shape:
    """Every hop between submission and decision."""

    requests: dict[str, Hop]
    answers: dict[str, Hop]
    decision: Hop
    source: str

    def to_json(self) -> str:
        """Serialised for the raw pipe's command line and the results file."""
        return json.dumps(asdict(self))

    @classmethod
    def from_json(cls, text: str) -> "Shape":
        """Inverse of :meth:`to_json`."""
        data = json.loads(text)

        def hop(d: dict[str, object]) -> Hop:
            raw = d["headers"]
            assert isinstance(raw, list)
            return Hop(int(str(d["value_bytes"])), [(str(n), int(x)) for n, x in raw])

        return cls(
            requests={k: hop(v) for k, v in data["requests"].items()},
            answers={k: hop(v) for k, v in data["answers"].items()},
            decision=hop(data["decision"]),
            source=str(data["source"]),
        )


def _lineage(schema: int, causation: int = 32) -> HeaderShape:
    # FastStream's content-type and correlation_id, then the hub's lineage headers
    return [
        ("content-type", 16),
        ("correlation_id", 32),
        ("insw-message-id", 32),
        ("insw-correlation-id", 32),
        ("insw-causation-id", causation),
        ("insw-schema", schema),
    ]


DEFAULT = Shape(
    requests={
        "NIB": Hop(112, _lineage(30, 36)),
        "NPWP": Hop(116, _lineage(30, 36)),
        "NIK": Hop(126, _lineage(30, 36)),
    },
    answers={
        "NIB": Hop(568, _lineage(30)),
        "NPWP": Hop(260, _lineage(30)),
        "NIK": Hop(189, _lineage(30)),
    },
    decision=Hop(879, _lineage(28)),
    source="built-in default, captured from the hub on 2026-11-21 (used with --skip-hub)",
)


def _hop(records: Sequence[tuple[bytes, list[tuple[str, bytes]]]]) -> Hop:
    sizes = [len(value) for value, _ in records]
    headers = [(name, len(value)) for name, value in records[0][1]]
    return Hop(int(statistics.median(sizes)), headers)


async def capture(bootstrap: str, id_prefix: str, timeout_s: float = 20.0) -> Shape:
    """Read the hub's records for submissions whose id starts with ``id_prefix``."""
    wanted = [*REQUEST_TOPICS.values(), topics.VERIFICATION_COMPLETED, topics.REGISTRATION_DECIDED]
    probe = AIOKafkaProducer(bootstrap_servers=bootstrap, **from_environment())
    await probe.start()
    try:  # a producer's partitions_for waits for metadata; a consumer's does not
        partitions = {t: await probe.partitions_for(t) for t in wanted}
    finally:
        await probe.stop()
    consumer = AIOKafkaConsumer(
        bootstrap_servers=bootstrap,
        enable_auto_commit=False,
        isolation_level="read_committed",
        **from_environment(),
    )
    await consumer.start()
    by_kind: dict[str, list[tuple[bytes, list[tuple[str, bytes]]]]] = {}
    try:
        assigned = [TopicPartition(t, p) for t in wanted for p in partitions[t]]
        consumer.assign(assigned)
        await consumer.seek_to_beginning(*assigned)
        ends = await consumer.end_offsets(assigned)
        deadline = time.monotonic() + timeout_s
        while time.monotonic() < deadline and await _behind(consumer, ends):
            for tp, records in (await consumer.getmany(timeout_ms=200)).items():
                for r in records:
                    if not (r.key or b"").decode().startswith(id_prefix) or r.value is None:
                        continue
                    kind = _kind(tp.topic, r.value)
                    by_kind.setdefault(kind, []).append((r.value, list(r.headers)))
    finally:
        await consumer.stop()
    needed = [f"request:{c}" for c in CHECKS] + [f"answer:{c}" for c in CHECKS] + ["decision"]
    absent = [k for k in needed if not by_kind.get(k)]
    if absent:
        raise RuntimeError(f"no hub records captured for {absent}")
    return Shape(
        requests={c: _hop(by_kind[f"request:{c}"]) for c in CHECKS},
        answers={c: _hop(by_kind[f"answer:{c}"]) for c in CHECKS},
        decision=_hop(by_kind["decision"]),
        source=f"captured from the hub's warm-up records ({id_prefix}*)",
    )


async def _behind(consumer: AIOKafkaConsumer, ends: dict[TopicPartition, int]) -> bool:
    for tp, end in ends.items():
        if await consumer.position(tp) < end:
            return True
    return False


def _kind(topic: str, value: bytes) -> str:
    if topic == topics.REGISTRATION_DECIDED:
        return "decision"
    if topic == topics.VERIFICATION_COMPLETED:
        return f"answer:{json.loads(value).get('check')}"
    return next(f"request:{c}" for c, t in REQUEST_TOPICS.items() if t == topic)
