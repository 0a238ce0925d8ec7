"""Background work that comes due: one polling loop for every service that has timers.

The gateway (re-checks, referral deadlines) and the customs lifecycle
(PER-21 deadlines) poll leased timers the same way; an outage of Redis or
Kafka must only delay that work, never stop the loop.
"""

import asyncio
import logging
from collections.abc import Sequence
from typing import Protocol

from runtime.consumer import TRANSIENT

log = logging.getLogger(__name__)


class DueWork(Protocol):
    """Something that does what has come due and says how much it did."""

    async def run_once(self) -> int:
        """Handle what is due now."""


async def poll_forever(workers: Sequence[DueWork], interval: float) -> None:
    """Run every worker's ``run_once`` every ``interval`` seconds until cancelled."""
    while True:
        for worker in workers:
            try:
                done = await worker.run_once()
                if done:
                    log.info("%s: %d due item(s) handled", type(worker).__name__, done)
            except TRANSIENT as error:
                log.warning("%s postponed: %s", type(worker).__name__, type(error).__name__)
        await asyncio.sleep(interval)
