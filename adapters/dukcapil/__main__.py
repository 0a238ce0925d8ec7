"""``python -m adapters.dukcapil``: run the Dukcapil adapter until SIGINT or SIGTERM."""

from adapters.dukcapil.app import build
from adapters.dukcapil.settings import DukcapilSettings
from runtime.service import run


def main() -> None:
    """Entry point of the installed command (``[project.scripts]``)."""
    run(build(DukcapilSettings()))


if __name__ == "__main__":
    main()
