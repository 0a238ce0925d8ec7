"""``python -m adapters.ceisa``: run the CEISA adapter until SIGINT or SIGTERM."""

from adapters.ceisa.app import build
from adapters.ceisa.settings import CeisaSettings
from runtime.service import run

if __name__ == "__main__":
    run(build(CeisaSettings()))
