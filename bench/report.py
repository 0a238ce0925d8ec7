"""The printed comparison table and the JSON results file.

Why both: the table is for the person at the terminal and BENCHMARKS.md; the
JSON (``bench-results/<timestamp>.json``, git-ignored) keeps every figure,
the CPU shares and the machine facts for later comparison.
"""

import json
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from bench.perreg import SUMMARY_ROWS, side_by_side
from bench.phases import LOW_RATE, PhaseReport

Reports = dict[str, dict[str, PhaseReport]]


def _each(reports: Reports, key: str) -> Iterator[tuple[str, str, Any]]:
    """``(system, phase, figure)`` of every reported phase that has figure ``key``."""
    for system, phases in reports.items():
        for phase in PHASES:
            report = phases.get(phase)
            if report is not None and key in report.figures:
                yield system, phase, report.figures[key]


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


PHASES = ("full", "half", "low", "soak")
"""The phases reported (warm-up is not)."""

Row = tuple[str, str, tuple[str, ...]]
"""A table row: label, phase, path of the figure in the phase's figures."""


def _paced_rows(phase: str) -> list[Row]:
    """The rows of a phase paced at a target rate (half, low): rates and latency."""
    rows: list[Row] = [
        (f"{phase} load: target rate/s", phase, ("target_rate_per_s",)),
        (f"{phase} load: achieved reg/s", phase, ("reg_per_s",)),
    ]
    for p in ("p50", "p95", "p99", "max"):
        rows.append((f"{phase} load: {p} ms", phase, ("latency", f"{p}_ms")))
    return rows


ROWS: list[Row] = [
    ("full load: reg/s", "full", ("reg_per_s",)),
    ("full load: producer send rate/s", "full", ("send_rate_per_s",)),
    ("full load: p50 ms", "full", ("latency", "p50_ms")),
    ("full load: p95 ms", "full", ("latency", "p95_ms")),
    ("full load: p99 ms", "full", ("latency", "p99_ms")),
    *_paced_rows("half"),
    *_paced_rows("low"),
]


@dataclass(frozen=True)
class Goal:
    """An issue's upper limit on one figure of the hub, stated for one offered rate."""

    limit: float
    at_rate_per_s: float

    def verdict(self, value: float | None, offered: float | None) -> str:
        """``met`` / ``not met``; ``n/a`` when the phase ran at another rate (or not at all)."""
        if value is None or offered is None:
            return "-"
        if abs(offered - self.at_rate_per_s) > 1e-9:
            return f"n/a (offered {offered:g}/s)"
        return "met" if value <= self.limit else "not met"


GOALS = {
    "low load: p50 ms": Goal(30.0, LOW_RATE),
    "low load: p99 ms": Goal(100.0, LOW_RATE),
}
"""Issue 15: "at 20 reg/s p50 <= 30 ms and p99 <= 100 ms" (the hub's figures)."""


def _goal_cell(reports: Reports, system: str, label: str, phase: str, path: tuple[str, ...]) -> str:
    goal = GOALS.get(label)
    if goal is None:
        return ""
    offered = _get(reports, system, phase, "target_rate_per_s")
    verdict = goal.verdict(_get(reports, system, phase, *path), offered)
    return f"<= {goal.limit:g} at {goal.at_rate_per_s:g}/s: {verdict}"


def goals(reports: Reports, system: str = "hub") -> list[dict[str, Any]]:
    """Each goal of :data:`GOALS` with ``system``'s figure and the verdict, for the JSON."""
    out = []
    for label, phase, path in ROWS:
        goal = GOALS.get(label)
        if goal is None or phase not in reports.get(system, {}):
            continue
        value = _get(reports, system, phase, *path)
        offered = _get(reports, system, phase, "target_rate_per_s")
        out.append(
            {
                "figure": f"{system}: {label}",
                "limit": goal.limit,
                "at_rate_per_s": goal.at_rate_per_s,
                "offered_rate_per_s": offered,
                "value": value,
                "verdict": goal.verdict(value, offered),
            }
        )
    return out


def table(reports: Reports, left: str = "hub", right: str = "raw") -> str:
    """Hub vs raw pipe (or any two systems), one row per figure, with the left/right ratio.

    Rows of a phase neither system ran are left out (``--low-n 0``, a stall);
    rows with a goal (:data:`GOALS`) get the left system's verdict beside them.
    """
    names = {"raw": "raw pipe"}
    ratio = "hub/raw" if (left, right) == ("hub", "raw") else "ratio"
    ran = {phase for system in (left, right) for phase in reports.get(system, {})}
    rows = [(label, phase, path) for label, phase, path in ROWS if phase in ran]
    head = f"target ({names.get(left, left)})"
    judged = any(label in GOALS for label, _, _ in rows)
    lines = [
        f"| {'figure':<34} | {names.get(left, left):>10} | {names.get(right, right):>10} "
        f"| {ratio:>7} |" + (f" {head:<34} |" if judged else ""),
        f"|{'-' * 36}|{'-' * 12}|{'-' * 12}|{'-' * 9}|" + (f"{'-' * 36}|" if judged else ""),
    ]
    for label, phase, path in rows:
        hub, raw = _get(reports, left, phase, *path), _get(reports, right, phase, *path)
        goal = f" {_goal_cell(reports, left, label, phase, path):<34} |" if judged else ""
        lines.append(
            f"| {label:<34} | {_cell(hub):>10} | {_cell(raw):>10} | {_ratio(hub, raw):>7} |{goal}"
        )
    return "\n".join(lines)


def cpu_table(reports: Reports) -> str:
    """CPU% per process (100 = one core) during each measured phase."""
    lines = []
    for system, phases in reports.items():
        for phase in PHASES:
            report = phases.get(phase)
            if report is None:
                continue
            lines.append(f"CPU % during {system}/{phase} (100 = one core):")
            cpu = report.figures.get("cpu_percent", {})
            for name, share in sorted(cpu.items(), key=lambda item: -item[1]):
                lines.append(f"  {name:<34} {share:>6.1f}")
            compiling = report.figures.get("broker_jit_share")
            if compiling is not None:  # bench.jit: start-up work, not the load's
                lines.append(f"  {'of the broker, its JIT compilers':<34} {100 * compiling:>5.1f}%")
    return "\n".join(lines)


def cpu_per_registration(reports: Reports, left: str = "hub", right: str = "raw") -> dict[str, Any]:
    """Per phase: machine, broker and system CPU ms per registration, left vs right, ratio."""
    out: dict[str, Any] = {}
    for phase in PHASES:
        sides = [reports.get(system, {}).get(phase) for system in (left, right)]
        if all(side is None for side in sides):
            continue
        costs = [side.figures.get("cpu_ms_per_registration", {}) if side else {} for side in sides]
        out[phase] = side_by_side((left, costs[0]), (right, costs[1]))
    return out


def cpu_per_registration_table(reports: Reports, left: str = "hub", right: str = "raw") -> str:
    """CPU ms per registration: each process of each phase, then left vs right side by side."""
    lines = []
    for system, phase, costs in _each(reports, "cpu_ms_per_registration"):
        if costs:
            lines.append(f"CPU ms per registration during {system}/{phase}:")
        for name in sorted(set(costs) - set(SUMMARY_ROWS), key=lambda n: -costs[n]):
            lines.append(f"  {name:<40} {costs[name]:>7.3f}")
        for name in SUMMARY_ROWS:
            if name in costs:
                lines.append(f"  = {name:<38} {costs[name]:>7.3f}")
    compared = cpu_per_registration(reports, left, right)
    if compared:
        head = f"{left}/{right}"
        lines.append(f"\n| {'CPU ms per registration':<44} | {left:>8} | {right:>8} | {head:>7} |")
        lines.append(f"|{'-' * 46}|{'-' * 10}|{'-' * 10}|{'-' * 9}|")
        for phase, rows in compared.items():
            for row, cells in rows.items():
                lines.append(
                    f"| {phase + ': ' + row:<44} | {_cell(cells[left], 3):>8} "
                    f"| {_cell(cells[right], 3):>8} | {_cell(cells[head], 2):>7} |"
                )
    return "\n".join(lines)


def scale_table(comparison: dict[str, Any] | None, count: int) -> str:
    """One instance vs ``count`` instances at full load, and whether the outcomes agree."""
    if not comparison:
        return ""
    lines = [
        f"| {'full load, one vs ' + str(count) + ' instances':<48} | {'x1':>8} "
        f"| {'x' + str(count):>8} | {'ratio':>7} |",
        f"|{'-' * 50}|{'-' * 10}|{'-' * 10}|{'-' * 9}|",
    ]
    for row, cells in comparison["rows"].items():
        digits = 3 if row.startswith("CPU") else 1
        lines.append(
            f"| {row:<48} | {_cell(cells['one'], digits):>8} | {_cell(cells['more'], digits):>8} "
            f"| {_cell(cells['more/one'], 2):>7} |"
        )
    outcomes = comparison["outcomes"]
    lines.append(
        f"outcomes compared by registration: {outcomes['compared']}, differing "
        f"{outcomes['differ']}, only with one {outcomes['only_with_one']}, only with "
        f"{count} {outcomes['only_with_more']}"
    )
    return "\n".join(lines)


def memory_table(reports: Reports) -> str:
    """The soak's memory: each series' baseline, last, growth and worst excursion."""
    report = reports.get("hub", {}).get("soak")
    memory = report.figures.get("memory") if report else None
    if not memory:
        return ""
    samples = memory["samples"]
    lines = [
        f"Memory during hub/soak ({len(samples)} samples every {memory['interval_s']:.0f} s; "
        "the first is warm-up, the baseline is the second):",
        f"| {'series':<44} | {'baseline':>12} | {'last':>12} | {'growth %':>8} | {'max %':>7} |",
        f"|{'-' * 46}|{'-' * 14}|{'-' * 14}|{'-' * 10}|{'-' * 9}|",
    ]
    for name, d in memory["drift"].items():
        flag = "  <-- over 10 %" if d["flagged"] else ""
        lines.append(
            f"| {name:<44} | {d['baseline']:>12,.0f} | {d['last']:>12,.0f} "
            f"| {d['first_vs_last_pct']:>8.1f} | {d['max_drift_pct']:>7.1f} |{flag}"
        )
    if not memory["drift"]:
        lines.append("(too few samples for a drift: run longer than two intervals)")
    for name, gain in memory.get("redis_growth_per_registration_offered", {}).items():
        if gain is not None:
            lines.append(f"{name}: +{gain:,.1f} per registration offered (baseline to last)")
    for family, found in memory.get("redis_key_families", {}).items():
        lines.append(
            f"  redis keys {family:<40} {found['keys']:>8,} x ~{found['bytes_per_key_sampled']:,} B"
            f"  TTL days (sampled) {found['ttl_days_sampled']}"
        )
    if memory["drift"]:
        lines.append(
            "Redis keeps state for days (e.g. applications 14, decisions 90: TTLs), so its "
            "keys grow with registrations by design; a steady gain per registration is that."
        )
    return "\n".join(lines)


def hops_table(reports: Reports) -> str:
    """Per-hop p50/p95/p99 from record timestamps, for every measured phase."""
    lines = []
    for system, phase, hops in _each(reports, "hops"):
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
