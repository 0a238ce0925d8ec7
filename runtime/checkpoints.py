"""Named places in the commit path that an outside observer may be told about.

Why: the fault-injection suite must kill a service at the worst moment
("kill -9 between producing and committing" is a window of milliseconds),
which timing cannot hit. The product only names the places and calls the
installed :class:`Checkpoint` there; what to do (hang, write a marker) is the
tool's business (:mod:`faults.points`), installed by its launcher before the
service starts. Nothing installed (production), the check is one ``is None``.

Points: ``before-produce`` (the handler has run and written Redis; nothing is
published) and ``before-commit`` (outputs are on the broker inside the open
transaction; input offsets are not committed).
"""

from typing import Protocol

BEFORE_PRODUCE = "before-produce"
BEFORE_COMMIT = "before-commit"
POINTS = (BEFORE_PRODUCE, BEFORE_COMMIT)


class Checkpoint(Protocol):
    """Told each time a batch from ``topic`` reaches ``point``; may delay it as long as it likes."""

    async def reach(self, point: str, topic: str) -> None:
        """Return to let the batch go on."""


_installed: Checkpoint | None = None


def install(checkpoint: Checkpoint | None) -> None:
    """Install the process's checkpoint (``None`` removes it); services built later use it."""
    global _installed  # noqa: PLW0603 - one per process, set by a launcher before any service
    _installed = checkpoint


def installed() -> Checkpoint | None:
    """The process's checkpoint, or ``None`` (the normal case)."""
    return _installed
