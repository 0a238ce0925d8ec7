"""``python -m adapters.ceisa``: run the CEISA adapter until SIGINT or SIGTERM."""

from adapters.ceisa.app import build
from adapters.ceisa.settings import CeisaSettings
from runtime.service import run


def main() -> None:
    """Entry point of the installed command (``[project.scripts]``)."""
    run(build(CeisaSettings()))


if __name__ == "__main__":
    main()
