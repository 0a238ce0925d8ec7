"""``python -m notifier``: run the notifier until SIGINT or SIGTERM."""

from notifier.app import build
from notifier.settings import NotifierSettings
from runtime.service import run


def main() -> None:
    """Entry point of the installed command (``[project.scripts]``)."""
    run(build(NotifierSettings()))


if __name__ == "__main__":
    main()
