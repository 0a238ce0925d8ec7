"""``hubctl dlq redrive``: send dead letters back to their topic, each exactly once.

Everything is checked before anything is sent (topic, key, every chosen
record's origin header and seal), so a refusal leaves nothing half-done.
Records then go out in transactions that also commit the re-drive group's
progress (``send_offsets_to_transaction``): a record is on its topic if and
only if the group says it was re-driven.
"""

import argparse

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn

from contracts.topics import DLQ_SUFFIX
from hubctl.console import Refused
from hubctl.dlq_kafka import DlqCluster, RedriveProducer
from hubctl.dlq_letters import prepare, seal_from_env
from hubctl.dlq_output import emit, redrive_line, redrive_row
from hubctl.dlq_progress import REDRIVE_GROUP, Batch, plan_batches
from runtime.sealing import DeadLetterSeal

BATCH_SIZE = 200
"""Records per re-drive transaction: small enough to finish well inside the transaction timeout."""
HANDFUL = 5
"""Above this many records a re-drive shows a progress bar and no line per record."""


async def redrive(args: argparse.Namespace) -> int:
    """Validate everything first, then send in transactions that commit the progress too."""
    pick = _pick(args)
    if not args.topic.endswith(DLQ_SUFFIX):
        raise Refused(f"--topic must name a dead-letter topic (…{DLQ_SUFFIX}), not {args.topic}")
    seal = seal_from_env()
    async with DlqCluster(args.bootstrap) as cluster:
        partitions = await cluster.require(args.topic)
        if args.dry_run:
            batches = await _plan(cluster, args, seal, pick, partitions)
        else:
            # Fence an earlier run and let its transaction end before reading progress.
            async with RedriveProducer(args.bootstrap, args.topic) as producer:
                batches = await _plan(cluster, args, seal, pick, partitions)
                await _send(producer, batches, args.topic)
    _report(args, batches)
    return 0


def _pick(args: argparse.Namespace) -> tuple[int, int] | None:
    """``(partition, offset)`` for a single re-drive, ``None`` for ``--all``; refuses a mix."""
    single = args.partition is not None or args.offset is not None
    if args.all == single:
        raise Refused("choose either --partition P --offset O or --all")
    if single and (args.partition is None or args.offset is None):
        raise Refused("--partition and --offset go together")
    if args.all and args.force:
        raise Refused("--force applies to a single --partition/--offset only")
    return None if args.all else (args.partition, args.offset)


async def _plan(
    cluster: DlqCluster,
    args: argparse.Namespace,
    seal: DeadLetterSeal,
    pick: tuple[int, int] | None,
    partitions: list[int],
) -> list[Batch]:
    """The transactions to run; raises before any is run if one record cannot be re-driven."""
    if pick is None:
        batches = await _plan_all(cluster, args.topic, seal, partitions)
    else:
        batches = await _plan_single(cluster, args.topic, seal, pick, partitions, force=args.force)
    await _require_destinations(cluster, batches)
    return batches


async def _plan_all(
    cluster: DlqCluster, topic: str, seal: DeadLetterSeal, partitions: list[int]
) -> list[Batch]:
    """Everything from the group's offset to the end, minus singles already sent."""
    bounds = await cluster.bounds(topic, partitions)
    progress = await cluster.progress(topic, bounds)
    ends = {p: end for p, (_, end) in bounds.items()}
    backlog = await cluster.read(topic, {p: (progress[p].committed, ends[p]) for p in ends})
    redrives = [prepare(d, seal) for d in backlog if not progress[d.partition].redriven(d.offset)]
    return plan_batches(redrives, progress, ends, BATCH_SIZE)


async def _plan_single(
    cluster: DlqCluster,
    topic: str,
    seal: DeadLetterSeal,
    pick: tuple[int, int],
    partitions: list[int],
    *,
    force: bool,
) -> list[Batch]:
    """One dead letter; refused when already re-driven unless forced (then progress stays)."""
    partition, offset = pick
    if partition not in partitions:
        raise Refused(f"{topic} has no partition {partition}")
    progress = await cluster.progress(topic, await cluster.bounds(topic, [partition]))
    done = progress[partition]
    if done.redriven(offset) and not force:
        raise Refused(
            f"{topic}/{partition}/{offset} was already re-driven (group {REDRIVE_GROUP} "
            f"is at {done.committed}); --force sends it again"
        )
    redrive = prepare(await cluster.read_one(topic, partition, offset), seal)
    commit = {} if done.redriven(offset) else {partition: done.after_single(offset)}
    return [Batch((redrive,), commit)]


async def _require_destinations(cluster: DlqCluster, batches: list[Batch]) -> None:
    """Refuse to send to a topic that does not exist (the broker might create it silently)."""
    existing = await cluster.topics()
    for batch in batches:
        for redrive in batch.redrives:
            if redrive.topic not in existing:
                raise Refused(
                    f"{redrive.source.coordinates}: original topic {redrive.topic} "
                    "(header __connect.errors.topic) does not exist"
                )


async def _send(producer: RedriveProducer, batches: list[Batch], topic: str) -> None:
    """Run the transactions in order; a progress bar on a terminal for more than a handful."""
    total = sum(len(batch.redrives) for batch in batches)
    columns = (TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn())
    console = Console(stderr=True)
    quiet = total <= HANDFUL or not console.is_terminal
    with Progress(*columns, console=console, transient=True, disable=quiet) as bar:
        task = bar.add_task(f"re-driving {topic}", total=total)
        for batch in batches:
            await producer.commit(batch)
            bar.advance(task, len(batch.redrives))


def _report(args: argparse.Namespace, batches: list[Batch]) -> None:
    """What was (or would be) sent, and where the re-drive group now stands."""
    rows = [redrive_row(r) for batch in batches for r in batch.redrives]
    progress = {p: done.committed for batch in batches for p, done in batch.progress.items()}
    report = {
        "dlq_topic": args.topic,
        "dry_run": args.dry_run,
        "records": rows,
        "group_offsets": progress,
    }
    verb = "would re-drive" if args.dry_run else "re-drove"
    lines = (
        [redrive_line(row, args.dry_run) for row in rows]
        if args.dry_run or len(rows) <= HANDFUL
        else []
    )
    lines.append(
        f"{verb} {len(rows)} dead letter(s) from {args.topic}"
        if rows
        else f"nothing to re-drive in {args.topic}"
    )
    emit(report, "\n".join(lines), args.json)
