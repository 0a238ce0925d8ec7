"""``python -m customs``: run the customs lifecycle service until SIGINT or SIGTERM."""

from customs.app import build
from customs.settings import CustomsSettings
from runtime.service import run

if __name__ == "__main__":
    run(build(CustomsSettings()))
