"""``hubctl replay what-if``: the pure re-decision of :mod:`hubctl.whatif`, at the terminal.

Reads a history file (``--history``) or the live topics (``--bootstrap``),
prints a summary and the changed submissions, and writes the same rows as
CSV or JSON. Rows name submissions, outcomes, reason codes and field paths:
never an applicant's name, NIK or email.
"""

from __future__ import annotations

import argparse
import csv
import json
from pathlib import Path

from rich.table import Table

from hubctl import console
from hubctl.history import HistoryRecord, read_history
from hubctl.replay_export import read_topics
from hubctl.whatif import Comparison, WhatIfReport, what_if

COLUMNS = (
    "submission_id",
    "old_outcome",
    "new_outcome",
    "reasons_added",
    "reasons_removed",
    "note",
)
DOCUMENTS_CAVEAT = (
    "The Surat Kuasa (R11) was not looked up in the document store again: "
    "{n} re-decision(s) took the recorded document reasons as given."
)


def row(comparison: Comparison) -> dict[str, str]:
    """One changed submission as a flat row (reasons joined with ``; ``) for tables and CSV."""
    return {
        "submission_id": comparison.submission_id,
        "old_outcome": comparison.old_outcome,
        "new_outcome": comparison.new_outcome or "",
        "reasons_added": "; ".join(comparison.added),
        "reasons_removed": "; ".join(comparison.removed),
        "note": comparison.note,
    }


def print_report(report: WhatIfReport) -> None:
    """Summary first (counts, rules versions, caveats), then every changed submission."""
    out = console.out()
    recorded = ", ".join(
        f"{version} ({count})"
        for version, count in sorted(report.recorded_rules_versions().items())
    )
    out.print(f"rules version recorded: {recorded or '-'}; current: {report.current_rules_version}")
    out.print(_transitions_table(report))
    for why, count in sorted(report.not_redecided().items()):
        out.print(f"not re-decided, {why}: {count}")
    if report.undecided:
        out.print(f"submissions without a recorded decision: {report.undecided}")
    for topic, count in sorted(report.unreadable.items()):
        out.print(f"unreadable records on {topic}: {count}")
    out.print(DOCUMENTS_CAVEAT.format(n=report.documents_as_given()))
    changed = report.changed
    out.print(f"changed: {len(changed)} of {sum(report.transitions().values())} re-decided")
    if changed:
        out.print(_changed_table(changed))


def _transitions_table(report: WhatIfReport) -> Table:
    table = Table(title="recorded -> current rules")
    table.add_column("recorded")
    table.add_column("current rules")
    table.add_column("submissions", justify="right")
    for (old, new), count in sorted(report.transitions().items()):
        table.add_row(old, new, str(count))
    return table


def _changed_table(changed: list[Comparison]) -> Table:
    table = Table(title="changed submissions")
    for column in COLUMNS:
        table.add_column(column, overflow="fold")
    for comparison in changed:
        table.add_row(*row(comparison).values())
    return table


def write_csv(path: Path, changed: list[Comparison]) -> None:
    """The changed submissions as CSV, one row each, header first."""
    with path.open("w", newline="", encoding="utf-8") as file:
        writer = csv.DictWriter(file, fieldnames=COLUMNS)
        writer.writeheader()
        writer.writerows(row(c) for c in changed)


def write_json(path: Path, changed: list[Comparison]) -> None:
    """The changed submissions as a JSON array; reasons stay lists."""
    rows = [
        {**row(c), "reasons_added": list(c.added), "reasons_removed": list(c.removed)}
        for c in changed
    ]
    path.write_text(json.dumps(rows, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")


async def _records(args: argparse.Namespace) -> list[HistoryRecord]:
    if args.history:
        return read_history(Path(args.history))
    return await read_topics(console.bootstrap_servers(args.bootstrap), sandbox=args.sandbox)


async def what_if_command(args: argparse.Namespace) -> int:
    """Load, re-decide, report, write."""
    report = what_if(await _records(args))
    print_report(report)
    if args.csv:
        write_csv(Path(args.csv), report.changed)
    if args.json:
        write_json(Path(args.json), report.changed)
    return console.EXIT_OK


def run(args: argparse.Namespace) -> int:
    """Entry point of ``replay what-if``."""
    return console.run(what_if_command(args))
