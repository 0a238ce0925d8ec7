"""``python -m intake``: serve the HTTP intake until SIGINT or SIGTERM."""

import uvloop
from aiohttp import web

from intake.app import build
from intake.settings import IntakeSettings
from runtime import logs


def main() -> None:
    """Entry point of the installed command (``[project.scripts]``)."""
    logs.configure()
    settings = IntakeSettings()
    web.run_app(
        build(settings),
        host=settings.intake_host,
        port=settings.intake_port,
        access_log=None,
        loop=uvloop.new_event_loop(),
    )


if __name__ == "__main__":
    main()
