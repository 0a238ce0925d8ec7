"""Reading a running stack back for the ledger: topics, the dev mailbox, consumer lag.

Why incremental: the ledger is taken every second while a fault plays out
(to time the recovery), so the topics are tailed by one group-less consumer
from the beginning and the mailbox by the files not seen yet, instead of
reading thousands of records and mails again each time.

Everything is read as a customs system or integrator would: ``read_committed``,
so records of aborted (or still open) Kafka transactions never count.
"""

import asyncio
import contextlib
import json
import time
from collections.abc import Iterable, Sequence
from email.parser import BytesHeaderParser
from email.policy import default as default_policy
from pathlib import Path
from typing import Any

from aiokafka import AIOKafkaConsumer, TopicPartition
from aiokafka.admin import AIOKafkaAdminClient
from aiokafka.errors import KafkaError

from contracts import topics
from contracts.headers import header
from devstack.lag import lag_by_group
from faults.ledger import DeadLetter, Decision, Mail, Observation
from notifier.emails import DECISION_HEADER
from runtime.kafka_security import from_environment

HUB_GROUP_PREFIX = "insw-"
"""Consumer groups of the hub's services (every one is named ``insw-...``)."""
ERROR_HEADER_PREFIX = "__connect.errors."
TAILED = (topics.REGISTRATION_DECIDED, topics.CEISA_REGISTRATION)
"""Tailed besides every ``*.dlq`` topic the broker has."""
LAG_READ_TIMEOUT_S = 15.0
_HEADERS_ONLY = BytesHeaderParser(policy=default_policy)


def decision_from(value: bytes | None) -> Decision | None:
    """The ledger's view of a decision record; None for a record that is not one."""
    try:
        data: Any = json.loads(value or b"")
        return Decision(str(data["submission_id"]), str(data["decision_id"]), str(data["outcome"]))
    except (ValueError, KeyError, TypeError):
        return None


def dead_letter_from(
    topic: str, key: bytes | None, headers: Sequence[tuple[str, bytes]]
) -> DeadLetter:
    """A dead letter with its key and its ``__connect.errors.*`` headers (never its value)."""
    errors = {
        name: header(headers, name) or ""
        for name, _ in headers
        if name.startswith(ERROR_HEADER_PREFIX)
    }
    return DeadLetter(topic, None if key is None else key.decode("utf-8", "replace"), errors)


def mail_from(raw: bytes) -> Mail:
    """The decision id and Message-ID of one filed mail (headers only: bodies are not needed)."""
    message = _HEADERS_ONLY.parsebytes(raw)
    decision = message.get(DECISION_HEADER)
    return Mail(None if decision is None else str(decision), str(message.get("Message-ID", "")))


class Mailbox:
    """The dev mailbox directory, read file by file as mail arrives."""

    def __init__(self, directory: Path) -> None:
        self.directory = directory
        self.mails: list[Mail] = []
        self._seen: set[str] = set()

    def refresh(self) -> int:
        """Read the mails filed since the last call; returns how many."""
        fresh = sorted(p for p in self.directory.glob("*.eml") if p.name not in self._seen)
        for path in fresh:
            self.mails.append(mail_from(path.read_bytes()))
            self._seen.add(path.name)
        return len(fresh)


class Tap:
    """Tails the decision, customs and every dead-letter topic, and the mailbox, of one stack."""

    def __init__(self, bootstrap: str, mailbox_dir: Path) -> None:
        self.mailbox = Mailbox(mailbox_dir)
        self.decisions: list[Decision] = []
        self.customs_keys: list[str] = []
        self.dead_letters: list[DeadLetter] = []
        self._tail = AIOKafkaConsumer(
            bootstrap_servers=bootstrap,
            group_id=None,
            enable_auto_commit=False,
            auto_offset_reset="earliest",
            isolation_level="read_committed",
            **from_environment(),
        )
        self._probe = AIOKafkaConsumer(
            bootstrap_servers=bootstrap,
            group_id=None,
            enable_auto_commit=False,
            isolation_level="read_committed",
            **from_environment(),
        )
        self._admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap, **from_environment())

    async def start(self) -> None:
        """Connect, and assign every partition of the tailed topics from the beginning."""
        try:
            await self._connect()
        except BaseException:
            await self.stop()  # a failed start must not leave clients behind
            raise

    async def _connect(self) -> None:
        await self._tail.start()
        await self._probe.start()
        await self._admin.start()
        dead_letter_topics = [
            t for t in await self._admin.list_topics() if t.endswith(topics.DLQ_SUFFIX)
        ]
        partitions = await partitions_of(self._admin, [*TAILED, *dead_letter_topics])
        self._tail.assign(partitions)
        await self._tail.seek_to_beginning(*partitions)

    async def stop(self) -> None:
        """Disconnect everything (each part even if another fails)."""
        for close in (self._tail.stop, self._probe.stop, self._admin.close):
            # Closing after a broker fault may fail; there is nothing left to do then.
            with contextlib.suppress(Exception):
                await close()

    async def refresh(self, budget_s: float = 2.0) -> int:
        """Read what arrived since the last call (topics and mailbox); returns how many items."""
        count = self.mailbox.refresh()
        deadline = time.monotonic() + budget_s
        while time.monotonic() < deadline:
            batches = await self._tail.getmany(timeout_ms=200, max_records=5000)
            if not batches:
                break
            for records in batches.values():
                for record in records:
                    self._take(record.topic, record.key, record.value, record.headers or ())
                    count += 1
        return count

    async def catch_up(self, limit_s: float = 60.0) -> bool:
        """Read until every tailed partition is read to its end as of now; False on ``limit_s``.

        For the final ledger: :meth:`refresh` stops at the first quiet poll,
        this stops only at the end offsets (``read_committed``: the last stable offset).
        """
        self.mailbox.refresh()
        assigned = list(self._tail.assignment())
        ends = await self._tail.end_offsets(assigned)
        deadline = time.monotonic() + limit_s
        while time.monotonic() < deadline:
            behind = [tp for tp in assigned if await self._tail.position(tp) < ends[tp]]
            if not behind:
                return True
            batches = await self._tail.getmany(*behind, timeout_ms=200, max_records=5000)
            for records in batches.values():
                for record in records:
                    self._take(record.topic, record.key, record.value, record.headers or ())
        return False

    def _take(
        self, topic: str, key: bytes | None, value: bytes | None, headers: Sequence[Any]
    ) -> None:
        if topic == topics.REGISTRATION_DECIDED:
            decision = decision_from(value)
            if decision is not None:
                self.decisions.append(decision)
        elif topic == topics.CEISA_REGISTRATION:
            self.customs_keys.append("" if key is None else key.decode("utf-8", "replace"))
        else:
            self.dead_letters.append(dead_letter_from(topic, key, list(headers)))

    def decided(self, submitted: Iterable[str]) -> int:
        """How many of ``submitted`` have a final decision so far (progress for fault triggers)."""
        finals = {d.submission_id for d in self.decisions if d.outcome in ("APPROVED", "REJECTED")}
        return len(finals.intersection(submitted))

    async def observe(self, submitted: frozenset[str], *, complete: bool = False) -> Observation:
        """Everything the ledger needs; lag None while the broker cannot tell.

        ``complete`` reads every topic to its end first (see :meth:`catch_up`);
        otherwise what arrived since the last call is read (see :meth:`refresh`).
        """
        if complete:
            if not await self.catch_up():
                raise TimeoutError("the topics could not be read to their end")
        else:
            await self.refresh()
        try:
            lag: dict[str, int] | None = await consumer_lag(self._admin, self._probe)
        except (TimeoutError, KafkaError, OSError):
            lag = None
        return Observation(
            submitted=submitted,
            decisions=tuple(self.decisions),
            customs_keys=tuple(self.customs_keys),
            mails=tuple(self.mailbox.mails),
            dead_letters=tuple(self.dead_letters),
            lag=lag,
        )


async def consumer_lag(
    admin: AIOKafkaAdminClient, probe: AIOKafkaConsumer, prefix: str = HUB_GROUP_PREFIX
) -> dict[str, int]:
    """Data records each hub group still has to process (see :mod:`devstack.lag` for why counted).

    Raises :class:`TimeoutError` when the broker cannot tell within
    ``LAG_READ_TIMEOUT_S``: a partial count could pass for zero.
    """
    async with asyncio.timeout(LAG_READ_TIMEOUT_S):
        return await lag_by_group(admin, probe, prefix)


async def partitions_of(admin: AIOKafkaAdminClient, names: Iterable[str]) -> list[TopicPartition]:
    """Every partition of the topics ``names`` (from a fresh metadata request)."""
    wanted = sorted(set(names))
    if not wanted:
        return []
    described = await admin.describe_topics(wanted)
    return [
        TopicPartition(str(topic["topic"]), int(partition["partition"]))
        for topic in described
        for partition in topic["partitions"]
    ]
