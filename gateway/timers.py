"""The gateway's background work: due re-checks and deadline events, polled in one loop."""

import asyncio
import logging
from collections.abc import Awaitable, Callable, Sequence
from datetime import UTC, datetime, timedelta
from typing import Protocol

from gateway.store import RegistrationStore, Timer
from runtime.consumer import TRANSIENT
from runtime.records import Outbound

log = logging.getLogger(__name__)


Publish = Callable[[Sequence[Outbound]], Awaitable[None]]


class TimerWorker:
    """Base of the gateway's timer workers: store, publisher, clock and leases."""

    def __init__(
        self,
        store: RegistrationStore,
        publish: Publish,
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
        lease: timedelta = timedelta(seconds=60),
        limit: int = 500,
    ) -> None:
        self._store = store
        self._publish = publish
        self._clock = clock
        self._lease = lease
        self._limit = limit

    async def _due(self, timer: Timer, now: datetime) -> list[str]:
        """Lease the submissions whose ``timer`` is due at ``now``."""
        return await self._store.due(
            timer, now.timestamp(), lease_seconds=self._lease.total_seconds(), limit=self._limit
        )


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
