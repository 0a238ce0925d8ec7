"""``hubctl audit verify``: prove a range of the audit trail unaltered, or name its first break.

Why: the audit trail (``insw.audit.v1``, see :mod:`runtime.audit`) is only
worth something if anyone can check it without trusting the hub. Each
partition is read in offset order (committed records only) and every entry
is checked:

1. its signature, against the trusted-keys registry (``HUB_TRUSTED_KEYS``),
   by a signer the audit channel accepts;
2. it is a readable entry whose chain is its key;
3. it follows its chain's previous entry: ``seq`` one more, ``prev`` the
   SHA-256 of that entry's value. When the range starts at the beginning of
   the log, a chain's first entry must be ``seq`` 0 after the genesis hash;
   otherwise the first entry seen of each chain anchors it.

The first entry failing any check is named by topic, partition and offset,
with the reason; the exit status is 1 then. One changed byte anywhere in an
entry's key, value or signed headers breaks its signature; a removed or
reordered entry breaks the link after it.
"""

from __future__ import annotations

import argparse
import os
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from pydantic import ValidationError
from rich.table import Table

from contracts import channels
from contracts.audit import GENESIS, AuditEntry
from hubctl import console
from hubctl.console import Refused, reader
from hubctl.replay_kafka import existing_layout, log_bounds, partitions_of, read_ranges
from hubctl.replay_offsets import OffsetRange
from hubctl.replay_sandbox import sandbox_topic
from runtime.audit import entry_hash
from runtime.secrets import DEVELOPMENT
from runtime.signing import (
    SignatureInvalid,
    TrustedKeys,
    development_registry,
    parse_trusted_keys,
)


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
    broken: Broken | None = None


def verify_partition(
    partition: int, records: Iterable[Stored], trusted: TrustedKeys, *, from_start: bool
) -> Verdict:
    """Check one partition's records in offset order; stop at the first broken link."""
    verdict = Verdict(partition)
    heads: dict[str, tuple[int, str, int]] = {}  # chain -> (seq, hash, offset)
    for record in records:
        reason = _check(record, trusted, heads, from_start)
        if reason is not None:
            verdict.broken = Broken(partition, record.offset, reason)
            break
        verdict.checked += 1
    verdict.chains = len(heads)
    return verdict


def _check(
    record: Stored,
    trusted: TrustedKeys,
    heads: dict[str, tuple[int, str, int]],
    from_start: bool,
) -> str | None:
    """Why ``record`` breaks the trail (None: it holds), moving its chain's head when it holds."""
    audit = channels.AUDIT
    try:
        trusted.verify(record.key, record.value, record.headers, audit.signers, audit.schema_id)
        entry = AuditEntry.model_validate_json(record.value or b"")
    except SignatureInvalid as error:
        return str(error)
    except ValidationError:
        return "not a readable audit entry"
    if record.key != entry.chain.encode():
        return "key is not the entry's chain"
    return _link(entry, record, heads, from_start)


def _link(
    entry: AuditEntry, record: Stored, heads: dict[str, tuple[int, str, int]], from_start: bool
) -> str | None:
    """Why ``entry`` does not follow its chain's head (None: it does; the head moves)."""
    head = heads.get(entry.chain)
    if head is None:
        if from_start and (entry.seq != 0 or entry.prev != GENESIS):
            return f"chain {entry.chain} starts at seq {entry.seq}, not at its genesis"
    else:
        seq, digest, offset = head
        if entry.seq != seq + 1:
            return f"chain {entry.chain}: seq {entry.seq} follows seq {seq} (offset {offset})"
        if entry.prev != digest:
            return f"chain {entry.chain}: prev is not the hash of seq {seq} (offset {offset})"
    heads[entry.chain] = (entry.seq, entry_hash(record.value or b""), record.offset)
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
    trusted = trusted_from_env()
    topic = channels.AUDIT.topic
    if args.sandbox:
        topic = sandbox_topic(args.sandbox, topic)
    async with console.admin_client(bootstrap) as admin:
        layout = await existing_layout(admin, topic)
    verdicts: list[Verdict] = []
    async with reader(bootstrap) as consumer:
        tps = partitions_of(layout, args.partition)
        bounds = await log_bounds(consumer, tps)
        for tp in tps:
            low, high = bounds[tp.partition].beginning, bounds[tp.partition].end
            start = max(low, args.from_offset) if args.from_offset is not None else low
            stop = min(high, args.to_offset + 1) if args.to_offset is not None else high
            rows = [
                _stored(r)
                async for r in read_ranges(
                    consumer, topic, {tp.partition: OffsetRange(start, stop)}
                )
            ]
            verdicts.append(
                verify_partition(tp.partition, rows, trusted, from_start=start == low == 0)
            )
    return _report(topic, verdicts)


def _stored(record: Any) -> Stored:
    return Stored(
        record.partition, record.offset, record.key, record.value, tuple(record.headers or ())
    )


def _report(topic: str, verdicts: list[Verdict]) -> int:
    out = console.out()
    table = Table(title=f"audit trail {topic}")
    for column in ("partition", "entries verified", "chains", "first broken link"):
        table.add_column(column)
    for v in verdicts:
        broken = f"offset {v.broken.offset}: {v.broken.reason}" if v.broken else "-"
        table.add_row(str(v.partition), str(v.checked), str(v.chains), broken)
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
