"""``python -m adapters.dukcapil``: run the Dukcapil adapter until SIGINT or SIGTERM."""

from adapters.dukcapil.app import build
from adapters.dukcapil.settings import DukcapilSettings
from runtime.service import run

if __name__ == "__main__":
    run(build(DukcapilSettings()))
