"""The console's audit port: every view of an application's personal data is recorded.

Why a port: the hash-chained, signed audit log (``insw.audit.v1``, issue 11)
is being built separately; until it lands, :class:`KafkaAudit` publishes plain
JSON events on ``insw.officer.audit.v1``. Swapping means another class with
the same :meth:`Audit.record`, passed in at the composition root.
"""

from collections.abc import Callable
from datetime import UTC, datetime
from typing import Protocol

from contracts import channels
from contracts.referral import OfficerAudit, OfficerAuditKind
from gateway.timers import Publish
from runtime.records import Outbound


class Audit(Protocol):
    """Where officers' accesses are recorded."""

    async def record(self, kind: OfficerAuditKind, actor: str, submission_id: str) -> None:
        """Record one access; raising refuses the access (no view without its record)."""


class KafkaAudit:
    """Publishes each access as an :class:`OfficerAudit` event before the page is shown."""

    def __init__(
        self, publish: Publish, clock: Callable[[], datetime] = lambda: datetime.now(UTC)
    ) -> None:
        self._publish = publish
        self._clock = clock

    async def record(self, kind: OfficerAuditKind, actor: str, submission_id: str) -> None:
        """See :meth:`Audit.record`."""
        event = OfficerAudit(kind=kind, actor=actor, submission_id=submission_id, at=self._clock())
        await self._publish(
            [Outbound.of(channels.OFFICER_AUDIT, event, cause=None, correlation_id=submission_id)]
        )
