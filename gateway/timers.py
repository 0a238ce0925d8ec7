"""The gateway's timer workers (re-checks, referral deadlines), polled by runtime.polling."""

from collections.abc import Awaitable, Callable, Sequence
from datetime import UTC, datetime, timedelta

from gateway.store import RegistrationStore, Timer
from runtime.records import Outbound

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
