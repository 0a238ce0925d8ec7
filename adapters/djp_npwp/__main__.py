"""``python -m adapters.djp_npwp``: run the DJP adapter until SIGINT or SIGTERM."""

from adapters.djp_npwp.app import build
from adapters.djp_npwp.settings import DjpSettings
from runtime.service import run


def main() -> None:
    """Entry point of the installed command (``[project.scripts]``)."""
    run(build(DjpSettings()))


if __name__ == "__main__":
    main()
