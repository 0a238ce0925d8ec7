"""``python -m bench`` (``./hub bench``): hub vs raw aiokafka pipe, one broker, one run.

Phases of each system: warm-up, full load (flat out), half load (paced),
low load (paced at a fixed ``--low-rate``, 20/s: issue 15's latency target).

Why one command: the figures that matter are ratios measured side by side
(hub/raw throughput, latency at the same offered load), so both systems run
on the same broker within minutes of each other, and the report carries the
machine facts and the exact command. Exit status 1 when any registration was
lost, not APPROVED, or the run stalled or timed out.
"""

import argparse
import asyncio
import os
import shlex
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import uvloop

from bench import tls_cost
from bench.machine import facts
from bench.phases import LOW_RATE, loud, say
from bench.report import (
    Reports,
    cpu_per_registration,
    cpu_per_registration_table,
    cpu_table,
    goals,
    hops_table,
    memory_table,
    scale_table,
    table,
    write_json,
)
from bench.run import WARM_BROKER_S, WARMUP, Run, leftovers
from devstack.infra import Infrastructure
from devstack.paths import REPO_ROOT

STRAY = r"kafka.Kafka|redis-server|python -m (gateway|adapters|simulators|bench)"


def parse(argv: list[str]) -> argparse.Namespace:
    """Command-line options (defaults finish in a few minutes on 2 cores)."""
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__)
    parser.add_argument("--n", type=int, default=3000, help="registrations at full load")
    parser.add_argument("--half-n", type=int, default=2000, help="registrations at half load")
    parser.add_argument(
        "--half-rate",
        default="500",
        help="half-load rate per second, or 'auto' = half the hub's full-load rate",
    )
    parser.add_argument(
        "--low-rate",
        type=float,
        default=LOW_RATE,
        help="low-load rate per second, fixed (issue 15: latency at 20 registrations/s)",
    )
    parser.add_argument(
        "--low-n", type=int, default=400, help="registrations at low load (0 = no low phase)"
    )
    parser.add_argument(
        "--warmup",
        type=int,
        default=WARMUP,
        help="registrations of the first warm-up, flat out (its records give the raw pipe "
        "its message sizes)",
    )
    parser.add_argument(
        "--warm-broker",
        type=float,
        default=WARM_BROKER_S,
        metavar="SECONDS",
        help="after the first warm-up, rounds of --n registrations until the broker's JIT "
        "compilers take under 10%% of its CPU, for at most SECONDS (0: none); each system "
        "gets the same",
    )
    parser.add_argument("--skip-raw", action="store_true", help="measure the hub only")
    parser.add_argument("--skip-hub", action="store_true", help="measure the raw pipe only")
    parser.add_argument(
        "--tls-cost",
        action="store_true",
        help="the hub twice, SASL_SSL then PLAINTEXT, each on a fresh broker: the ratio "
        "(no raw pipe; give a short --n and --half-n)",
    )
    parser.add_argument(
        "--brokers",
        type=int,
        choices=(1, 3),
        default=1,
        help="Kafka brokers devstack starts: 1, or a KRaft cluster of 3 (replication 3, min ISR 2)",
    )
    parser.add_argument(
        "--scale",
        type=int,
        default=1,
        help="after the hub's phases, start instances 2..SCALE of the gateway and of each "
        "adapter (same consumer groups) and measure warm-up and full load again",
    )
    parser.add_argument(
        "--soak",
        type=float,
        metavar="SECONDS",
        help="memory run instead of the comparison: the hub at --soak-rate for SECONDS, "
        "RSS of every process and Redis's size sampled every --soak-interval",
    )
    parser.add_argument(
        "--soak-rate",
        type=float,
        help="offered rate of the soak per second (default: half of a full load of --n)",
    )
    parser.add_argument(
        "--soak-interval", type=float, default=30.0, help="seconds between memory samples"
    )
    parser.add_argument("--timeout", type=float, default=900, help="whole-run limit, seconds")
    parser.add_argument("--out", type=Path, default=REPO_ROOT / "bench-results")
    args = parser.parse_args(argv)
    if args.half_rate != "auto":
        try:
            if float(args.half_rate) <= 0:
                raise ValueError
        except ValueError:
            parser.error("--half-rate must be a positive number or 'auto'")
    if args.low_rate <= 0:
        parser.error("--low-rate must be positive")
    if args.low_n < 0:
        parser.error("--low-n must be 0 (no low phase) or more")
    if args.scale < 1:
        parser.error("--scale must be 1 or more")
    for name in ("soak", "soak_rate", "soak_interval"):
        value = getattr(args, name)
        if value is not None and value <= 0:
            parser.error(f"--{name.replace('_', '-')} must be positive")
    if args.soak is not None and args.timeout < args.soak * 1.5 + 300:
        args.timeout = args.soak * 1.5 + 300  # the soak itself must fit in the limit
    return args


async def _measure(run: Run) -> None:
    if run.args.soak is not None:
        await run.soak()
        return
    if not run.args.skip_hub:
        await run.hub()
    if not run.args.skip_raw:
        await run.raw()


def hub_like_processes() -> set[str]:
    """``pid command`` lines of Kafka, Redis and hub processes (this one excluded)."""
    found = subprocess.run(["pgrep", "-af", STRAY], capture_output=True, text=True, check=False)
    mine = {str(os.getpid()), str(os.getppid())}
    return {line for line in found.stdout.splitlines() if line.split()[0] not in mine}


def _print_tables(run: Run, reports: Reports) -> None:
    print(f"\n{table(reports)}\n\n{cpu_table(reports)}\n\n{hops_table(reports)}\n")
    print(f"{cpu_per_registration_table(reports)}\n")
    for extra in (scale_table(run.scale_out, run.args.scale), memory_table(reports)):
        if extra:
            print(f"{extra}\n")
    if run.args.soak is None:
        print(f"message shape: {run.shape.source}")


def main(argv: list[str]) -> int:
    """Run the benchmark; print the report; write the JSON; return the exit status."""
    args = parse(argv)
    command = "python -m bench " + shlex.join(argv)
    if args.tls_cost:
        return tls_cost.main(args, command)
    before = hub_like_processes()  # others' brokers on a shared machine are not ours
    started = time.strftime("%Y%m%dT%H%M%S")
    infra = Infrastructure(brokers=args.brokers)
    say("starting Kafka and Redis (or using KAFKA_BOOTSTRAP_SERVERS / REDIS_URL)")
    infra.start()
    infra.export_admin_env()  # the driver and the raw pipe provision: the superuser
    machine = facts(infra.describe_kafka())
    run = Run(infra, args)
    reports: Reports = run.reports
    failure = ""
    try:
        with asyncio.Runner(loop_factory=uvloop.new_event_loop) as runner:
            runner.run(asyncio.wait_for(_measure(run), args.timeout))
    except TimeoutError:
        failure = f"the run exceeded --timeout {args.timeout:.0f}s"
    except Exception as error:
        failure = f"{type(error).__name__}: {error}"
    finally:
        say("stopping Kafka and Redis")
        infra.stop()
    errors = [e for phases in reports.values() for r in phases.values() for e in r.errors]
    if failure:
        loud(failure)
        errors.append(failure)
    left = leftovers(run.started)
    others = hub_like_processes()  # ours are gone (else in ``left``): these are not ours
    if left:
        loud(f"stray processes after the run: {left}")
        errors.append(f"stray processes: {left}")
    document: dict[str, Any] = {
        "command": command,
        "started": started,
        "run_id": run.run_id,
        "machine": machine,
        "options": {k: str(v) for k, v in vars(args).items()},
        "shape": run.shape.to_json(),
        "cpu_ms_per_registration": cpu_per_registration(reports),
        "goals": goals(reports),
        "scale_out": run.scale_out,
        "errors": errors,
        "other_sessions_processes": {"at start": sorted(before), "at end": sorted(others)},
    }
    suffix = "-soak" if args.soak is not None else ""
    path = write_json(args.out / f"{started}{suffix}.json", document, reports)
    print(f"\ncommand: {command}")
    for key, value in machine.items():
        print(f"{key:>24}: {value}")
    _print_tables(run, reports)
    if before or others:
        print(
            f"NOTE: {len(before | others)} Kafka/Redis/hub processes of other sessions ran "
            "beside this benchmark (listed in the JSON); absolute figures are noisy."
        )
    print(f"results: {path}")
    if errors:
        print(f"\nFAILED: {len(errors)} error(s), see above", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
