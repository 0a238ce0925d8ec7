"""``python -m faults.armed MODULE [ARGS…]``: run a hub service with its fault point armed.

Why a launcher: the product never imports a tool, so a service cannot arm a
fault point itself. This installs the :class:`faults.points.FaultPoint` the
environment names (none: the service runs untouched) as the process's
:mod:`runtime.checkpoints` checkpoint, then runs ``python -m MODULE`` in the
same process, exactly as it would have started.
"""

import runpy
import sys

from faults.points import FaultPoint
from runtime import checkpoints


def main(argv: list[str]) -> None:
    """Arm from the environment, then run ``argv[0]`` as ``__main__`` with ``argv`` as its argv."""
    if not argv:
        raise SystemExit("usage: python -m faults.armed MODULE [ARGS...]")
    checkpoints.install(FaultPoint.from_env())
    sys.argv = list(argv)
    runpy.run_module(argv[0], run_name="__main__", alter_sys=True)


if __name__ == "__main__":
    main(sys.argv[1:])
