"""``python -m customs``: run the customs lifecycle service until SIGINT or SIGTERM."""

from customs.app import build
from customs.settings import CustomsSettings
from runtime.service import run


def main() -> None:
    """Entry point of the installed command (``[project.scripts]``)."""
    run(build(CustomsSettings()))


if __name__ == "__main__":
    main()
