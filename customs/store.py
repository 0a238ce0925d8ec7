"""Where the lifecycle service keeps applications and deadline timers: the port and a fake.

The port is what the handler, the deadline watch and the HTTP endpoint use;
:class:`MemoryCustomsStore` is the in-memory fake for unit tests and
``customs.store_redis`` the real one (exercised by the integration and
end-to-end tests; a shared conformance suite for both is still to write).
"""

from collections.abc import Sequence
from typing import Protocol

from contracts.customs import DeadlineMoment
from customs.deadlines import Timer
from customs.record import ApplicationRecord


class CustomsStore(Protocol):
    """Applications by submission id, and deadline timers with leases."""

    async def load(self, submission_ids: Sequence[str]) -> list[ApplicationRecord | None]:
        """The records of ``submission_ids``, in order (``None`` for unknown ones)."""

    async def save(self, records: Sequence[ApplicationRecord], timers: Sequence[Timer]) -> None:
        """Write records (state and handled message ids together) and schedule timers."""

    async def due(
        self, moment: DeadlineMoment, now: float, *, lease_seconds: float, limit: int
    ) -> list[str]:
        """Lease up to ``limit`` timers of ``moment`` due at ``now``: others skip them a while."""

    async def cancel(self, moment: DeadlineMoment, members: Sequence[str]) -> None:
        """Forget timers once handled."""


class MemoryCustomsStore:
    """In-memory :class:`CustomsStore` for tests."""

    def __init__(self) -> None:
        self.records: dict[str, ApplicationRecord] = {}
        self.timers: dict[DeadlineMoment, dict[str, float]] = {m: {} for m in DeadlineMoment}

    async def load(self, submission_ids: Sequence[str]) -> list[ApplicationRecord | None]:
        """See :meth:`CustomsStore.load`."""
        return [self.records.get(sid) for sid in submission_ids]

    async def save(self, records: Sequence[ApplicationRecord], timers: Sequence[Timer]) -> None:
        """See :meth:`CustomsStore.save`."""
        for record in records:
            self.records[record.app.submission_id] = record
        for moment, member, when in timers:
            self.timers[moment][member] = when

    async def due(
        self, moment: DeadlineMoment, now: float, *, lease_seconds: float, limit: int
    ) -> list[str]:
        """See :meth:`CustomsStore.due`."""
        pending = self.timers[moment]
        found = sorted((m for m, when in pending.items() if when <= now), key=pending.__getitem__)
        for member in found[:limit]:
            pending[member] = now + lease_seconds
        return found[:limit]

    async def cancel(self, moment: DeadlineMoment, members: Sequence[str]) -> None:
        """See :meth:`CustomsStore.cancel`."""
        for member in members:
            self.timers[moment].pop(member, None)
