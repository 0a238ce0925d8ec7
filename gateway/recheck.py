"""Automatic re-checks: ask an agency again once it may have recovered.

An application referred because an agency could not answer is scheduled for a
re-check (by :class:`gateway.handlers.Gateway`). This poller runs inside the
gateway process, leases due re-checks from the store and republishes the
verification requests for the checks that went unanswered; the answers then
flow through the normal path and the application is decided again. Several
gateway instances may poll at once: a lease keeps them apart, and asking an
agency twice is harmless anyway.
"""

from contracts.verification import CheckOutcome
from gateway.rules.form import form_facts
from gateway.store import Timer
from gateway.timers import TimerWorker
from gateway.verification import REQUEST_TOPIC, required_checks
from runtime.codec import encode
from runtime.records import Outbound, caused_by

REQUEST_SCHEMA = "insw.verification.requested/v1"


class Rechecker(TimerWorker):
    """Republishes verification requests for referred applications whose re-check is due."""

    async def run_once(self) -> int:
        """Handle the re-checks due now; return how many requests were republished."""
        due = await self._due(Timer.RECHECK, self._clock())
        outbound: list[Outbound] = []
        finished: list[str] = []
        for sid, app in zip(due, await self._store.load(due), strict=True):
            if app is None or app.final:
                finished.append(sid)  # closed meanwhile: nothing left to ask
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
        await self._store.cancel(Timer.RECHECK, finished)
        return len(outbound)
