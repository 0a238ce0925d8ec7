"""What the hub asks of the broker, per registration: a census of its request log.

Why: at low load the broker, not the hub's Python, sets the latency (issue
15): every transactional hop costs it a handful of requests, each with a
fixed CPU cost on this machine. Counting the requests each client sends per
registration, by API, shows where they come from and what can still be cut;
the broker's own times per request (queue, local, remote) show whether a
request is slow because of the work or because of the wait.

Take one: run the bench with ``KAFKA_REQUEST_LOG=/tmp/requests.log`` in the
environment (devstack then turns the broker's request log on), then
``python -m bench.census /tmp/requests.log bench-results/<run>.json`` prints
a census for every phase of that run (each phase's report carries its
wall-clock window). The request log costs the broker CPU: do not read a
run's latency figures when it was on.
"""

from __future__ import annotations

import argparse
import json
import re
import statistics
import time
from collections import Counter, defaultdict
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

_LINE = re.compile(r"^\[(\d{4}-\d\d-\d\d \d\d:\d\d:\d\d),(\d{3})\] Completed request:(\{.*\})\s*$")
_TIMES = ("requestQueueTimeMs", "localTimeMs", "remoteTimeMs", "totalTimeMs")
_INSTANCE = re.compile(r"-(?:[0-9a-f]{6,}|\d+)$")


@dataclass(frozen=True, slots=True)
class Request:
    """One completed request as the broker logged it."""

    at: float
    """Epoch seconds (the broker logs local time, as this machine's clock reads it)."""
    api: str
    client: str
    times_ms: Mapping[str, float]
    errors: tuple[int, ...] = ()
    """Error codes other than 0 anywhere in the broker's response (51: CONCURRENT_TRANSACTIONS)."""


def client_name(client_id: str) -> str:
    """The client id without its instance suffix (``aiokafka-producer-3``, ``insw-gw-2``)."""
    return _INSTANCE.sub("", client_id)


def _error_codes(node: object) -> Iterator[int]:
    """Every non-zero ``...ErrorCode`` / ``errorCode`` value in a logged response."""
    if isinstance(node, dict):
        for key, value in node.items():
            if key.lower().endswith("errorcode") and isinstance(value, int) and value:
                yield value
            else:
                yield from _error_codes(value)
    elif isinstance(node, list):
        for item in node:
            yield from _error_codes(item)


def parse(lines: Iterable[str]) -> Iterator[Request]:
    """The completed requests in a broker request log; other lines are skipped."""
    for line in lines:
        match = _LINE.match(line)
        if match is None:
            continue
        stamp, millis, body = match.groups()
        try:
            entry = json.loads(body)
        except json.JSONDecodeError:
            continue  # a line cut short when the broker stopped
        header = entry.get("requestHeader", {})
        at = time.mktime(time.strptime(stamp, "%Y-%m-%d %H:%M:%S")) + int(millis) / 1000
        yield Request(
            at=at,
            api=str(header.get("requestApiKeyName", "?")),
            client=client_name(str(header.get("clientId", "?"))),
            times_ms={k: float(entry[k]) for k in _TIMES if k in entry},
            errors=tuple(sorted(set(_error_codes(entry.get("response"))))),
        )


@dataclass(slots=True)
class Census:
    """Requests in one window, counted by API and by client."""

    registrations: int
    by_api: Counter[str] = field(default_factory=Counter)
    by_client_api: Counter[tuple[str, str]] = field(default_factory=Counter)
    errors: Counter[tuple[str, int]] = field(default_factory=Counter)
    times_ms: dict[str, dict[str, list[float]]] = field(
        default_factory=lambda: defaultdict(lambda: defaultdict(list))
    )

    def add(self, request: Request) -> None:
        """Count one request and keep its broker times."""
        self.by_api[request.api] += 1
        self.by_client_api[(request.client, request.api)] += 1
        for code in request.errors:
            self.errors[(request.api, code)] += 1
        for name, value in request.times_ms.items():
            self.times_ms[request.api][name].append(value)

    @property
    def total(self) -> int:
        """Requests counted."""
        return sum(self.by_api.values())

    def per_registration(self, count: int) -> float:
        """``count`` divided by the window's registrations."""
        return count / self.registrations if self.registrations else 0.0

    def as_dict(self) -> dict[str, object]:
        """The census for a results file: counts per registration, median broker times."""
        return {
            "registrations": self.registrations,
            "requests_per_registration": round(self.per_registration(self.total), 2),
            "by_api": {a: round(self.per_registration(n), 2) for a, n in self.by_api.most_common()},
            "by_client": {
                f"{c} {a}": round(self.per_registration(n), 2)
                for (c, a), n in self.by_client_api.most_common()
            },
            "errors": {
                f"{api} {code}": round(self.per_registration(n), 2)
                for (api, code), n in self.errors.most_common()
            },
            "median_ms": {
                api: {name: round(statistics.median(v), 2) for name, v in times.items()}
                for api, times in self.times_ms.items()
            },
        }


def take(requests: Iterable[Request], start: float, end: float, registrations: int) -> Census:
    """The census of the requests completed within ``[start, end]``."""
    census = Census(registrations)
    for request in requests:
        if start <= request.at <= end:
            census.add(request)
    return census


def phase_windows(results: Mapping[str, object]) -> list[tuple[str, float, float, int]]:
    """(name, start, end, registrations) of each phase of a bench results file with a window."""
    windows = []
    for target, phases in dict(results.get("results", {})).items():  # type: ignore[call-overload]
        for phase, report in dict(phases).items():
            figures = dict(report.get("figures", {}))
            window = figures.get("window_epoch_s")
            if window:
                windows.append((f"{target}/{phase}", window[0], window[1], int(figures["decided"])))
    return windows


def render(name: str, census: Census) -> str:
    """A census as text: requests per registration by API, then the top clients."""
    lines = [
        f"{name}: {census.total} requests for {census.registrations} registrations"
        f" = {census.per_registration(census.total):.1f} per registration",
        f"  {'API':<24}{'per reg':>9}{'queue ms':>10}{'local ms':>10}"
        f"{'remote ms':>11}{'total ms':>10}",
    ]
    for api, count in census.by_api.most_common():
        times = census.times_ms.get(api, {})
        med = [statistics.median(times[t]) if times.get(t) else 0.0 for t in _TIMES]
        lines.append(
            f"  {api:<24}{census.per_registration(count):>9.2f}"
            + "".join(f"{m:>10.1f}" for m in med[:2])
            + f"{med[2]:>11.1f}{med[3]:>10.1f}"
        )
    for (api, code), count in census.errors.most_common():
        lines.append(f"  answered error {code} to {api}: {census.per_registration(count):.2f}")
    lines.append("  by client (per registration):")
    for (client, api), count in census.by_client_api.most_common(16):
        lines.append(f"    {census.per_registration(count):6.2f}  {client:<34} {api}")
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> None:
    """Print the census of every phase of one bench run."""
    parser = argparse.ArgumentParser(prog="python -m bench.census", description=__doc__)
    parser.add_argument("log", type=Path, help="the broker's request log (KAFKA_REQUEST_LOG)")
    parser.add_argument("results", type=Path, help="the bench run's results JSON")
    parser.add_argument("--phase", action="append", help="only these phases (hub/half, raw/low)")
    args = parser.parse_args(argv)
    windows = phase_windows(json.loads(args.results.read_text()))
    if args.phase:
        windows = [w for w in windows if w[0] in args.phase]
    if not windows:
        raise SystemExit(f"{args.results}: no phase with a window_epoch_s (run with a newer bench)")
    with args.log.open(encoding="utf-8", errors="replace") as log:
        requests = list(parse(log))
    for name, start, end, registrations in windows:
        print(render(name, take(requests, start, end, registrations)))
        print()


if __name__ == "__main__":
    main()
