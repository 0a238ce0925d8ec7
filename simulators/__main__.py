"""Command line: run one agency simulator, or print the named fixtures.

``python -m simulators {oss|djp|dukcapil} --port P [--host 127.0.0.1] [--seed S]``
serves one agency (access logs off: they would print identifiers) until
SIGTERM or SIGINT, then exits 0. It prints one line to stderr once
listening: ``<service> simulator listening on http://HOST:PORT (seed S)``
(``--port 0`` picks a free port; that line tells which).

``python -m simulators dump-fixtures [--seed S]`` prints every named fixture
as JSON: ``{name: [case, ...]}``.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import signal
import sys
from collections.abc import Callable, Sequence

from aiohttp import web

from simulators import djp, dukcapil, oss
from simulators.dataset import DEFAULT_SEED, World

APPS: dict[str, Callable[[World], web.Application]] = {
    "oss": oss.make_app,
    "djp": djp.make_app,
    "dukcapil": dukcapil.make_app,
}


def parse_args(argv: Sequence[str] | None = None) -> argparse.Namespace:
    """Parse the command line."""
    parser = argparse.ArgumentParser(prog="python -m simulators", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)
    for name in APPS:
        run = sub.add_parser(name, help=f"serve the {name} simulator")
        run.add_argument("--port", type=int, required=True)
        run.add_argument("--host", default="127.0.0.1")
        run.add_argument("--seed", type=int, default=DEFAULT_SEED)
    dump = sub.add_parser("dump-fixtures", help="print the named fixtures as JSON")
    dump.add_argument("--seed", type=int, default=DEFAULT_SEED)
    sub.add_parser("write-examples", help="rewrite examples/registrations/*.json")
    return parser.parse_args(argv)


async def serve(service: str, host: str, port: int, seed: int) -> None:
    """Serve ``service`` until SIGTERM or SIGINT."""
    app = APPS[service](World(seed))
    runner = web.AppRunner(app, access_log=None, handle_signals=False)
    await runner.setup()
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stop.set)
    try:
        site = web.TCPSite(runner, host, port, backlog=1024)
        await site.start()
        bound = runner.addresses[0][1] if runner.addresses else port
        print(
            f"{service} simulator listening on http://{host}:{bound} (seed {seed})",
            file=sys.stderr,
            flush=True,
        )
        await stop.wait()
    finally:
        await runner.cleanup()


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point; returns the process exit code."""
    args = parse_args(argv)
    if args.command == "write-examples":
        from simulators.registrations import write_examples

        for path in write_examples():
            print(path, file=sys.stderr)
        return 0
    if args.command == "dump-fixtures":
        world = World(args.seed)
        fixtures = {n: [f.as_json() for f in world.fixtures(n)] for n in world.fixture_names()}
        try:
            json.dump(fixtures, sys.stdout, ensure_ascii=False, indent=2)
            print(flush=True)
        except BrokenPipeError:  # e.g. piped into `head`
            os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0
    try:
        import uvloop
    except ImportError:  # pragma: no cover - uvloop is a declared dependency
        asyncio.run(serve(args.command, args.host, args.port, args.seed))
    else:
        uvloop.run(serve(args.command, args.host, args.port, args.seed))
    return 0


if __name__ == "__main__":
    sys.exit(main())
