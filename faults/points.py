"""Fault points: freeze a service at a named place of its commit path, to kill it there.

Why: "kill -9 between producing and committing" is a window of a few
milliseconds; a fault-injection suite that hopes to hit it by timing proves
little. A service launched through :mod:`faults.armed` with
``INSW_FAULT_POINT=<point>@<topic>`` stops at that point of its N-th batch
from ``topic`` (``INSW_FAULT_AFTER_BATCHES``, default 1), creates the file
``INSW_FAULT_MARKER`` and hangs until it is killed. The points themselves are
named by the product (:mod:`runtime.checkpoints`); this is the tool's side.
"""

import asyncio
import logging
import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from runtime.checkpoints import POINTS

log = logging.getLogger(__name__)


@dataclass
class FaultPoint:
    """One armed fault point; :meth:`reach` hangs when it fires."""

    point: str
    topic: str
    marker: Path | None
    after_batches: int = 1
    _seen: int = field(default=0, init=False)

    @classmethod
    def from_env(cls, env: Mapping[str, str] = os.environ) -> "FaultPoint | None":
        """The fault point the environment arms, or ``None`` (the normal case)."""
        spec = env.get("INSW_FAULT_POINT")
        if not spec:
            return None
        point, _, topic = spec.partition("@")
        if point not in POINTS or not topic:
            raise ValueError(f"INSW_FAULT_POINT must be <{'|'.join(POINTS)}>@<topic>, got {spec!r}")
        marker = env.get("INSW_FAULT_MARKER")
        return cls(
            point,
            topic,
            Path(marker) if marker else None,
            int(env.get("INSW_FAULT_AFTER_BATCHES", "1")),
        )

    def fires(self, point: str, topic: str) -> bool:
        """Count a batch reaching ``point`` on ``topic``; True on the armed one."""
        if point != self.point or topic != self.topic:
            return False
        self._seen += 1
        return self._seen == self.after_batches

    async def reach(self, point: str, topic: str) -> None:
        """Hang forever if this is the armed point and batch; return at once otherwise."""
        if not self.fires(point, topic):
            return
        log.warning("fault point %s@%s reached: hanging until killed", point, topic)
        if self.marker is not None:
            self.marker.write_text(f"{point}@{topic}\n")
        await asyncio.Event().wait()
