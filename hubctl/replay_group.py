"""``hubctl replay group``: move a consumer group's committed offsets so it reads again.

Kafka lets anyone but the group's own members commit its offsets only while
the group has no members, and a running member would overwrite the new
offsets with its own position at its next commit anyway. So the group's
state is checked first and a group with members is refused, by name; the
broker enforces the same rule should a member join in between.

Re-reading is safe for the hub's own groups because every service is
idempotent: the gateway skips submissions it has decided, the notifier
emails once per decision id, the CEISA adapter sends once per submission id.
"""

from __future__ import annotations

import argparse
from typing import Any

from aiokafka import TopicPartition
from aiokafka.errors import (
    CommitFailedError,
    IllegalGenerationError,
    RebalanceInProgressError,
    UnknownMemberIdError,
)
from rich.table import Table

from hubctl import console
from hubctl.console import Refused, admin_client, reader
from hubctl.replay_kafka import (
    existing_layout,
    log_bounds,
    offsets_at,
    partitions_of,
)
from hubctl.replay_offsets import PartitionMove, Target, TargetKind, parse_instant, plan_moves

REDRIVABLE_STATES = frozenset({"Empty", "Dead"})
"""Group states without members: ``Empty`` (offsets, no consumers) or ``Dead`` (unknown group)."""


async def group_state(admin: Any, group: str) -> tuple[str, int]:
    """The group's state as its coordinator reports it, and how many members it has."""
    [response] = await admin.describe_consumer_groups([group])
    [description] = response.to_object()["groups"]
    return description["state"], len(description["members"])


def refuse_if_active(group: str, state: str, members: int) -> None:
    """Refuse a group that still has members, saying what to do instead."""
    if state not in REDRIVABLE_STATES:
        raise Refused(
            f"consumer group {group} is {state} with {members} member(s); "
            "stop its consumers (the service) and run the re-drive again"
        )


async def committed_offsets(
    admin: Any, group: str, tps: list[TopicPartition]
) -> dict[int, int | None]:
    """The group's committed offset per partition; ``None`` where it never committed."""
    found = await admin.list_consumer_group_offsets(group, partitions=tps)
    committed: dict[int, int | None] = {tp.partition: None for tp in tps}
    for tp, meta in found.items():
        committed[tp.partition] = meta.offset if meta.offset >= 0 else None
    return committed


def target_of(args: argparse.Namespace) -> Target:
    """The one restart point the command line asked for."""
    if args.to_offset is not None:
        if args.to_offset < 0:
            raise Refused("--to-offset must be 0 or more")
        return Target(TargetKind.OFFSET, args.to_offset)
    if args.to_timestamp is not None:
        return Target(TargetKind.TIMESTAMP, parse_instant(args.to_timestamp))
    return Target(TargetKind.EARLIEST if args.to_earliest else TargetKind.LATEST)


def moves_table(group: str, topic: str, target: Target, moves: list[PartitionMove]) -> Table:
    """Current -> target per partition, with what it means in records."""
    table = Table(title=f"group {group} on {topic}: to {target.describe()}")
    for column in ("partition", "committed", "target", "log start", "log end", "effect"):
        table.add_column(column, justify="left" if column == "effect" else "right")
    for m in moves:
        committed = "none" if m.committed is None else str(m.committed)
        table.add_row(
            str(m.partition),
            committed,
            str(m.target),
            str(m.bounds.beginning),
            str(m.bounds.end),
            m.effect(),
        )
    return table


async def commit_moves(bootstrap: str, group: str, topic: str, moves: list[PartitionMove]) -> None:
    """Commit every target offset for the group, as a client outside the group.

    The broker accepts such a commit only from a group without members; if a
    member joined since the check, the refusal is reported as such.
    """
    offsets = {TopicPartition(topic, m.partition): m.target for m in moves}
    async with reader(bootstrap, group_id=group) as consumer:
        consumer.assign(list(offsets))
        try:
            await consumer.commit(offsets)
        except (
            CommitFailedError,
            IllegalGenerationError,
            RebalanceInProgressError,
            UnknownMemberIdError,
        ):
            raise Refused(
                f"consumer group {group} gained members while re-driving; nothing was committed "
                "by this run for the partitions the broker refused. Stop its consumers and retry"
            ) from None


async def redrive(args: argparse.Namespace) -> int:
    """Check, plan, show, and (unless ``--dry-run``) commit."""
    bootstrap = console.bootstrap_servers(args.bootstrap)
    target = target_of(args)
    async with admin_client(bootstrap) as admin:
        state, members = await group_state(admin, args.group)
        refuse_if_active(args.group, state, members)
        layout = await existing_layout(admin, args.topic)
        tps = partitions_of(layout, None if args.partition is None else [args.partition])
        committed = await committed_offsets(admin, args.group, tps)
    async with reader(bootstrap) as consumer:
        bounds = await log_bounds(consumer, tps)
        found = None
        if target.kind is TargetKind.TIMESTAMP and target.value is not None:
            found = await offsets_at(consumer, tps, target.value)
    moves = plan_moves(target, bounds, committed, found)
    out = console.out()
    out.print(moves_table(args.group, args.topic, target, moves))
    re_read = sum(m.re_read for m in moves)
    if args.dry_run:
        out.print(f"dry run: nothing committed ({re_read} offsets would be re-read)")
        return console.EXIT_OK
    await commit_moves(bootstrap, args.group, args.topic, moves)
    out.print(f"committed {len(moves)} partition(s) for group {args.group}; {re_read} to re-read")
    return console.EXIT_OK


def run(args: argparse.Namespace) -> int:
    """Entry point of ``replay group``."""
    return console.run(redrive(args))
