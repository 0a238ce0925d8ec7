"""``hubctl replay``: re-drive a consumer group, copy topics into a sandbox, re-decide history.

Only the command line lives here; each sub-command's work is in its own
module (``replay_group``, ``replay_sandbox``, ``replay_whatif``,
``replay_export``), so the wiring can be read in one screen.
"""

from __future__ import annotations

import argparse
import textwrap
from typing import Any

from hubctl import console, replay_export, replay_group, replay_sandbox, replay_whatif

IDEMPOTENCE = (
    "Nothing is emailed or sent to customs twice: the services are idempotent "
    "(the gateway skips submissions it has decided, the notifier emails once per "
    "decision id, the CEISA adapter sends once per submission id)."
)
READ_NOTE = "Topics are read with isolation level read_committed."


def register(subparsers: Any) -> None:
    """Add ``replay`` and its sub-commands to the ``hubctl`` command line."""
    replay = subparsers.add_parser(
        "replay",
        help="re-drive consumer groups, copy topics into a sandbox, re-decide history",
        description="Replays for integrators: re-drive a consumer group, copy topics into "
        "a sandbox, re-decide history under the current rules, export history.",
    )
    commands = replay.add_subparsers(dest="replay_command", required=True)
    _group(commands)
    _sandbox(commands)
    _what_if(commands)
    _export(commands)


def _formatter(prog: str) -> argparse.HelpFormatter:
    return argparse.RawDescriptionHelpFormatter(prog, max_help_position=32)


def _paragraphs(*texts: str) -> str:
    """Help text as wrapped paragraphs (argparse would run them together otherwise)."""
    return "\n\n".join(textwrap.fill(text, width=78) for text in texts)


def _sandbox_source(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--sandbox",
        metavar="NAME",
        help="read the copies in sandbox.NAME.<topic> (see replay sandbox) instead of "
        "the production topics",
    )


def _group(commands: Any) -> None:
    parser = commands.add_parser(
        "group",
        help="move a consumer group's committed offsets so it reads again",
        formatter_class=_formatter,
        description=_paragraphs(
            "Re-drive a consumer group: compute each partition's target offset, show "
            "committed -> target and how many offsets each partition re-reads, then commit.",
            "Kafka only allows this while the group has no members: stop the service "
            "first. A group that is not Empty (or Dead) is refused, by name, with exit status 2.",
            "A timestamp target is the first record at or after it; a target past the "
            "end of a partition becomes its end; a target before its first stored record "
            "becomes that record.",
            IDEMPOTENCE,
            READ_NOTE,
        ),
    )
    parser.add_argument("group", help="consumer group id, e.g. insw-gateway")
    parser.add_argument("--topic", required=True, help="topic whose offsets move")
    target = parser.add_mutually_exclusive_group(required=True)
    target.add_argument(
        "--to-offset", type=int, metavar="N", help="the same offset on every partition"
    )
    target.add_argument(
        "--to-timestamp", metavar="ISO8601", help="e.g. 2026-11-20T09:00:00+07:00 (no offset: UTC)"
    )
    target.add_argument("--to-earliest", action="store_true", help="the first stored record")
    target.add_argument(
        "--to-latest", action="store_true", help="the end: skip everything not yet read"
    )
    parser.add_argument("--partition", type=int, metavar="P", help="move only this partition")
    parser.add_argument("--dry-run", action="store_true", help="show the plan, commit nothing")
    console.add_bootstrap(parser)
    parser.set_defaults(run=replay_group.run)


def _sandbox(commands: Any) -> None:
    parser = commands.add_parser(
        "sandbox",
        help="copy a range of topics into sandbox.<NAME>.<topic>",
        formatter_class=_formatter,
        description=_paragraphs(
            "Copy a range of each topic into sandbox.<NAME>.<topic>, created with the "
            "source's partition count when missing. Each copy keeps its partition, key, "
            "value and headers and gains the header insw-replayed-from: "
            "<topic>/<partition>/<offset>; its timestamp is the time of the copy.",
            "Ranges: offsets from (included) to (excluded), the same numbers on every "
            "partition; or times, from the first record at or after --from-time to the "
            "first at or after --to-time (excluded). A missing bound is the first stored "
            "record or the current end.",
            "Production topics are only read. NAME is one plain name (letters, digits, "
            "'-', '_'); copying a topic of sandbox NAME into sandbox NAME is refused. "
            "Copying the same range twice appends it twice. The copies hold the same "
            "personal data as the originals: give sandbox topics the same access rules.",
            READ_NOTE,
        ),
    )
    parser.add_argument(
        "--topic",
        action="append",
        required=True,
        metavar="T",
        help="source topic (repeat for more)",
    )
    parser.add_argument(
        "--namespace", required=True, metavar="NAME", help="sandbox name, e.g. ceisa-test"
    )
    parser.add_argument("--from-offset", type=int, metavar="N")
    parser.add_argument("--to-offset", type=int, metavar="N")
    parser.add_argument("--from-time", metavar="ISO8601")
    parser.add_argument("--to-time", metavar="ISO8601")
    parser.add_argument(
        "--dry-run", action="store_true", help="show the plan, create and copy nothing"
    )
    console.add_bootstrap(parser)
    parser.set_defaults(run=replay_sandbox.run)


def _what_if(commands: Any) -> None:
    parser = commands.add_parser(
        "what-if",
        help="re-decide recorded submissions under the current rules and diff",
        formatter_class=_formatter,
        description=_paragraphs(
            "Re-decide historical submissions under the CURRENT rules and compare with "
            "the last recorded decision of each: outcome, reasons added, reasons removed.",
            "Pure: no agency is asked, nothing is written to Kafka or Redis. The form is "
            "judged as of the day it was submitted; the agencies' recorded answers stand "
            "in for the agencies; the Surat Kuasa's document-store reasons are taken as "
            "recorded; officers' decisions are not re-decided.",
            "Output names submission ids, outcomes, reason codes and fields only: never "
            "a name, NIK or email.",
            READ_NOTE,
        ),
    )
    source = parser.add_mutually_exclusive_group()
    source.add_argument("--history", metavar="FILE", help="a history file (see replay export)")
    console.add_bootstrap(source, "; used without --history")
    _sandbox_source(parser)
    parser.add_argument("--csv", metavar="PATH", help="also write the changed submissions as CSV")
    parser.add_argument("--json", metavar="PATH", help="also write the changed submissions as JSON")
    parser.set_defaults(run=replay_whatif.run)


def _export(commands: Any) -> None:
    parser = commands.add_parser(
        "export",
        help="write the submitted, completed and decided topics to a history file",
        formatter_class=_formatter,
        description=_paragraphs(
            "Read insw.registration.submitted.v1, insw.verification.completed.v1 and "
            "insw.registration.decided.v1 whole (up to their end when the export starts) "
            "into a gzip'd JSON-lines file: one {topic, partition, offset, timestamp, key, "
            "value, headers} per line.",
            "The file holds the applicants' personal data: treat it like the topics.",
            READ_NOTE,
        ),
    )
    parser.add_argument("--out", required=True, metavar="FILE", help="e.g. history.jsonl.gz")
    _sandbox_source(parser)
    console.add_bootstrap(parser)
    parser.set_defaults(run=replay_export.run)
