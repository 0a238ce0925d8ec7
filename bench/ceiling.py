"""``python -m bench.ceiling RUN.json``: how near the raw pipe the hub could come, signing.

Why this exists: issue 15 asks, at full load on the 2-core machine, for
1,000 registrations/s and a hub/raw ratio of at least 0.70 in the same run.
The raw pipe (:mod:`bench.rawpipe`) moves the same hops, bytes and
transactions as the hub but signs and verifies nothing; the hub must sign
every input that can change an outcome and verify it where it is consumed
(the wave-2 trust rules, :mod:`runtime.signing`). Those signatures are a cost
per registration the raw pipe never pays, whatever else the hub trims.

This takes one ``./hub bench`` run (its JSON in ``bench-results/``), measures
the signatures with the hub's own code in this process (4 records signed and
verified per approved registration; since stop 25 as a full-load batch signs
them, :func:`bench.signing_cost.measure_batched`, and with ``--per-record``
one signature each, :func:`bench.signing_cost.measure`), and gives the hub
the most favourable assumption there is: that it costs **exactly the raw
pipe's CPU per registration plus its signatures, and nothing else** (no
Redis, no sealing at rest, no rules, no XML, no HTTP to the agencies). Two
bounds follow:

* **same busy share**: if the hub kept the machine as busy as the raw pipe
  did, its rate would be ``raw rate x raw CPU / (raw CPU + signatures)``;
* **every core busy**: ``cores x 1000 / (raw CPU + signatures)``
  registrations/s, the most two cores can do at that cost per registration.

Either bound below a target means no tuning of the hub reaches that target
on this machine while it signs what it must; the measured hub is then
compared with the bounds to show how much of the gap is still the hub's own.
"""

from __future__ import annotations

import argparse
import json
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

MACHINE = "machine (all processes, all cores)"
RATIO_TARGET = 0.70
RATE_TARGET = 1000.0


@dataclass(frozen=True)
class FullLoad:
    """One system's full-load figures from a bench run."""

    reg_per_s: float
    cpu_ms_per_registration: float
    """Machine CPU (every process, every core) per registration decided."""
    busy_percent: float
    """The machine's busy share of all its cores during the phase."""


@dataclass(frozen=True)
class Ceiling:
    """The bounds, and where the measured hub stands against them."""

    cores: int
    signatures_ms: float
    raw: FullLoad
    hub: FullLoad
    floor_ms: float
    """The least machine CPU per registration the hub can cost: raw + signatures."""
    same_busy_reg_per_s: float
    same_busy_ratio: float
    all_cores_reg_per_s: float
    all_cores_ratio: float
    budget_ms_at_rate_target: float
    """Machine CPU per registration that 1,000/s leaves on these cores."""
    measured_ratio: float
    hub_over_floor: float
    """The measured hub's CPU per registration over the floor: what is the hub's own."""

    @property
    def ratio_target_reachable(self) -> bool:
        """Whether even the most favourable bound reaches hub/raw >= 0.70."""
        return max(self.same_busy_ratio, self.all_cores_ratio) >= RATIO_TARGET


def full_load(run: dict[str, Any], system: str) -> FullLoad:
    """``system``'s (``hub`` or ``raw``) full-load figures in a bench JSON."""
    try:
        figures = run["results"][system]["full"]["figures"]
        return FullLoad(
            reg_per_s=float(figures["reg_per_s"]),
            cpu_ms_per_registration=float(figures["cpu_ms_per_registration"][MACHINE]),
            busy_percent=float(figures["cpu_percent"]["machine busy % (all cores)"]),
        )
    except (KeyError, TypeError) as missing:
        raise ValueError(f"the run has no full-load figures for {system!r}: {missing}") from None


def ceiling(run: dict[str, Any], signatures_ms: float) -> Ceiling:
    """The bounds for ``run`` when each registration also costs ``signatures_ms`` of CPU."""
    if signatures_ms < 0:
        raise ValueError("signatures_ms: a cost cannot be negative")
    cores = int(run.get("machine", {}).get("nproc", 0))
    if cores < 1:
        raise ValueError("machine.nproc: the run does not say how many cores it had")
    raw, hub = full_load(run, "raw"), full_load(run, "hub")
    floor = raw.cpu_ms_per_registration + signatures_ms
    same_busy = raw.reg_per_s * raw.cpu_ms_per_registration / floor
    all_cores = cores * 1000.0 / floor
    return Ceiling(
        cores=cores,
        signatures_ms=signatures_ms,
        raw=raw,
        hub=hub,
        floor_ms=floor,
        same_busy_reg_per_s=same_busy,
        same_busy_ratio=same_busy / raw.reg_per_s,
        all_cores_reg_per_s=all_cores,
        all_cores_ratio=all_cores / raw.reg_per_s,
        budget_ms_at_rate_target=cores * 1000.0 / RATE_TARGET,
        measured_ratio=hub.reg_per_s / raw.reg_per_s,
        hub_over_floor=hub.cpu_ms_per_registration / floor,
    )


def report(bound: Ceiling, run_name: str) -> str:
    """The bounds as a short Markdown table, as BENCHMARKS.md quotes them."""
    verdict = "reachable" if bound.ratio_target_reachable else "NOT reachable"
    rows = [
        f"run {run_name}: {bound.cores} cores",
        "",
        "| figure | reg/s | hub/raw |",
        "|---|---:|---:|",
        f"| raw pipe, measured | {bound.raw.reg_per_s:,.0f} | |",
        f"| hub, measured | {bound.hub.reg_per_s:,.0f} | {bound.measured_ratio:.2f} |",
        f"| bound, same busy share ({bound.raw.busy_percent:.0f} %) "
        f"| {bound.same_busy_reg_per_s:,.0f} | {bound.same_busy_ratio:.2f} |",
        f"| bound, every core busy | {bound.all_cores_reg_per_s:,.0f} "
        f"| {bound.all_cores_ratio:.2f} |",
        "",
        f"machine CPU ms per registration: raw {bound.raw.cpu_ms_per_registration:.3f}"
        f" + signatures {bound.signatures_ms:.3f} = floor {bound.floor_ms:.3f};"
        f" hub measured {bound.hub.cpu_ms_per_registration:.3f}"
        f" ({bound.hub_over_floor:.1f}x the floor);"
        f" {RATE_TARGET:,.0f}/s leaves {bound.budget_ms_at_rate_target:.2f}",
        f"hub/raw >= {RATIO_TARGET:.2f} with these signatures: {verdict}",
    ]
    return "\n".join(rows)


def latest_run(directory: Path) -> Path:
    """The newest bench JSON in ``directory`` (their names sort by time)."""
    runs = sorted(directory.glob("*.json"))
    if not runs:
        raise ValueError(f"{directory}: no bench run (*.json) to read")
    return runs[-1]


def main(argv: list[str] | None = None) -> int:
    """Measure the signatures, read the run, print the table (``--json`` for the figures)."""
    parser = argparse.ArgumentParser(prog="python -m bench.ceiling", description=__doc__)
    parser.add_argument("run", nargs="?", type=Path, help="a bench JSON; default: the newest")
    parser.add_argument("--results", type=Path, default=Path("bench-results"))
    parser.add_argument("--rounds", type=int, default=1000, help="signing rounds to time")
    parser.add_argument(
        "--signatures-ms", type=float, default=None, help="use this cost instead of measuring"
    )
    parser.add_argument(
        "--per-record",
        action="store_true",
        help="time one signature per record (before stop 25) instead of batches of 50",
    )
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args(argv)
    if args.rounds < 1:
        parser.error("--rounds: at least 1 round is needed to time the signatures")
    try:
        path = args.run or latest_run(args.results)
        run = json.loads(path.read_text())
        if args.signatures_ms is None:
            from bench.signing_cost import measure, measure_batched

            figures = (
                measure(args.rounds)
                if args.per_record
                else measure_batched(max(1, args.rounds // 50), 50)
            )
            args.signatures_ms = figures["cpu_ms_per_registration"]
        bound = ceiling(run, args.signatures_ms)
    except (OSError, ValueError) as refused:
        parser.error(str(refused))
    if args.json:
        figures = asdict(bound) | {"ratio_target_reachable": bound.ratio_target_reachable}
        print(json.dumps(figures, indent=2))
    else:
        print(report(bound, path.name))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
