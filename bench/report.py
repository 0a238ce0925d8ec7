"""The printed comparison table and the JSON results file.

Why both: the table is for the person at the terminal and BENCHMARKS.md; the
JSON (``bench-results/<timestamp>.json``, git-ignored) keeps every figure,
the CPU shares and the machine facts for later comparison.
"""

import json
from pathlib import Path
from typing import Any

from bench.phases import PhaseReport

Reports = dict[str, dict[str, PhaseReport]]


def _get(reports: Reports, system: str, phase: str, *path: str) -> float | None:
    report = reports.get(system, {}).get(phase)
    value: Any = report.figures if report else None
    for key in path:
        value = value.get(key) if isinstance(value, dict) else None
    return float(value) if isinstance(value, int | float) else None


def _cell(value: float | None, digits: int = 1) -> str:
    return "-" if value is None else f"{value:,.{digits}f}"


def _ratio(hub: float | None, raw: float | None) -> str:
    return "-" if hub is None or raw is None or raw == 0 else f"{hub / raw:.2f}"


ROWS = [
    ("full load: reg/s", "full", ("reg_per_s",)),
    ("full load: producer send rate/s", "full", ("send_rate_per_s",)),
    ("full load: p50 ms", "full", ("latency", "p50_ms")),
    ("full load: p95 ms", "full", ("latency", "p95_ms")),
    ("full load: p99 ms", "full", ("latency", "p99_ms")),
    ("half load: target rate/s", "half", ("target_rate_per_s",)),
    ("half load: achieved reg/s", "half", ("reg_per_s",)),
    ("half load: p50 ms", "half", ("latency", "p50_ms")),
    ("half load: p95 ms", "half", ("latency", "p95_ms")),
    ("half load: p99 ms", "half", ("latency", "p99_ms")),
    ("half load: max ms", "half", ("latency", "max_ms")),
]


def table(reports: Reports, left: str = "hub", right: str = "raw") -> str:
    """Hub vs raw pipe (or any two systems), one row per figure, with the left/right ratio."""
    names = {"raw": "raw pipe"}
    ratio = "hub/raw" if (left, right) == ("hub", "raw") else "ratio"
    lines = [
        f"| {'figure':<34} | {names.get(left, left):>10} | {names.get(right, right):>10} "
        f"| {ratio:>7} |",
        f"|{'-' * 36}|{'-' * 12}|{'-' * 12}|{'-' * 9}|",
    ]
    for label, phase, path in ROWS:
        hub, raw = _get(reports, left, phase, *path), _get(reports, right, phase, *path)
        lines.append(
            f"| {label:<34} | {_cell(hub):>10} | {_cell(raw):>10} | {_ratio(hub, raw):>7} |"
        )
    return "\n".join(lines)


def cpu_table(reports: Reports) -> str:
    """CPU% per process (100 = one core) during each measured phase."""
    lines = []
    for system, phases in reports.items():
        for phase in ("full", "half"):
            report = phases.get(phase)
            if report is None:
                continue
            lines.append(f"CPU % during {system}/{phase} (100 = one core):")
            cpu = report.figures.get("cpu_percent", {})
            for name, share in sorted(cpu.items(), key=lambda item: -item[1]):
                lines.append(f"  {name:<34} {share:>6.1f}")
    return "\n".join(lines)


def hops_table(reports: Reports) -> str:
    """Per-hop p50/p95/p99 from record timestamps, for every measured phase."""
    lines = []
    for system, phases in reports.items():
        for phase in ("full", "half"):
            report = phases.get(phase)
            hops = report.figures.get("hops") if report else None
            if not hops:
                continue
            lines.append(f"Hops during {system}/{phase} (ms, from record timestamps):")
            for name, summary in hops.items():
                if summary:
                    lines.append(
                        f"  {name:<34} p50 {summary['p50_ms']:>7.0f}  p95 "
                        f"{summary['p95_ms']:>7.0f}  p99 {summary['p99_ms']:>7.0f}"
                    )
    return "\n".join(lines)


def write_json(path: Path, document: dict[str, Any], reports: Reports) -> Path:
    """Write every figure, error and fact as one JSON document."""
    path.parent.mkdir(parents=True, exist_ok=True)
    document = dict(document)
    document["results"] = {
        system: {phase: {"figures": r.figures, "errors": r.errors} for phase, r in phases.items()}
        for system, phases in reports.items()
    }
    path.write_text(json.dumps(document, indent=2) + "\n")
    return path
