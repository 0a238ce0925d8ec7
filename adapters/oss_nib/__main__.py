"""``python -m adapters.oss_nib``: run the OSS adapter until SIGINT or SIGTERM."""

from adapters.oss_nib.app import build
from adapters.oss_nib.settings import OssSettings
from runtime.service import run


def main() -> None:
    """Entry point of the installed command (``[project.scripts]``)."""
    run(build(OssSettings()))


if __name__ == "__main__":
    main()
