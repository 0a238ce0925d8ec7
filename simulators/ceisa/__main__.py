"""``python -m simulators.ceisa --port P [--host H] [--step-delay S]``: run the CEISA simulator.

Consumes ``ceisa.registration.v1`` and the trader's ``ceisa.trader.v1`` on
``KAFKA_BOOTSTRAP_SERVERS`` (group ``ceisa-simulator``), answers on
``ceisa.response.v1``, and serves the admin endpoints (``simulators.ceisa.admin``)
on the port until SIGINT or SIGTERM.
"""

import argparse
import logging
from collections.abc import Sequence

from aiohttp import web
from faststream import FastStream

from contracts import signers, topics
from runtime.service import HubService, run
from runtime.settings import InfraSettings
from simulators.ceisa.admin import Scenarios, make_app
from simulators.ceisa.customs import CustomsOffice
from simulators.ceisa.script import Scenario

log = logging.getLogger("simulators.ceisa")


def parse_args(argv: Sequence[str] | None = None) -> argparse.Namespace:
    """Parse the command line."""
    parser = argparse.ArgumentParser(prog="python -m simulators.ceisa", description=__doc__)
    parser.add_argument("--port", type=int, required=True, help="admin HTTP port")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--step-delay", type=float, default=1.0, help="seconds between documents")
    parser.add_argument("--default-scenario", default=Scenario.ACCEPT.value, choices=list(Scenario))
    return parser.parse_args(argv)


def build(args: argparse.Namespace, settings: InfraSettings) -> FastStream:
    """The simulator: a consumer of applications, a story player and the admin endpoint."""
    service = HubService(settings, name="ceisa-simulator", signer=signers.CEISA, redis=False)
    scenarios = Scenarios(default=Scenario(args.default_scenario))
    office = CustomsOffice(scenarios, service.publish, step_delay=args.step_delay)
    service.subscribe(
        topics.CEISA_REGISTRATION,
        handler=office.on_applications,
        description="Simulated customs: registration applications start scripted stories.",
    )
    service.subscribe(
        topics.CEISA_TRADER,
        handler=office.on_trader_messages,
        description="Simulated customs: the trader's documents and applications move stories on.",
    )
    runner = web.AppRunner(make_app(scenarios), access_log=None)

    async def start_admin() -> None:
        await runner.setup()
        await web.TCPSite(runner, args.host, args.port).start()
        log.info("ceisa simulator admin on http://%s:%s", args.host, runner.addresses[0][1])

    async def stop_admin() -> None:
        await office.stop()
        await runner.cleanup()

    return service.app(on_startup=[start_admin], after_shutdown=[stop_admin])


if __name__ == "__main__":
    run(build(parse_args(), InfraSettings()))
