"""Writing the audit trail (``insw.audit.v1``): events in, chained and signed entries out.

**The API** for any service (handlers and HTTP endpoints alike)::

    from runtime.audit import audit_event
    result.outbound.append(audit_event(AuditKind.DECISION, sid, actor="gateway",
                                       cause=record, details={"outcome": "APPROVED"}))
    # outside a consumed batch (an HTTP endpoint):
    await service.publish([audit_event(AuditKind.OFFICER_VIEW, sid, actor=officer_id,
                                       cause=None, details={"page": "referral"})])

:func:`audit_event` only builds an unchained record; it is chained and
signed where it is published: by the batch's transaction
(:class:`runtime.consumer.BatchPump` runs an :class:`OutputStage`) or by
:meth:`runtime.service.HubService.publish`. ``details`` must hold ids, codes
and outcomes only, never personal data.

**The chain.** Each writer is one chain, named by its transactional id
(``<group>.<instance>.<topic>``, or ``<service>.<instance>.outbox`` for the
non-transactional publisher); the chain id is the record key, so a chain
lives in one partition and several chains share a partition side by side.
An entry holds ``seq`` and ``prev`` = SHA-256 of the chain's previous entry
value (:data:`contracts.audit.GENESIS` for the first). Kafka allows one live
producer per transactional id (a restarted one fences its predecessor), so
a chain has exactly one writer and no two writers race for a head.

**Retries and aborts.** A batch's entries are chained tentatively; the head
moves only when the transaction commits (:meth:`AuditChain.settled`), and
an aborted batch's entries are invisible to ``read_committed`` readers, so
the redelivered batch is chained again from the same head.

**Restarts.** A new process does not trust memory it does not have: before
its first entry, the chain reads its head back from the topic
(:class:`HeadReader`: the chain's last committed entry, scanning its
partition backwards from the end). That happens after the producer started,
i.e. after Kafka fenced any predecessor, so nothing older can commit later.
When a non-transactional publish fails half-way, the head is forgotten and
read back the same way.

**Bounded look-back.** The scan stops after :data:`SCAN_LIMIT` offsets. A
writer new to the topic (a new instance id: a container recreated, an
instance added) used to scan its whole partition to learn it had no head,
which on months of audit trail outlasts :data:`HEAD_READ_TIMEOUT_S`, so the
instance backed off and tried again for ever. When the head is not within
reach the writer starts a *new generation* of its chain instead
(``<writer>~<start time><random>``, from genesis): it never guesses a head
and never writes a second genesis under an id that may have entries, so
``hubctl audit verify`` still finds every chain whole; only the link between
an old generation's last entry and the new one's first is not recorded.
"""

import asyncio
import hashlib
import logging
import os
import re
import time
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import replace
from datetime import UTC, datetime
from typing import Any

from aiokafka import AIOKafkaConsumer, TopicPartition
from aiokafka.errors import KafkaError
from aiokafka.partitioner import DefaultPartitioner

from contracts import channels
from contracts import headers as h
from contracts.audit import GENESIS, AuditEntry, AuditEvent, AuditKind
from runtime.errors import TransientFailure
from runtime.records import Inbound, Outbound
from runtime.signing import Sign, SignatureInvalid, TrustedKeys

log = logging.getLogger(__name__)

Head = tuple[int, str]
"""(seq, SHA-256 of the entry value) of a chain's last committed entry."""


class Beyond:
    """A head reader's answer when the chain's last entry is not within :data:`SCAN_LIMIT`."""


BEYOND = Beyond()
HeadReader = Callable[[str], Awaitable[Head | Beyond | None]]
"""``None``: the chain has no entry (its whole partition was read); :data:`BEYOND`: not known."""
Proven = Callable[[Any], bool]
"""Whether a consumed audit record carries its writer's own valid signature."""

HEAD_READ_TIMEOUT_S = 30.0
"""Longest a chain's head may take to read back; then the batch backs off and tries again."""

SCAN_WINDOW = 2000
"""Offsets read per step when looking for a chain's last entry from the end of its partition."""

SCAN_LIMIT = 20 * SCAN_WINDOW
"""Offsets read back at most before the head counts as out of reach (a second or two)."""

GENERATION_MARK = "~"
"""Separates a writer's name from its chain's generation (not used in transactional ids)."""


def new_generation(writer: str, now: float | None = None) -> str:
    """A chain id for ``writer`` that no entry has used: start time in ms and 4 random bytes."""
    millis = int((time.time() if now is None else now) * 1000)
    return f"{writer}{GENERATION_MARK}{millis:x}{os.urandom(4).hex()}"


def audit_event(
    kind: AuditKind,
    subject: str,
    *,
    actor: str,
    cause: Inbound | None,
    details: dict[str, str] | None = None,
    at: datetime | None = None,
) -> Outbound:
    """An unchained audit record: chained and signed when its batch (or publish) commits."""
    event = AuditEvent(
        kind=kind,
        subject=subject,
        actor=actor,
        at=at or datetime.now(UTC),
        cause=cause.message_id if cause is not None else None,
        details=details or {},
    )
    return Outbound.of(channels.AUDIT, event, cause=cause, correlation_id=subject, key="")


_PLAIN_CHAIN = re.compile(r"[A-Za-z0-9._:~-]+")


def entry_bytes(chain: str, seq: int, prev: str, event: bytes) -> bytes:
    """An entry's value: ``event`` (an :class:`AuditEvent`'s JSON, as :func:`audit_event`
    wrote it) wrapped with its chain, sequence number and link.

    The same bytes as ``AuditEntry(...).model_dump_json()`` (a property test
    holds them to it), without parsing the event back and dumping it again:
    that was 9 µs of the gateway's CPU per entry, four entries per
    registration. The event is not checked again: :func:`audit_event` is the
    one place that writes audit records, from the model, and every reader of
    the trail parses whole entries (``hubctl audit verify``, the head reader).
    A chain id needing JSON escapes (none the hub makes) takes the model's road.
    """
    if _PLAIN_CHAIN.fullmatch(chain) is None:
        entry = AuditEntry(
            chain=chain, seq=seq, prev=prev, event=AuditEvent.model_validate_json(event)
        )
        return entry.model_dump_json().encode()
    return b'{"chain":"%s","seq":%d,"prev":"%s","event":%s}' % (
        chain.encode(),
        seq,
        prev.encode(),
        event,
    )


def entry_hash(value: bytes) -> str:
    """The link to an entry: the SHA-256 of its value bytes."""
    return hashlib.sha256(value).hexdigest()


class AuditChain:
    """One writer's chain: turns audit events into entries, moving its head on commit only."""

    def __init__(self, chain_id: str, read_head: HeadReader) -> None:
        self.chain_id = chain_id
        """The chain written now: the writer's name, or a new generation of it (see above)."""
        self._writer = chain_id
        self._read_head = read_head
        self._head: Head | None = None
        self._known = False
        self._tentative: Head | None = None

    async def chain(self, records: Sequence[Outbound]) -> list[Outbound]:
        """``records`` with every audit event turned into the chain's next entries."""
        if not any(r.topic == channels.AUDIT.topic for r in records):
            return list(records)
        if not self._known:
            found = await self._read_head(self.chain_id)
            if isinstance(found, Beyond):
                self.chain_id = new_generation(self._writer)
                log.info("audit chain %s: head out of reach, new generation", self._writer)
                found = None
            self._head = found
            self._known = True
        head = self._head
        out = []
        for record in records:
            if record.topic != channels.AUDIT.topic or record.value is None:
                out.append(record)
                continue
            seq, prev = (head[0] + 1, head[1]) if head is not None else (0, GENESIS)
            value = entry_bytes(self.chain_id, seq, prev, record.value)
            head = (seq, entry_hash(value))
            out.append(replace(record, key=self.chain_id.encode(), value=value))
        self._tentative = head
        return out

    def settled(self, committed: bool) -> None:
        """The last :meth:`chain` call's records committed (head moves) or were aborted."""
        if committed and self._tentative is not None:
            self._head = self._tentative
        self._tentative = None

    def forget(self) -> None:
        """The last publish may have landed partly: read the head back before the next entry."""
        self._known = False
        self._tentative = None


class OutputStage:
    """What a publisher does to its outputs before sending: chain audit events, then sign.

    **One signature per batch on the audit chain.** Every record is signed
    except the audit entries before the batch's last one: that entry's
    signature covers its ``prev``, the hash of the entry before it, and so on
    back through the batch, so one Ed25519 signature proves the batch's whole
    run of entries (a signed head over a hash chain). The gateway writes four
    entries per approved registration; signing each was a tenth of its CPU.
    The verifier (``hubctl audit verify``) accepts an unsigned entry only once
    a later signed entry of its chain links to it, and only with the signed
    headers its own value implies (:func:`unsigned_entry_problem`).
    """

    def __init__(self, sign: Sign, chain: AuditChain | None) -> None:
        self._sign = sign
        self._chain = chain

    async def prepare(self, records: Sequence[Outbound]) -> list[Outbound]:
        """The records as they are sent."""
        if self._chain is None:
            return self._sign(records)
        chained = await self._chain.chain(records)
        covered = _covered_by_the_last(chained)
        if not covered:
            return self._sign(chained)
        signed = iter(self._sign([r for i, r in enumerate(chained) if i not in covered]))
        return [r if i in covered else next(signed) for i, r in enumerate(chained)]

    def settled(self, committed: bool) -> None:
        """Whether what :meth:`prepare` returned last was committed."""
        if self._chain is not None:
            self._chain.settled(committed)

    def forget(self) -> None:
        """An uncertain outcome: re-read the chain's head before its next entry."""
        if self._chain is not None:
            self._chain.forget()


def _covered_by_the_last(records: Sequence[Outbound]) -> set[int]:
    """Indexes of the audit entries a later entry of the same batch (the last) signs for."""
    audit = [i for i, r in enumerate(records) if r.topic == channels.AUDIT.topic and r.value]
    return set(audit[:-1])


def unsigned_entry_problem(
    entry: AuditEntry, key: bytes | None, signed: Mapping[str, bytes]
) -> str | None:
    """Why an unsigned entry cannot be proven by a later signature (None: it can).

    A signature covers the record's key, value and signed headers; the hash
    chain covers only the value. So an unsigned entry's key must be its chain
    and its signed headers exactly what :func:`audit_event` derives from the
    value (the subject as correlation id, the audit schema, JSON): nothing
    about it is left that a later signature does not vouch for.
    """
    if key != entry.chain.encode():
        return "key is not the entry's chain"
    expected = {
        h.CORRELATION_ID: entry.event.subject.encode(),
        h.SCHEMA: channels.AUDIT.schema_id.encode(),
        h.CONTENT_TYPE: channels.AUDIT.content_type.encode(),
    }
    for name in h.SIGNED:
        if signed.get(name) != expected[name]:
            return f"unsigned entry's {name} header is not the one its value implies"
    return None


def partition_of(chain_id: str, partitions: Sequence[int]) -> int:
    """The partition the producer's default partitioner puts key ``chain_id`` in."""
    ordered = sorted(partitions)
    chosen: int = DefaultPartitioner()(chain_id.encode(), ordered, ordered)
    return chosen


def kafka_head_reader(
    bootstrap_servers: str,
    *,
    client_id: str,
    security: Mapping[str, Any] | None = None,
    proven: Proven | None = None,
) -> HeadReader:
    """A :data:`HeadReader` on the live topic, committed records only.

    ``security`` is the service's own client options (its principal), so the
    reader reads as the writer it serves; ``proven`` as in :func:`last_entry`.
    """

    async def read(chain_id: str) -> Head | Beyond | None:
        consumer = AIOKafkaConsumer(
            bootstrap_servers=bootstrap_servers,
            client_id=client_id,
            **(security or {}),
            enable_auto_commit=False,
            isolation_level="read_committed",
        )
        started = time.monotonic()
        try:
            await consumer.start()
            head = await asyncio.wait_for(
                last_entry(consumer, channels.AUDIT.topic, chain_id, proven=proven),
                HEAD_READ_TIMEOUT_S,
            )
        except (KafkaError, OSError, TimeoutError) as error:
            # The batch backs off and is read again: no entry is chained from a guess.
            raise TransientFailure(
                f"audit chain {chain_id}: head unreadable ({type(error).__name__})"
            ) from error
        finally:
            close_later(consumer)
        told = f"seq {head[0]}" if isinstance(head, tuple) else "none" if head is None else "beyond"
        log.info(
            "audit chain %s: head %s, read back in %.1fs",
            chain_id,
            told,
            time.monotonic() - started,
        )
        return head

    return read


def signed_by(trusted: TrustedKeys, signer: str) -> Proven:
    """A :data:`Proven` for a writer: the record carries ``signer``'s valid audit signature."""
    accepted = frozenset({signer})

    def proven(record: Any) -> bool:
        try:
            trusted.verify(
                record.key, record.value, record.headers or (), accepted, channels.AUDIT.schema_id
            )
        except SignatureInvalid:
            return False
        return True

    return proven


_CLOSING: set["asyncio.Task[None]"] = set()
"""Head readers being stopped in the background (referenced until done)."""


def close_later(consumer: AIOKafkaConsumer) -> None:
    """Stop ``consumer`` in the background: the batch waiting for its head goes on.

    Why: aiokafka's ``stop`` waits until every connection reports closed.
    Over TLS that waits for the broker's answer to the client's close_notify,
    and when the broker does not answer, uvloop gives up only after its SSL
    shutdown timeout of 30 s. The gateway's first batch after a start, and
    every batch after an aborted commit, waited that long for a head it
    already had (logged as "read back in 30.6s").
    """
    task = asyncio.get_running_loop().create_task(consumer.stop())
    _CLOSING.add(task)
    task.add_done_callback(_closed)


def _closed(task: "asyncio.Task[None]") -> None:
    _CLOSING.discard(task)
    if not task.cancelled() and task.exception() is not None:
        log.warning("audit head reader not closed cleanly: %r", task.exception())


async def last_entry(
    consumer: Any,
    topic: str,
    chain_id: str,
    limit: int = SCAN_LIMIT,
    proven: Proven | None = None,
) -> Head | Beyond | None:
    """The head of ``chain_id`` in ``topic``: its last entry, found scanning back from the end.

    With ``proven``, its last entry that ``proven`` accepts (the writer's own
    signature): an unsigned entry is never a head, so nobody can slip one in
    for the writer to link to, and sign for, after its restart.
    :data:`BEYOND` when ``limit`` offsets were read back without finding it
    and the partition holds older ones.
    """
    partitions = consumer.partitions_for_topic(topic) or await _partitions(consumer, topic)
    if not partitions:
        return None
    tp = TopicPartition(topic, partition_of(chain_id, list(partitions)))
    consumer.assign([tp])
    start = (await consumer.beginning_offsets([tp]))[tp]
    end = (await consumer.end_offsets([tp]))[tp]
    floor = max(start, end - limit)
    key = chain_id.encode()
    while end > start:
        if end <= floor:
            return BEYOND
        low = max(floor, end - SCAN_WINDOW)
        ours: list[Any] = []
        consumer.seek(tp, low)
        while (await consumer.position(tp)) < end:
            batch = await consumer.getmany(tp, timeout_ms=1000)
            for record in batch.get(tp, []):
                if record.offset >= end:
                    break
                if record.key == key and record.value is not None:
                    ours.append(record)
        for record in reversed(ours):
            if proven is None or proven(record):
                entry = AuditEntry.model_validate_json(record.value)
                return (entry.seq, entry_hash(record.value))
        end = low
    return None


async def _partitions(consumer: Any, topic: str) -> set[int]:
    await consumer._client.force_metadata_update()  # the topic may be new to this client
    found: set[int] = consumer.partitions_for_topic(topic) or set()
    return found
