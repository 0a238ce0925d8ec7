"""The console's audit port: every view of an application's personal data is recorded.

Why a port: the console only says what happened; :class:`KafkaAudit` writes it
to the hash-chained, signed audit trail (``insw.audit.v1``, issue 11) as an
``OFFICER_VIEW`` entry, chained and signed by the gateway when published.
"""

from collections.abc import Callable
from datetime import UTC, datetime
from typing import Protocol

from contracts.audit import AuditKind
from contracts.referral import OfficerAuditKind
from gateway.timers import Publish
from runtime.audit import audit_event


class Audit(Protocol):
    """Where officers' accesses are recorded."""

    async def record(self, kind: OfficerAuditKind, actor: str, submission_id: str) -> None:
        """Record one access; raising refuses the access (no view without its record)."""


class KafkaAudit:
    """Appends each access to the audit trail before the page is shown."""

    def __init__(
        self, publish: Publish, clock: Callable[[], datetime] = lambda: datetime.now(UTC)
    ) -> None:
        self._publish = publish
        self._clock = clock

    async def record(self, kind: OfficerAuditKind, actor: str, submission_id: str) -> None:
        """See :meth:`Audit.record`."""
        entry = audit_event(
            AuditKind.OFFICER_VIEW,
            submission_id,
            actor=actor,
            cause=None,
            details={"action": kind.value},
            at=self._clock(),
        )
        await self._publish([entry])
