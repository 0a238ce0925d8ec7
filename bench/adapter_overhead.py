"""``python -m bench.adapter_overhead``: what an adapter adds to one agency call.

Why: the resilience policy (breaker, concurrency limit, metrics, wire mapping,
pydantic answers) runs on every verification; this measures its cost beside
a bare ``aiohttp`` GET loop to the same simulator, in one run. The agency's
own latency is taken out twice: the simulator injects a known latency L
(``/admin/faults``), and both loops see the same L, so ``adapter - bare`` is
the adapter's time. CPU time of this process per call is reported too: it
excludes the simulator, which runs as its own process.

Calls are sequential (one in flight), so each figure is a per-verification
time, not a throughput. The cache is off: this is the path of a cache miss
without the Redis round trip.
"""

import argparse
import asyncio
import shlex
import statistics
import subprocess
import sys
import time
from collections.abc import Awaitable, Callable

import aiohttp
import uvloop

from adapters.kit.agency import build_agency
from adapters.kit.cache import NoCache
from adapters.oss_nib.client import OssNibClient
from adapters.oss_nib.settings import OssAgencySettings
from bench.machine import facts
from contracts.verification import Check, CheckOutcome, VerificationRequested
from devstack.net import LOOPBACK, free_port, wait_for_port
from runtime.settings import InfraSettings
from simulators.dataset import WORLD

Call = Callable[[], Awaitable[None]]


async def timed(call: Call, n: int) -> tuple[list[float], float]:
    """Per-call wall times (ms) of ``n`` sequential calls, and CPU ms per call."""
    walls: list[float] = []
    cpu = time.process_time()
    for _ in range(n):
        started = time.perf_counter()
        await call()
        walls.append((time.perf_counter() - started) * 1000)
    return walls, (time.process_time() - cpu) * 1000 / n


async def measure(base: str, n: int, latencies: list[float]) -> list[dict[str, float]]:
    """Rows of bare-vs-adapter figures, one per injected latency."""
    nib = WORLD.fixture("approved_company").company.nib
    request = VerificationRequested(submission_id="BENCH", check=Check.NIB, identifier=nib)
    agency = build_agency(
        "oss",
        OssAgencySettings(base_url=base, cache_ttl_seconds=0),
        InfraSettings(),
        OssNibClient,
        cache=NoCache(),
    )
    await agency.start()
    rows = []
    async with aiohttp.ClientSession() as http:

        async def bare() -> None:
            async with http.get(f"{base}/oss/pia/v1/nib/{nib}") as response:
                await response.read()

        async def adapter() -> None:
            answer = await agency.verifier.verify(request)
            if answer.outcome is not CheckOutcome.VERIFIED:
                raise RuntimeError(f"adapter answered {answer.outcome}: {answer.detail}")

        for latency in latencies:
            async with http.post(f"{base}/admin/faults", json={"latency_ms": latency}):
                pass
            await timed(bare, 200)  # warm-up of both paths
            await timed(adapter, 200)
            results: dict[str, list[tuple[list[float], float]]] = {"bare": [], "adapter": []}
            for _ in range(2):  # interleaved rounds: drift on a shared machine hits both
                results["bare"].append(await timed(bare, n // 2))
                results["adapter"].append(await timed(adapter, n // 2))
            row = {"latency_ms": latency}
            for name, rounds in results.items():
                walls = [w for r in rounds for w in r[0]]
                row[f"{name}_p50"] = statistics.median(walls)
                row[f"{name}_mean"] = statistics.fmean(walls)
                row[f"{name}_cpu"] = statistics.fmean(r[1] for r in rounds)
            rows.append(row)
    await agency.close()
    return rows


def report(rows: list[dict[str, float]]) -> str:
    """A Markdown table of the rows."""
    lines = [
        "| injected L ms | bare GET p50 / mean ms | adapter p50 / mean ms "
        "| adapter - bare (mean) ms | CPU ms per call bare / adapter | CPU ratio |",
        "|---:|---:|---:|---:|---:|---:|",
    ]
    for r in rows:
        lines.append(
            f"| {r['latency_ms']:.0f} | {r['bare_p50']:.3f} / {r['bare_mean']:.3f} "
            f"| {r['adapter_p50']:.3f} / {r['adapter_mean']:.3f} "
            f"| {r['adapter_mean'] - r['bare_mean']:.3f} "
            f"| {r['bare_cpu']:.3f} / {r['adapter_cpu']:.3f} "
            f"| {r['adapter_cpu'] / r['bare_cpu']:.2f} |"
        )
    return "\n".join(lines)


def main(argv: list[str]) -> int:
    """Start the OSS simulator as its own process, measure, print the report."""
    parser = argparse.ArgumentParser(prog="python -m bench.adapter_overhead", description=__doc__)
    parser.add_argument("--n", type=int, default=4000, help="calls per path and latency")
    parser.add_argument("--latency-ms", type=float, nargs="+", default=[0.0, 20.0])
    args = parser.parse_args(argv)
    port = free_port()
    simulator = subprocess.Popen(
        [sys.executable, "-m", "simulators", "oss", "--port", str(port)],
        stderr=subprocess.DEVNULL,
    )
    try:
        if not wait_for_port(port, timeout=30, alive=lambda: simulator.poll() is None):
            print("the OSS simulator did not start", file=sys.stderr)
            return 1
        with asyncio.Runner(loop_factory=uvloop.new_event_loop) as runner:
            rows = runner.run(measure(f"http://{LOOPBACK}:{port}", args.n, args.latency_ms))
    finally:
        simulator.terminate()
        simulator.wait(timeout=10)
    print("command: python -m bench.adapter_overhead " + shlex.join(argv))
    for key, value in facts("not used").items():
        if key != "kafka":
            print(f"{key:>24}: {value}")
    print()
    print(report(rows))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
