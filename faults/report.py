"""RELIABILITY.md's ledger section: one table per fault, rewritten in place.

Why markers: the rest of RELIABILITY.md is prose people write; only the text
between ``<!-- faults:ledger:begin -->`` and ``<!-- faults:ledger:end -->``
belongs to ``python -m faults``, and inside it each fault has its own block,
so ``--only gateway-kill`` refreshes that table and keeps the others (each
block carries its own date, commit and machine).
"""

import re
import subprocess
from collections.abc import Iterable, Mapping
from pathlib import Path

from bench.machine import facts
from devstack.paths import REPO_ROOT
from faults.run import Result

BEGIN = "<!-- faults:ledger:begin -->"
END = "<!-- faults:ledger:end -->"
_BLOCK = re.compile(r"<!-- fault:(?P<name>[\w-]+) -->\n.*?<!-- /fault:(?P=name) -->\n", re.S)
MAX_DEAD_LETTERS_LISTED = 20

SECTION_INTRO = """\
## Ledger under faults

Written by `python -m faults` (`--only NAME` refreshes one table). Each fault
runs on a fresh stack (own Kafka broker, Redis, simulators, the three identity
adapters, gateway, CEISA adapter, notifier and dev mailbox) while its load of
approvable registrations, produced straight to `insw.registration.submitted.v1`,
is in flight. Once the system has settled, every topic is read back from the
beginning with `read_committed` and the dev mailbox is read, and
`faults/ledger.py` counts:

- **decided**: submissions with a final decision (APPROVED or REJECTED);
- **lost**: submitted, no final decision, not dead-lettered (must be 0);
- **duplicate decisions**: a second decision event with the same outcome for a
  submission, or a second final outcome;
- **duplicate emails**: more than one mail per decision id (`X-INSW-Decision-Id`,
  also in the `Message-ID`); **duplicate customs messages**: more than one
  `ceisa.registration.v1` record per submission; approvals without exactly one
  of each are counted too;
- **dead-lettered**: records on any `*.dlq` topic (listed below the table);
- **lag after**: data records after each hub group's committed offset, counted
  by reading them (`read_committed`), since commit markers make "end offset
  minus committed offset" wrong for transactional topics;
- **time to recover**: from the fault until every submission is decided and
  no group lags (polled every second).

Redis runs with `--appendonly yes --appendfsync always` (a write is on disk
before Redis acknowledges it); `redis-restart` stops it with SIGTERM,
`redis-kill` with `kill -9`. `leader-kill` and `broker-freeze` run on a
three-broker cluster (replication factor 3, `min.insync.replicas=2`) whatever
`--brokers` says; every other fault on the brokers `--brokers` asks for (1 by
default).
"""


def commit() -> str:
    """Short commit of the checkout, marked when the working tree has changes."""

    def git(*args: str) -> str:
        done = subprocess.run(
            ["git", *args], cwd=REPO_ROOT, capture_output=True, text=True, check=False
        )
        return done.stdout.strip()

    head = git("rev-parse", "--short", "HEAD") or "unknown"
    return f"{head} + uncommitted changes" if git("status", "--porcelain") else head


def machine_note(kafka: str) -> str:
    """One line: cores, CPU, memory, Python, Kafka client and broker versions."""
    found = facts(kafka)
    return (
        f"{found['nproc']} cores ({found['cpu']}), {found['memory']}, Python {found['python']}, "
        f"aiokafka {found['aiokafka']}, FastStream {found['faststream']}, {found['kafka']}"
    )


def _seconds(value: float | None) -> str:
    return "not recovered" if value is None else f"{value:.1f} s"


def block(result: Result, machine: str, revision: str) -> str:
    """The markdown of one fault: header, context line, table, verdict, notes, dead letters."""
    ledger = result.ledger
    lag = "unknown" if ledger.lag_total is None else str(ledger.lag_total)
    rows: list[tuple[str, object]] = [
        ("submitted", ledger.submitted),
        ("decided (APPROVED or REJECTED)", ledger.decided),
        ("lost", len(ledger.lost)),
        ("duplicate decisions", ledger.duplicate_decisions),
        ("duplicate emails", ledger.duplicate_emails),
        ("duplicate customs messages", ledger.duplicate_customs),
        ("approvals without exactly one customs message", ledger.approvals_without_one_customs),
        ("approvals without exactly one email", ledger.approvals_without_one_email),
        ("rejected (all load is approvable)", ledger.rejected),
        ("referred on the way (then decided)", ledger.referred),
        ("dead-lettered", len(ledger.dead_letters)),
        ("lag after (records, all hub groups)", lag),
        ("time to recover", _seconds(result.recovered_after_s)),
    ]
    violations = result.violations()
    verdict = "**PASS**" if not violations else "**FAIL**: " + "; ".join(violations)
    lines = [
        f"<!-- fault:{result.name} -->",
        f"### {result.name}: {result.title}",
        "",
        f"{result.started_at:%Y-%m-%d %H:%M} UTC, commit {revision}, "
        f"{result.registrations} registrations, {result.wall_seconds:.0f} s wall clock. "
        f"Machine: {machine}; load average {result.load_average} when the scenario started "
        "(the machine is shared).",
        "",
        "| figure | value |",
        "|---|---:|",
        *(f"| {label} | {value} |" for label, value in rows),
        "",
        f"Verdict: {verdict}",
        "",
        "What happened (t+: seconds from the start of the load):",
        "",
        *(f"- {note}" for note in result.notes),
    ]
    if ledger.dead_letters:
        lines += ["", "Dead letters (topic, key, error headers):", ""]
        for dead in ledger.dead_letters[:MAX_DEAD_LETTERS_LISTED]:
            errors = ", ".join(f"`{k}`={v}" for k, v in sorted(dead.errors.items()))
            lines.append(f"- `{dead.topic}` key `{dead.key}`: {errors}")
        if len(ledger.dead_letters) > MAX_DEAD_LETTERS_LISTED:
            lines.append(f"- ... {len(ledger.dead_letters) - MAX_DEAD_LETTERS_LISTED} more")
    lines.append(f"<!-- /fault:{result.name} -->")
    return "\n".join(lines) + "\n"


def _existing_blocks(text: str) -> dict[str, str]:
    start, end = text.find(BEGIN), text.find(END)
    if start < 0 or end < start:
        return {}
    return {m["name"]: m[0] for m in _BLOCK.finditer(text[start:end])}


OVERVIEW_COLUMNS = (
    ("lost", "lost"),
    ("duplicate decisions", "dup. decisions"),
    ("duplicate emails", "dup. emails"),
    ("duplicate customs messages", "dup. customs"),
    ("dead-lettered", "dead-lettered"),
    ("lag after (records, all hub groups)", "lag after"),
    ("time to recover", "time to recover"),
)
_ROW = re.compile(r"^\| (?P<label>[^|]+?) \| (?P<value>[^|]*?) \|$", re.M)
_VERDICT = re.compile(r"^Verdict: \*\*(?P<verdict>PASS|FAIL)\*\*", re.M)


def overview(blocks: Mapping[str, str], names: Iterable[str]) -> str:
    """One row per fault, read back from the blocks themselves (they may come from other runs)."""
    header = ["fault", "submitted", *(short for _, short in OVERVIEW_COLUMNS), "verdict"]
    lines = ["| " + " | ".join(header) + " |", "|---" * len(header) + "|"]
    for name in names:
        rows = {m["label"]: m["value"] for m in _ROW.finditer(blocks[name])}
        verdict = _VERDICT.search(blocks[name])
        cells = [
            name,
            rows.get("submitted", "?"),
            *(rows.get(label, "?") for label, _ in OVERVIEW_COLUMNS),
            verdict["verdict"] if verdict else "?",
        ]
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines) + "\n"


def merge(text: str, blocks: Mapping[str, str], order: Iterable[str]) -> str:
    """``text`` with its ledger section rewritten: fresh ``blocks`` replace or join the old ones."""
    kept = {**_existing_blocks(text), **blocks}
    named = list(order)
    names = [n for n in named if n in kept] + sorted(n for n in kept if n not in named)
    section = (
        f"{BEGIN}\n{SECTION_INTRO}\n{overview(kept, names)}\n"
        + "\n".join(kept[n] for n in names)
        + f"{END}\n"
    )
    start, end = text.find(BEGIN), text.find(END)
    if start >= 0 and end > start:
        return text[:start] + section + text[end + len(END) :].lstrip("\n")
    heading = "" if text.strip() else "# Reliability\n\n"
    return (text.rstrip("\n") + "\n\n" if text.strip() else heading) + section


def write(path: Path, results: list[Result], order: Iterable[str], kafka: str) -> Path:
    """(Re)write the ledger section of ``path`` with ``results``; creates the file if needed."""
    machine, revision = machine_note(kafka), commit()
    fresh = {r.name: block(r, machine, revision) for r in results}
    text = path.read_text() if path.exists() else ""
    path.write_text(merge(text, fresh, order))
    return path


def summary(results: list[Result]) -> str:
    """A plain-text table for the terminal: one line per fault."""
    lines = [
        f"{'fault':<18} {'subm':>5} {'decid':>5} {'lost':>4} {'dupD':>4} {'dupE':>4} "
        f"{'dupC':>4} {'dlq':>4} {'lag':>5} {'recover':>9}  verdict"
    ]
    for r in results:
        ledger = r.ledger
        lag = "?" if ledger.lag_total is None else str(ledger.lag_total)
        recover = "-" if r.recovered_after_s is None else f"{r.recovered_after_s:.1f}s"
        verdict = "PASS" if not r.violations() else "FAIL: " + "; ".join(r.violations())
        lines.append(
            f"{r.name:<18} {ledger.submitted:>5} {ledger.decided:>5} {len(ledger.lost):>4} "
            f"{ledger.duplicate_decisions:>4} {ledger.duplicate_emails:>4} "
            f"{ledger.duplicate_customs:>4} {len(ledger.dead_letters):>4} {lag:>5} "
            f"{recover:>9}  {verdict}"
        )
    return "\n".join(lines)
