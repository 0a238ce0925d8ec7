"""``hubctl audit verify``: prove a range of the audit trail unaltered, or name its first break.

Why: the audit trail (``insw.audit.v1``, see :mod:`runtime.audit`) is only
worth something if anyone can check it without trusting the hub. Each
partition is read in offset order (committed records only) and every entry
is checked:

1. its signature, against the trusted-keys registry (``HUB_TRUSTED_KEYS``),
   by a signer the audit channel accepts. Writers sign the last entry of
   each batch only; an unsigned entry counts once a later signed entry of
   its chain links to it, and its key and signed headers must be what its
   value implies (see :func:`verify_partition`);
2. it is a readable entry whose chain is its key;
3. it follows its chain's previous entry: ``seq`` one more, ``prev`` the
   SHA-256 of that entry's value. When the range starts at the beginning of
   the log, a chain's first entry must be ``seq`` 0 after the genesis hash;
   otherwise the first entry seen of each chain anchors it.

The first entry failing any check is named by topic, partition and offset,
with the reason; the exit status is 1 then. One changed byte anywhere in an
entry's key, value or signed headers breaks its signature, or the link a
later signature vouches for; a removed or reordered entry breaks the link
after it. A range that ends inside a batch is read on (at most
:data:`READ_ON` offsets) for the signature that proves its last entries.
"""

from __future__ import annotations

import argparse
import os
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from pydantic import ValidationError
from rich.table import Table

from contracts import channels
from contracts import headers as h
from contracts.audit import GENESIS, AuditEntry
from hubctl import console
from hubctl.console import Refused, reader
from hubctl.replay_kafka import existing_layout, log_bounds, partitions_of, read_ranges
from hubctl.replay_offsets import OffsetRange
from hubctl.replay_sandbox import sandbox_topic
from runtime.audit import entry_hash, unsigned_entry_problem
from runtime.secrets import DEVELOPMENT
from runtime.signing import (
    SignatureInvalid,
    TrustedKeys,
    development_registry,
    parse_trusted_keys,
    signed_headers,
)

READ_ON = 10_000
"""Offsets read past a range's end, at most, for the signed entries that prove its last ones."""


@dataclass(frozen=True)
class Stored:
    """One audit record as read from the log."""

    partition: int
    offset: int
    key: bytes | None
    value: bytes | None
    headers: tuple[tuple[str, bytes], ...]


@dataclass(frozen=True)
class Broken:
    """The first entry of a partition that fails a check, and why."""

    partition: int
    offset: int
    reason: str


@dataclass
class Verdict:
    """What verifying one partition found."""

    partition: int
    checked: int = 0
    chains: int = 0
    skipped: int = 0
    """Unsigned entries no signature covers, which their chain left behind (see below)."""
    broken: Broken | None = None


Link = tuple[int, str, int]
"""(seq, SHA-256 of the value, offset) of an entry of a chain."""

_GENESIS_LINK: Link = (-1, GENESIS, -1)


@dataclass
class _Chain:
    """One chain as read so far: its last proven entry, its last entry, what lies between."""

    proven: Link | None
    """The last entry a signature proves (the genesis before any; None: not known yet)."""
    tip: Link | None
    pending: list[int]
    """Offsets of the unsigned entries after ``proven``, up to and including ``tip``."""


def verify_partition(
    partition: int,
    records: Iterable[Stored],
    trusted: TrustedKeys,
    *,
    from_start: bool,
    stop: int | None = None,
) -> Verdict:
    """Check one partition's records in offset order; stop at the first broken link.

    A writer signs the last audit entry of each batch, and that signature
    proves every unsigned entry its hash chain links back to
    (:class:`runtime.audit.OutputStage`). So an unsigned entry is held until a
    signed entry of its chain links to it. A run of unsigned entries that the
    chain's next signed entry does not link to, because it follows the last
    proven entry instead, was never proven: a publish that landed in part and
    was written again (or something slipped in). It is skipped and counted,
    not verified. An unsigned entry that no signed entry follows at all is a
    broken link. Records at ``stop`` and beyond are read only to find the
    signed entries that prove unsigned ones inside the range.
    """
    walk = _Walk(Verdict(partition), trusted, from_start, stop)
    for record in records:
        inside = stop is None or record.offset < stop
        if not inside and not any(c.pending for c in walk.chains.values()):
            break
        broken = walk.step(record)
        if broken is not None:
            walk.verdict.broken = broken
            break
    return walk.end()


@dataclass
class _Walk:
    """One partition's records, checked in offset order."""

    verdict: Verdict
    trusted: TrustedKeys
    from_start: bool
    stop: int | None
    chains: dict[str, _Chain] = field(default_factory=dict)

    def step(self, record: Stored) -> Broken | None:
        """Why ``record`` breaks the trail (None: it holds, so far); its chain moves if it holds."""
        signed = any(name == h.SIGNATURE for name, _ in record.headers)
        entry = self._read(record, signed)
        if isinstance(entry, str):
            return Broken(self.verdict.partition, record.offset, entry)
        chain = self.chains.get(entry.chain)
        if chain is None:
            start = _GENESIS_LINK if self.from_start else None
            chain = self.chains[entry.chain] = _Chain(proven=start, tip=start, pending=[])
        why = _follows(entry, chain.tip)
        if why is not None and chain.pending and _follows(entry, chain.proven) is None:
            self.verdict.skipped += len(chain.pending)  # left behind: never proven
            chain.pending, chain.tip = [], chain.proven
            why = None
        if why is not None:
            tip = chain.tip
            if chain.pending and tip is not None and entry.seq == tip[0] + 1:
                # The link is right but the hash is not: the unsigned entry before it changed.
                return Broken(
                    self.verdict.partition,
                    tip[2],
                    f"unsigned entry is not the one seq {entry.seq} at offset {record.offset}"
                    " links to",
                )
            return Broken(self.verdict.partition, record.offset, why)
        chain.tip = (entry.seq, entry_hash(record.value or b""), record.offset)
        if signed:
            self.verdict.checked += len(self._inside([*chain.pending, record.offset]))
            chain.proven, chain.pending = chain.tip, []
        else:
            chain.pending.append(record.offset)
        return None

    def end(self) -> Verdict:
        """The verdict, once every record was read: an unsigned entry left unproven breaks it."""
        verdict = self.verdict
        unproven = self._inside([o for c in self.chains.values() for o in c.pending])
        if verdict.broken is None and unproven:
            verdict.broken = Broken(
                verdict.partition,
                min(unproven),
                "unsigned, and no signed entry of its chain follows it",
            )
        verdict.chains = len(self.chains)
        return verdict

    def _read(self, record: Stored, signed: bool) -> AuditEntry | str:
        """The entry, or why the record is not one that may be in the trail."""
        audit = channels.AUDIT
        try:
            if signed:
                self.trusted.verify(
                    record.key, record.value, record.headers, audit.signers, audit.schema_id
                )
            entry = AuditEntry.model_validate_json(record.value or b"")
            if not signed:
                problem = unsigned_entry_problem(entry, record.key, signed_headers(record.headers))
                if problem is not None:
                    return problem
        except SignatureInvalid as error:
            return str(error)
        except ValidationError:
            return "not a readable audit entry"
        if record.key != entry.chain.encode():
            return "key is not the entry's chain"
        return entry

    def _inside(self, offsets: list[int]) -> list[int]:
        return [o for o in offsets if self.stop is None or o < self.stop]


def _follows(entry: AuditEntry, head: Link | None) -> str | None:
    """Why ``entry`` is not the next entry after ``head`` (None: it is; any entry anchors None)."""
    if head is None:
        return None
    seq, digest, offset = head
    if head == _GENESIS_LINK:
        if entry.seq != 0 or entry.prev != GENESIS:
            return f"chain {entry.chain} starts at seq {entry.seq}, not at its genesis"
        return None
    if entry.seq != seq + 1:
        return f"chain {entry.chain}: seq {entry.seq} follows seq {seq} (offset {offset})"
    if entry.prev != digest:
        return f"chain {entry.chain}: prev is not the hash of seq {seq} (offset {offset})"
    return None


def trusted_from_env() -> TrustedKeys:
    """``HUB_TRUSTED_KEYS``; the development registry only with ``HUB_ENV=development``."""
    text = os.environ.get("HUB_TRUSTED_KEYS", "").strip()
    if text:
        return parse_trusted_keys(text)
    if os.environ.get("HUB_ENV") == DEVELOPMENT:
        return development_registry()
    raise Refused("HUB_TRUSTED_KEYS is not set: the audit trail cannot be verified without it")


async def verify(args: argparse.Namespace) -> int:
    """Read the range and check each partition; report, and fail on a broken link."""
    bootstrap = console.bootstrap_servers(args.bootstrap)
    topic = channels.AUDIT.topic
    if args.sandbox:
        topic = sandbox_topic(args.sandbox, topic)
    verdicts = await verify_topic(
        bootstrap,
        topic,
        trusted_from_env(),
        partitions=args.partition,
        from_offset=args.from_offset,
        to_offset=args.to_offset,
    )
    return _report(topic, verdicts)


async def verify_topic(
    bootstrap: str,
    topic: str,
    trusted: TrustedKeys,
    *,
    partitions: list[int] | None = None,
    from_offset: int | None = None,
    to_offset: int | None = None,
) -> list[Verdict]:
    """Each partition's verdict over the range (the whole log by default).

    Also what the fault suite runs after every scenario: a trail a crash
    left unverifiable is a failed scenario.
    """
    async with console.admin_client(bootstrap) as admin:
        layout = await existing_layout(admin, topic)
    verdicts: list[Verdict] = []
    async with reader(bootstrap) as consumer:
        tps = partitions_of(layout, partitions)
        bounds = await log_bounds(consumer, tps)
        for tp in tps:
            low, high = bounds[tp.partition].beginning, bounds[tp.partition].end
            start = max(low, from_offset) if from_offset is not None else low
            stop = min(high, to_offset + 1) if to_offset is not None else high
            rows = [
                _stored(r)
                async for r in read_ranges(
                    consumer, topic, {tp.partition: OffsetRange(start, min(high, stop + READ_ON))}
                )
            ]
            verdicts.append(
                verify_partition(
                    tp.partition, rows, trusted, from_start=start == low == 0, stop=stop
                )
            )
    return verdicts


def _stored(record: Any) -> Stored:
    return Stored(
        record.partition, record.offset, record.key, record.value, tuple(record.headers or ())
    )


def _report(topic: str, verdicts: list[Verdict]) -> int:
    out = console.out()
    table = Table(title=f"audit trail {topic}")
    columns = ("partition", "entries verified", "chains", "unproven, skipped", "first broken link")
    for column in columns:
        table.add_column(column)
    for v in verdicts:
        broken = f"offset {v.broken.offset}: {v.broken.reason}" if v.broken else "-"
        table.add_row(str(v.partition), str(v.checked), str(v.chains), str(v.skipped), broken)
    out.print(table)
    broken_links = [v.broken for v in verdicts if v.broken is not None]
    for link in broken_links:
        out.print(f"BROKEN {topic}/{link.partition}/{link.offset}: {link.reason}")
    if broken_links:
        return console.EXIT_FAILED
    out.print(f"unaltered: {sum(v.checked for v in verdicts)} entries verified")
    return console.EXIT_OK


def register(subparsers: Any) -> None:
    """Add ``audit verify`` to the ``hubctl`` command line."""
    audit = subparsers.add_parser("audit", help="verify the tamper-evident audit trail")
    commands = audit.add_subparsers(dest="audit_command", required=True)
    parser = commands.add_parser(
        "verify",
        help="prove a range of insw.audit.v1 unaltered, or name its first broken link",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    console.add_bootstrap(parser)
    parser.add_argument("--sandbox", metavar="NAME", help="verify sandbox.NAME.insw.audit.v1")
    parser.add_argument("--partition", type=int, action="append", help="only these partitions")
    parser.add_argument("--from-offset", type=int, help="first offset (default: the log's start)")
    parser.add_argument("--to-offset", type=int, help="last offset, included (default: the end)")
    parser.set_defaults(run=lambda args: console.run(verify(args)))
