"""Where a registration's time goes between hops, from the hub's own traces.

Why: ``bench.hops`` reads the records' create times, so it says how long each
hop took but not whether a record waited to be read, to be handled or to be
committed. The hub's spans (``runtime.tracing``, on when ``HUB_TRACES_DIR``
names a directory) say when each service began handling a record and when
it built each output, so the gaps between them split every hop into the
time a record was in flight or waiting and the time it was handled.

Run a bench with traces on, then read the last phase's registrations::

    HUB_TRACES_DIR=/tmp/traces ./hub bench --skip-raw --n 300 --half-n 200 \\
        --half-rate 100 --low-n 300
    .venv/bin/python -m bench.trace_path /tmp/traces --last 300

Stop 21 found this way that decisions were held 100-120 ms by a refused
produce (BENCHMARKS.md). Tracing costs CPU in every process, so compare
runs with tracing on with each other, not with the bench's own figures.
"""

from __future__ import annotations

import argparse
import itertools
import json
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from fnmatch import fnmatchcase
from pathlib import Path
from typing import Any

from bench.stats import percentile

SUBMITTED = "consume insw.registration.submitted.v1"
QUESTION = "{verb} insw.verification.*.requested.v1"
ANSWER = "insw.verification.completed.v1"
DECIDED = "insw.registration.decided.v1"

STEPS = (
    ("intake handles the submission", "the gateway reads it -> its last question built"),
    ("question to an adapter", "the last question built -> the first adapter reads one"),
    ("adapters answer", "the first adapter reads its question -> the last answer built"),
    ("last answer to the gateway", "the last answer built -> the gateway reads it"),
    ("gateway decides", "the gateway reads the last answer -> the decision built"),
    ("decision to CEISA's adapter", "the decision built -> read (its commit included)"),
    ("whole path", "the gateway reads the submission -> CEISA's adapter reads the decision"),
)
"""Consecutive steps (they add up to the whole path), each named and described."""


@dataclass(frozen=True)
class Span:
    """One finished span as ``runtime.tracing`` writes it (times in nanoseconds)."""

    trace_id: str
    service: str
    name: str
    kind: str
    start_ns: int

    @classmethod
    def of(cls, raw: dict[str, Any]) -> Span:
        """From one JSON line."""
        return cls(raw["trace_id"], raw["service"], raw["name"], raw["kind"], raw["start_ns"])


def read_spans(directory: Path) -> list[Span]:
    """Every span of every process that wrote into ``directory``."""
    spans = []
    for path in sorted(directory.glob("*.jsonl")):
        with path.open() as lines:
            spans += [Span.of(json.loads(line)) for line in lines if line.strip()]
    return spans


def path_of(spans: Sequence[Span]) -> list[float] | None:
    """One registration's steps in ms (``STEPS``' order), or None if a span is missing."""

    def starts(kind: str, service: str, name: str) -> list[int]:
        return [
            s.start_ns
            for s in spans
            if s.kind == kind and service in s.service and fnmatchcase(s.name, name)
        ]

    submitted = starts("CONSUMER", "gateway", SUBMITTED)
    questions = starts("PRODUCER", "gateway", QUESTION.format(verb="publish"))
    read_by_adapters = starts("CONSUMER", "adapter", QUESTION.format(verb="consume"))
    answers = starts("PRODUCER", "adapter", f"publish {ANSWER}")
    answers_read = starts("CONSUMER", "gateway", f"consume {ANSWER}")
    decided = starts("PRODUCER", "gateway", f"publish {DECIDED}")
    at_ceisa = starts("CONSUMER", "ceisa", f"consume {DECIDED}")
    if not all((submitted, questions, read_by_adapters, answers, answers_read, decided, at_ceisa)):
        return None
    marks = [
        min(submitted),
        max(questions),
        min(read_by_adapters),
        max(answers),
        max(answers_read),
        min(decided),
        min(at_ceisa),
    ]
    steps = [(b - a) / 1e6 for a, b in itertools.pairwise(marks)]
    return [*steps, (marks[-1] - marks[0]) / 1e6]


def paths(spans: Iterable[Span], last: int) -> list[list[float]]:
    """The steps of the ``last`` registrations the gateway read last (the last phase's)."""
    by_trace: dict[str, list[Span]] = defaultdict(list)
    for span in spans:
        by_trace[span.trace_id].append(span)
    started = sorted(
        (min(s.start_ns for s in group if s.name == SUBMITTED), trace)
        for trace, group in by_trace.items()
        if any(s.name == SUBMITTED for s in group)
    )
    found = [path_of(by_trace[trace]) for _, trace in started[-last:]]
    return [p for p in found if p is not None]


def table(found: Sequence[Sequence[float]]) -> str:
    """The steps' p50 / p90 / p99 as a Markdown table."""
    rows = ["| step | what | p50 ms | p90 ms | p99 ms |", "|---|---|---:|---:|---:|"]
    for index, (step, what) in enumerate(STEPS):
        values = [p[index] for p in found]  # percentile sorts
        cells = " | ".join(f"{percentile(values, q):.1f}" for q in (50, 90, 99))
        rows.append(f"| {step} | {what} | {cells} |")
    return "\n".join(rows)


def main(argv: list[str] | None = None) -> None:
    """Print the table for a traces directory."""
    parser = argparse.ArgumentParser(prog="python -m bench.trace_path", description=__doc__)
    parser.add_argument("traces", type=Path, help="the HUB_TRACES_DIR of a bench run")
    parser.add_argument("--last", type=int, default=300, help="registrations at the end")
    args = parser.parse_args(argv)
    if args.last < 1:
        parser.error(f"--last {args.last}: must be 1 or more registrations")
    found = paths(read_spans(args.traces), args.last)
    if not found:
        raise SystemExit(f"no whole registration path in {args.traces}")
    print(f"{len(found)} registrations")
    print(table(found))


if __name__ == "__main__":
    main()
