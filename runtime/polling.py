"""Background work that comes due: one polling loop for every service that has timers.

The gateway (re-checks, referral deadlines) and the customs lifecycle
(PER-21 deadlines) poll leased timers the same way; an outage of Redis or
Kafka must only delay that work, never stop the loop.
"""

import asyncio
import logging
from collections.abc import Awaitable, Callable, Sequence
from datetime import UTC, datetime, timedelta
from typing import Any, Generic, Protocol, TypeVar

from runtime.records import Outbound
from runtime.transient import TRANSIENT

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


Publish = Callable[[Sequence[Outbound]], Awaitable[None]]
"""Publish records and wait until the broker has them (an Outbox's ``publish``)."""


class LeasedTimers(Protocol):
    """A store of timers that hands out due ones under a lease (sorted sets in Redis)."""

    async def due(self, timer: Any, now: float, *, lease_seconds: float, limit: int) -> list[str]:
        """Members of ``timer`` due by ``now``, each leased until ``now + lease_seconds``."""


S = TypeVar("S", bound=LeasedTimers)


class TimerWorker(Generic[S]):
    """Base of the timer workers of every service: store, publisher, clock and leases."""

    def __init__(
        self,
        store: S,
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

    async def _due(self, timer: Any, now: datetime) -> list[str]:
        """Lease the members of ``timer`` that are due at ``now``."""
        return await self._store.due(
            timer, now.timestamp(), lease_seconds=self._lease.total_seconds(), limit=self._limit
        )
