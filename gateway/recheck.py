"""Automatic re-checks: ask an agency again once it may have recovered.

An application referred because an agency could not answer is scheduled for a
re-check (by :class:`gateway.handlers.Gateway`). This poller runs inside the
gateway process, leases due re-checks from the store and republishes the
verification requests for the checks that went unanswered; the answers then
flow through the normal path and the application is decided again. Several
gateway instances may poll at once: a lease keeps them apart, and asking an
agency twice is harmless anyway.
"""

from collections.abc import Awaitable, Callable, Sequence
from datetime import UTC, datetime, timedelta

from contracts.verification import CheckOutcome
from gateway.rules.form import form_facts
from gateway.store import RegistrationStore, Timer
from gateway.verification import REQUEST_TOPIC, required_checks
from runtime.codec import encode
from runtime.records import Outbound, caused_by

REQUEST_SCHEMA = "insw.verification.requested/v1"

Publish = Callable[[Sequence[Outbound]], Awaitable[None]]


class Rechecker:
    """Republishes verification requests for referred applications whose re-check is due."""

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

    async def run_once(self) -> int:
        """Handle the re-checks due now; return how many requests were republished."""
        due = await self._store.due(
            Timer.RECHECK,
            self._clock().timestamp(),
            lease_seconds=self._lease.total_seconds(),
            limit=self._limit,
        )
        outbound: list[Outbound] = []
        for sid, app in zip(due, await self._store.load(due), strict=True):
            if app is None or app.final:
                continue
            unanswered = {
                c for c, r in app.results.items() if r.outcome is CheckOutcome.UNAVAILABLE
            }
            headers = caused_by(None, correlation_id=sid, schema=REQUEST_SCHEMA)
            outbound += [
                Outbound(REQUEST_TOPIC[request.check], sid.encode(), encode(request), headers)
                for request in required_checks(app.submission, form_facts(app.submission))
                if request.check in unanswered
            ]
        await self._publish(outbound)
        return len(outbound)
