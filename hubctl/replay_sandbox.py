"""``hubctl replay sandbox``: copy a range of production topics into ``sandbox.<NAME>.<T>``.

Why: an integrator tests a consumer (or the hub's next release) against real
traffic without touching production. The copy keeps each record's partition,
key, value and headers, so keyed ordering holds, and adds
``insw-replayed-from: <topic>/<partition>/<offset>`` so every copy can be traced
back to its original. Production topics are only read: the one producer here
writes only to names :func:`sandbox_topic` built and checked.
"""

from __future__ import annotations

import argparse
import asyncio
import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from functools import partial
from typing import Any

from aiokafka import AIOKafkaProducer
from aiokafka.admin import NewTopic
from aiokafka.errors import TopicAlreadyExistsError, for_code
from rich.table import Table

from hubctl import console
from hubctl.console import Failed, Refused, admin_client, reader
from hubctl.replay_kafka import (
    TopicLayout,
    existing_layout,
    layouts,
    log_bounds,
    offsets_at,
    partitions_of,
    read_ranges,
)
from hubctl.replay_offsets import OffsetRange, offset_ranges, parse_instant, time_ranges
from runtime.kafka_security import from_environment

SANDBOX_PREFIX = "sandbox."
REPLAYED_FROM = "insw-replayed-from"
NAMESPACE = re.compile(r"[A-Za-z0-9][A-Za-z0-9_-]{0,63}")
"""A namespace is one name component: no dots, so it cannot reach outside ``sandbox.<NAME>.``."""
IN_FLIGHT = 1000
"""Records sent before waiting for the broker's acknowledgements."""
LEGAL_TOPIC = re.compile(r"[A-Za-z0-9._-]{1,249}")
"""Kafka's own rule for topic names."""


@dataclass(frozen=True)
class SandboxCopy:
    """One source topic, where its copy goes, and which offsets of each partition it takes."""

    source: TopicLayout
    target: str
    ranges: dict[int, OffsetRange]

    @property
    def span(self) -> int:
        """Offsets to walk through, over every partition."""
        return sum(r.span for r in self.ranges.values())


def sandbox_topic(namespace: str, topic: str) -> str:
    """``sandbox.<namespace>.<topic>``, refusing anything that could write outside the sandbox.

    Refused: a namespace that is not one plain name component, a source that
    is already a sandbox topic of the same namespace (a copy of a copy into
    itself), and a result Kafka would not accept as a topic name.
    """
    if not NAMESPACE.fullmatch(namespace):
        raise Refused(
            f"namespace {namespace!r} must be letters, digits, '-' or '_' "
            "(at most 64, no dots): it becomes one part of sandbox.<NAME>.<topic>"
        )
    own = f"{SANDBOX_PREFIX}{namespace}."
    if topic.startswith(own):
        raise Refused(f"{topic} is already a topic of sandbox {namespace}; copy its source")
    target = own + topic
    if not target.startswith(SANDBOX_PREFIX) or not LEGAL_TOPIC.fullmatch(target):
        raise Refused(f"{target} is not a legal sandbox topic name")
    return target


def sandbox_targets(namespace: str, sources: Sequence[str]) -> dict[str, str]:
    """Every source's sandbox topic, all checked before anything is read or created."""
    if not sources:
        raise Refused("name at least one --topic to copy")
    return {source: sandbox_topic(namespace, source) for source in dict.fromkeys(sources)}


def copied_headers(
    headers: Iterable[tuple[str, bytes]], topic: str, partition: int, offset: int
) -> list[tuple[str, bytes]]:
    """The record's headers plus where it was copied from (replacing an older such header)."""
    kept = [(name, value) for name, value in headers if name != REPLAYED_FROM]
    return [*kept, (REPLAYED_FROM, f"{topic}/{partition}/{offset}".encode())]


def check_range_options(args: argparse.Namespace) -> None:
    """Offsets or times, not both, and at least one bound."""
    by_offset = args.from_offset is not None or args.to_offset is not None
    by_time = args.from_time is not None or args.to_time is not None
    if by_offset and by_time:
        raise Refused("give the range as offsets or as times, not both")
    if not (by_offset or by_time):
        raise Refused("give a range: --from-offset/--to-offset or --from-time/--to-time")
    for name in ("from_offset", "to_offset"):
        value = getattr(args, name)
        if value is not None and value < 0:
            raise Refused(f"--{name.replace('_', '-')} must be 0 or more")


async def _ranges(
    consumer: Any, layout: TopicLayout, args: argparse.Namespace
) -> dict[int, OffsetRange]:
    tps = partitions_of(layout)
    bounds = await log_bounds(consumer, tps)
    if args.from_time is None and args.to_time is None:
        return offset_ranges(bounds, args.from_offset, args.to_offset)
    start = (
        None
        if args.from_time is None
        else await offsets_at(consumer, tps, parse_instant(args.from_time))
    )
    stop = (
        None
        if args.to_time is None
        else await offsets_at(consumer, tps, parse_instant(args.to_time))
    )
    return time_ranges(bounds, start, stop)


async def plan(bootstrap: str, args: argparse.Namespace) -> list[SandboxCopy]:
    """Check names and ranges, and fix each partition's range, before anything is written."""
    check_range_options(args)
    targets = sandbox_targets(args.namespace, args.topic)
    async with admin_client(bootstrap) as admin:
        sources = [await existing_layout(admin, source) for source in targets]
        known = await layouts(admin)
    for layout in sources:
        existing = known.get(targets[layout.name])
        if existing is not None and existing.partitions != layout.partitions:
            raise Refused(
                f"{existing.name} exists with {len(existing.partitions)} partition(s), "
                f"{layout.name} has {len(layout.partitions)}: partitions could not be kept"
            )
    async with reader(bootstrap) as consumer:
        return [
            SandboxCopy(layout, targets[layout.name], await _ranges(consumer, layout, args))
            for layout in sources
        ]


def plan_table(copies: list[SandboxCopy]) -> Table:
    """What will be copied where."""
    table = Table(title="sandbox copy")
    for column in ("source", "partition", "from", "to (excl.)", "offsets", "sandbox topic"):
        table.add_column(column)
    for copy in copies:
        for p, r in copy.ranges.items():
            table.add_row(
                copy.source.name, str(p), str(r.start), str(r.stop), str(r.span), copy.target
            )
    return table


async def create_missing(bootstrap: str, copies: list[SandboxCopy]) -> list[str]:
    """Create the sandbox topics that do not exist, with their source's partitions."""
    async with admin_client(bootstrap) as admin:
        known = await layouts(admin)
        wanted = [c for c in copies if c.target not in known]
        if wanted:
            response = await admin.create_topics(
                [
                    NewTopic(
                        name=c.target,
                        num_partitions=len(c.source.partitions),
                        replication_factor=c.source.replication_factor,
                    )
                    for c in wanted
                ]
            )
            for name, code, *detail in response.topic_errors:
                if code not in (0, TopicAlreadyExistsError.errno):
                    raise Failed(f"creating {name}: {for_code(code).__name__} {detail}")
    return [c.target for c in wanted]


async def copy_records(bootstrap: str, copies: list[SandboxCopy]) -> dict[str, int]:
    """Copy every range, one progress bar per topic; returns records written per sandbox topic."""
    written: dict[str, int] = {}
    producer = AIOKafkaProducer(
        bootstrap_servers=bootstrap,
        acks="all",
        enable_idempotence=True,
        client_id="hubctl-sandbox",
        **from_environment(bootstrap),
    )
    await producer.start()
    try:
        with console.progress() as bars:
            async with reader(bootstrap) as consumer:
                for copy in copies:
                    task = bars.add_task(f"{copy.source.name} -> {copy.target}", total=copy.span)
                    written[copy.target] = await _copy_one(
                        consumer, producer, copy, partial(bars.advance, task)
                    )
    finally:
        await producer.stop()
    return written


async def _copy_one(
    consumer: Any, producer: Any, copy: SandboxCopy, advanced: Callable[[int], None]
) -> int:
    """Copy one topic's ranges, waiting for acknowledgements every :data:`IN_FLIGHT` records."""
    pending: list[Any] = []
    count = 0
    async for record in read_ranges(consumer, copy.source.name, copy.ranges, advanced):
        headers = copied_headers(
            record.headers or (), record.topic, record.partition, record.offset
        )
        pending.append(
            await producer.send(
                copy.target,
                record.value,
                key=record.key,
                partition=record.partition,
                headers=headers,
            )
        )
        if len(pending) >= IN_FLIGHT:
            count += len(await asyncio.gather(*pending))
            pending = []
    return count + len(await asyncio.gather(*pending))


async def sandbox(args: argparse.Namespace) -> int:
    """Plan, show, and (unless ``--dry-run``) create the topics and copy."""
    bootstrap = console.bootstrap_servers(args.bootstrap)
    copies = await plan(bootstrap, args)
    out = console.out()
    out.print(plan_table(copies))
    if args.dry_run:
        out.print("dry run: nothing created, nothing copied")
        return console.EXIT_OK
    for created in await create_missing(bootstrap, copies):
        out.print(f"created {created}")
    for target, count in (await copy_records(bootstrap, copies)).items():
        out.print(f"copied {count} record(s) into {target}")
    return console.EXIT_OK


def run(args: argparse.Namespace) -> int:
    """Entry point of ``replay sandbox``."""
    return console.run(sandbox(args))
