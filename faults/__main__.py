"""``python -m faults``: run the fault scenarios, print and write their ledgers.

Exit status 0 when every scenario kept every invariant, 1 when one broke one
(the terminal summary and RELIABILITY.md say which), 2 for a usage error.
"""

import argparse
import asyncio
import logging
import sys
from collections.abc import Sequence
from pathlib import Path

from devstack.kafka import kafka_version
from devstack.paths import REPO_ROOT
from faults import report
from faults.run import Result, run_scenario
from faults.scenarios import SCENARIOS

DEFAULT_REGISTRATIONS = 2000
DEFAULT_SETTLE_S = 300.0


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    """The command line."""
    parser = argparse.ArgumentParser(prog="python -m faults", description=__doc__)
    parser.add_argument(
        "--only",
        nargs="+",
        choices=list(SCENARIOS),
        metavar="NAME",
        help=f"run only these scenarios: {', '.join(SCENARIOS)}",
    )
    parser.add_argument("--registrations", type=int, default=DEFAULT_REGISTRATIONS)
    parser.add_argument(
        "--report",
        type=Path,
        default=REPO_ROOT / "RELIABILITY.md",
        help="markdown file whose ledger section is rewritten ('-' for none)",
    )
    parser.add_argument(
        "--settle-timeout",
        type=float,
        default=DEFAULT_SETTLE_S,
        help="seconds a scenario may take to recover after its load",
    )
    parser.add_argument(
        "--brokers",
        type=int,
        choices=(1, 3),
        default=1,
        help="Kafka brokers per stack: 1, or a KRaft cluster of 3 (replication 3, min ISR 2); "
        "scenarios that need a cluster get 3 either way",
    )
    args = parser.parse_args(argv)
    if args.registrations < 1:
        parser.error("--registrations must be at least 1")
    return args


async def run_all(
    names: Sequence[str], count: int, settle_s: float, brokers: int = 1
) -> list[Result]:
    """Run the scenarios one after the other, each on its own fresh stack."""
    results = []
    for name in names:
        result = await run_scenario(
            SCENARIOS[name], count, settle_timeout=settle_s, brokers=brokers
        )
        verdict = "PASS" if not result.violations() else "FAIL"
        print(f"faults: {name}: {verdict} ({result.wall_seconds:.0f}s)", flush=True)
        results.append(result)
    return results


def main(argv: Sequence[str] | None = None) -> int:
    """Run, summarise, write the report; the exit status tells whether every invariant held."""
    args = parse_args(argv)
    logging.basicConfig(level=logging.WARNING, format="%(name)s %(levelname)s %(message)s")
    # The suite's own Kafka clients lose the broker on purpose (broker restart);
    # their reconnect errors are expected. Each service logs to its own file.
    logging.getLogger("aiokafka").setLevel(logging.CRITICAL)
    names = args.only or list(SCENARIOS)
    results = asyncio.run(run_all(names, args.registrations, args.settle_timeout, args.brokers))
    print(report.summary(results))
    if str(args.report) != "-":
        path = report.write(args.report, results, SCENARIOS, f"Kafka {kafka_version()}")
        print(f"faults: ledger written to {path}")
    return 1 if any(r.violations() for r in results) else 0


if __name__ == "__main__":
    sys.exit(main())
