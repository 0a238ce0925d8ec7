"""The gateway's background work: due re-checks and deadline events, polled in one loop."""

import asyncio
import logging
from collections.abc import Sequence
from typing import Protocol

from runtime.consumer import TRANSIENT

log = logging.getLogger(__name__)


class TimerWork(Protocol):
    """Something that does what has come due and says how much it did."""

    async def run_once(self) -> int:
        """Handle what is due now."""


async def run_timers(workers: Sequence[TimerWork], interval: float) -> None:
    """Poll every worker until cancelled; an outage of Redis or Kafka only delays the work."""
    while True:
        for worker in workers:
            try:
                done = await worker.run_once()
                if done:
                    log.info("%s: %d due item(s) handled", type(worker).__name__, done)
            except TRANSIENT as error:
                log.warning("%s postponed: %s", type(worker).__name__, type(error).__name__)
        await asyncio.sleep(interval)
