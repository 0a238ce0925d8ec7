"""``python -m hubctl`` (or ``./hub ctl``): one entry point, a sub-command per concern."""

import argparse
import sys
from collections.abc import Sequence

from hubctl import acl, audit, dlq, replay


def parser() -> argparse.ArgumentParser:
    """The whole command line; each concern registers its own sub-commands."""
    root = argparse.ArgumentParser(prog="hubctl", description=__doc__)
    commands = root.add_subparsers(dest="concern", required=True)
    dlq.register(commands)
    replay.register(commands)
    audit.register(commands)
    acl.register(commands)
    return root


def main(argv: Sequence[str] | None = None) -> int:
    """Parse ``argv`` and run the chosen command; its return value is the exit status."""
    args = parser().parse_args(argv)
    status: int = args.run(args)
    return status


if __name__ == "__main__":
    sys.exit(main())
