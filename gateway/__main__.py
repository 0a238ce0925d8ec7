"""``python -m gateway``: run the gateway until SIGINT or SIGTERM."""

from gateway.app import build
from gateway.settings import GatewaySettings
from runtime.service import run


def main() -> None:
    """Entry point of the installed command (``[project.scripts]``)."""
    run(build(GatewaySettings()))


if __name__ == "__main__":
    main()
