"""``python -m gateway``: run the gateway until SIGINT or SIGTERM."""

from gateway.app import build
from gateway.settings import GatewaySettings
from runtime.service import run

if __name__ == "__main__":
    run(build(GatewaySettings()))
