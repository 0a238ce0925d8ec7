"""The 24-hour promise (R13): warn before a referred application's deadline, flag it after.

Timers are set when a referral is published (:mod:`gateway.decisions`) and
cleared when a final decision closes the application. This watcher runs in
the gateway process beside the re-check poller; it publishes one
``insw.referral.deadline.v1`` event per timer and clears the timer only after
the event is on the topic, so a crash repeats an event rather than losing it.
"""

from datetime import UTC, datetime

from contracts import channels
from contracts.referral import DeadlineKind, ReferralDeadline
from gateway.store import Timer
from gateway.timers import TimerWorker
from runtime.records import Outbound

KINDS = {Timer.DEADLINE_WARNING: DeadlineKind.WARNING, Timer.DEADLINE_OVERDUE: DeadlineKind.OVERDUE}


class DeadlineWatch(TimerWorker):
    """Publishes deadline events for referred applications still waiting for an officer."""

    async def run_once(self) -> int:
        """Publish the deadline events due now; return how many were published."""
        published = 0
        for timer, kind in KINDS.items():
            now = self._clock()
            due = await self._due(timer, now)
            events: list[Outbound] = []
            for sid, app in zip(due, await self._store.load(due), strict=True):
                if app is None or app.final or app.deadline_at is None:
                    continue
                event = ReferralDeadline(
                    submission_id=sid,
                    kind=kind,
                    deadline_at=datetime.fromtimestamp(app.deadline_at, UTC),
                    emitted_at=now,
                )
                events.append(
                    Outbound.of(channels.REFERRAL_DEADLINE, event, cause=None, correlation_id=sid)
                )
            await self._publish(events)
            await self._store.cancel(timer, due)
            published += len(events)
        return published
