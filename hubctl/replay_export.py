"""``hubctl replay export``: the history topics, read whole, into a history file.

Why whole topics: a what-if needs every submission with its answers and
decisions; a window would cut applications in half (answers before it,
decisions after). The end of each partition is fixed when the read starts,
so a busy hub does not keep the export running forever.
"""

from __future__ import annotations

import argparse
from collections.abc import Sequence
from dataclasses import replace
from functools import partial
from pathlib import Path

from hubctl import console
from hubctl.console import admin_client, reader
from hubctl.history import HISTORY_TOPICS, HistoryRecord, write_history
from hubctl.replay_kafka import (
    existing_layout,
    log_bounds,
    partitions_of,
    read_ranges,
)
from hubctl.replay_offsets import OffsetRange
from hubctl.replay_sandbox import sandbox_topic


async def read_topics(
    bootstrap: str, names: Sequence[str] = HISTORY_TOPICS, sandbox: str | None = None
) -> list[HistoryRecord]:
    """Every committed record of ``names``, from the first stored offset to the end at start.

    With ``sandbox``, the topics are read from ``sandbox.<sandbox>.<name>`` (a
    copy made by ``replay sandbox``) and recorded under their production
    names, so a what-if treats the copy as the history it was copied from.
    """
    sources = {sandbox_topic(sandbox, n) if sandbox else n: n for n in names}
    async with admin_client(bootstrap) as admin:
        layouts = [await existing_layout(admin, source) for source in sources]
    found: list[HistoryRecord] = []
    with console.progress() as bars:
        async with reader(bootstrap) as consumer:
            for layout in layouts:
                bounds = await log_bounds(consumer, partitions_of(layout))
                ranges = {p: OffsetRange(b.beginning, b.end) for p, b in bounds.items()}
                task = bars.add_task(layout.name, total=sum(r.span for r in ranges.values()))
                async for record in read_ranges(
                    consumer,
                    layout.name,
                    ranges,
                    partial(bars.advance, task),
                ):
                    found.append(
                        replace(HistoryRecord.from_kafka(record), topic=sources[layout.name])
                    )
    return found


async def export(bootstrap: str, out: Path, sandbox: str | None = None) -> int:
    """Write the history file and say how much it holds."""
    records = await read_topics(bootstrap, sandbox=sandbox)
    written = write_history(out, records)
    per_topic = {name: sum(r.topic == name for r in records) for name in HISTORY_TOPICS}
    summary = ", ".join(f"{count} from {name}" for name, count in per_topic.items())
    console.out().print(f"wrote {written} records to {out} ({summary})")
    return console.EXIT_OK


def run(args: argparse.Namespace) -> int:
    """Entry point of ``replay export``."""
    bootstrap = console.bootstrap_servers(args.bootstrap)
    return console.run(export(bootstrap, Path(args.out), args.sandbox))
