"""What the dead-letter CLI prints: rows, tables and summaries, as plain data first.

Every command builds JSON-ready dicts and renders text from them, so ``--json``
and the human view never disagree. Nothing here prints a dead letter's value
unless it was opened on purpose (``inspect --show-value``): values hold
personal data; keys, coordinates and the hub's error texts do not.
"""

import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from contracts import headers as h
from hubctl.console import Refused
from hubctl.dlq_letters import (
    DeadLetter,
    Redrive,
    fingerprint,
    printable,
    show_value,
)
from hubctl.dlq_progress import RedriveProgress

KEY_WIDTH = 36
MESSAGE_WIDTH = 60

LIST_COLUMNS = (
    ("dlq_topic", "DLQ TOPIC"),
    ("partition", "P"),
    ("offset", "OFFSET"),
    ("key", "KEY"),
    ("original", "ORIGINAL"),
    ("exception_class", "EXCEPTION"),
    ("exception_message", "MESSAGE"),
    ("failed_at", "FAILED AT"),
    ("redriven", "RE-DRIVEN"),
)
SUMMARY_COLUMNS = (
    ("dlq_topic", "DLQ TOPIC"),
    ("dead_letters", "DEAD LETTERS"),
    ("redriven", "RE-DRIVEN"),
    ("waiting", "WAITING"),
)


@dataclass(frozen=True, slots=True)
class Listing:
    """One ``.dlq`` topic as read: its dead letters and the re-drive group's progress."""

    topic: str
    letters: Sequence[DeadLetter]
    progress: Mapping[int, RedriveProgress]

    def redriven(self, letter: DeadLetter) -> bool:
        """Whether ``letter`` was already sent back to its topic."""
        return self.progress[letter.partition].redriven(letter.offset)


def describe_origin(letter: DeadLetter) -> str | None:
    """``topic[partition]@offset`` of the failed record, ``None`` when the header is missing."""
    try:
        return str(letter.origin())
    except Refused:
        return None


def list_row(letter: DeadLetter, redriven: bool) -> dict[str, Any]:
    """One dead letter as a ``list`` row: coordinates, key and failure context only."""
    return {
        "dlq_topic": letter.topic,
        "partition": letter.partition,
        "offset": letter.offset,
        "key": printable(letter.key),
        "original": describe_origin(letter),
        "exception_class": printable(letter.header(h.DLQ_EXCEPTION_CLASS)),
        "exception_message": printable(letter.header(h.DLQ_EXCEPTION_MESSAGE)),
        "failed_at": letter.failed_at(),
        "redriven": redriven,
    }


def summary_row(listing: Listing) -> dict[str, Any]:
    """Counts for one ``.dlq`` topic: how many dead letters, how many already re-driven."""
    redriven = sum(1 for letter in listing.letters if listing.redriven(letter))
    return {
        "dlq_topic": listing.topic,
        "dead_letters": len(listing.letters),
        "redriven": redriven,
        "waiting": len(listing.letters) - redriven,
    }


def newest(listing: Listing, limit: int) -> list[DeadLetter]:
    """The ``limit`` most recent dead letters (0: all), oldest first."""
    ordered = sorted(listing.letters, key=lambda d: (d.failed_at(), d.partition, d.offset))
    return ordered[-limit:] if limit else ordered


def list_report(listings: Sequence[Listing], limit: int) -> dict[str, Any]:
    """The whole ``list`` result, JSON-ready."""
    return {
        "dead_letters": [
            list_row(letter, listing.redriven(letter))
            for listing in listings
            for letter in newest(listing, limit)
        ],
        "topics": [summary_row(listing) for listing in listings],
    }


def list_text(report: Mapping[str, Any]) -> str:
    """The ``list`` result for a terminal: dead letters, then the per-topic summary."""
    rows = [_short_row(row) for row in report["dead_letters"]]
    parts = [table(LIST_COLUMNS, rows) if rows else "no dead letters"]
    if report["topics"]:
        parts.append(table(SUMMARY_COLUMNS, report["topics"]))
    else:
        parts.append("no dead-letter topics")
    return "\n\n".join(parts)


def _short_row(row: Mapping[str, Any]) -> dict[str, Any]:
    """A row with long texts cut and booleans in words, to keep the table one line each."""
    return {
        **row,
        "key": printable(row["key"], KEY_WIDTH),
        "original": row["original"] or f"? (no {h.DLQ_TOPIC})",
        "exception_message": printable(row["exception_message"], MESSAGE_WIDTH),
        "redriven": "re-driven" if row["redriven"] else "-",
    }


def table(columns: Sequence[tuple[str, str]], rows: Iterable[Mapping[str, Any]]) -> str:
    """Rows aligned under headings; every cell on one line."""
    lines = [[title for _, title in columns]]
    lines += [[str(row[name]) for name, _ in columns] for row in rows]
    widths = [max(len(line[i]) for line in lines) for i in range(len(columns))]
    return "\n".join(
        "  ".join(cell.ljust(width) for cell, width in zip(line, widths, strict=True)).rstrip()
        for line in lines
    )


def inspection(
    letter: DeadLetter, redriven: bool, opened: bytes | None, shown: bool
) -> dict[str, Any]:
    """One dead letter with every header; its opened value only when ``shown``."""
    report: dict[str, Any] = {
        "dead_letter": letter.coordinates,
        "key": printable(letter.key),
        "original": describe_origin(letter),
        "failed_at": letter.failed_at(),
        "redriven": redriven,
        "headers": [[printable(name), printable(value)] for name, value in letter.headers],
        "sealed_value": fingerprint(letter.value),
    }
    if shown:
        report["value"] = {**fingerprint(opened), **_content(opened)}
    return report


def _content(value: bytes | None) -> dict[str, Any]:
    """An opened value for JSON output: parsed when it is JSON, else its repr."""
    if value is None:
        return {"json": None}
    try:
        return {"json": json.loads(value)}
    except ValueError:
        return {"repr": repr(value)}


def inspection_text(report: Mapping[str, Any], opened: bytes | None) -> str:
    """``inspect`` for a terminal: a field per line, headers indented, the value last."""
    sealed = report["sealed_value"]
    lines = [
        f"dead letter  {report['dead_letter']}",
        f"key          {report['key']}",
        f"original     {report['original'] or f'? (no {h.DLQ_TOPIC} header)'}",
        f"failed at    {report['failed_at']}",
        f"re-driven    {'yes' if report['redriven'] else 'no'}",
        "headers",
        *(f"  {name}: {value}" for name, value in report["headers"]),
        f"sealed value {sealed['size']} bytes, sha256 {sealed['sha256']}",
    ]
    value = report.get("value")
    if value is None:
        lines.append("value        hidden (personal data); --show-value opens it with DLQ_SEAL_KEY")
    else:
        lines.append(f"value        {value['size']} bytes, sha256 {value['sha256']}")
        lines.append(show_value(opened))
    return "\n".join(lines)


def redrive_row(redrive: Redrive) -> dict[str, Any]:
    """What one re-drive sends, without the value itself."""
    return {
        "dead_letter": redrive.source.coordinates,
        "topic": redrive.topic,
        "key": printable(redrive.key),
        "headers": [printable(name) for name, _ in redrive.headers],
        "value_size": None if redrive.value is None else len(redrive.value),
    }


def redrive_line(row: Mapping[str, Any], dry_run: bool) -> str:
    """One re-drive for a terminal."""
    verb = "would send" if dry_run else "sent"
    return (
        f"{verb} {row['dead_letter']} -> {row['topic']} key={printable(row['key'], KEY_WIDTH)} "
        f"value={row['value_size']} bytes headers={','.join(row['headers'])}"
    )


def emit(report: Any, text: str, as_json: bool) -> None:
    """Print the JSON report, or its text rendering for a terminal."""
    print(json.dumps(report, indent=2, ensure_ascii=False) if as_json else text)
