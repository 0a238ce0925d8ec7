"""The 24-hour promise (R13): warn before an open application's deadline, flag it after.

The promise runs from submission (manual §6, "setelah Submit … maksimal 1x24
jam"). Timers are set when an application is opened for the agencies
(:mod:`gateway.handlers`) and again when a referral is published
(:mod:`gateway.decisions`); a final decision clears them. An application
still waiting for an agency is warned and flagged like a referred one. This watcher runs in
the gateway process beside the re-check poller; it publishes one
``insw.referral.deadline.v1`` event per timer and clears the timer only after
the event is on the topic, so a crash repeats an event rather than losing it.
"""

from contracts import channels
from contracts.decision import Outcome
from contracts.referral import DeadlineKind, ReferralDeadline, WaitingFor
from gateway.decisions import promise_deadline
from gateway.store import Timer
from gateway.timers import TimerWorker
from runtime import metrics
from runtime.records import Outbound

KINDS = {Timer.DEADLINE_WARNING: DeadlineKind.WARNING, Timer.DEADLINE_OVERDUE: DeadlineKind.OVERDUE}


class DeadlineWatch(TimerWorker):
    """Publishes deadline events for applications still undecided (agencies or an officer)."""

    async def run_once(self) -> int:
        """Publish the deadline events due now; return how many were published."""
        published = 0
        for timer, kind in KINDS.items():
            now = self._clock()
            due = await self._due(timer, now)
            events: list[Outbound] = []
            for sid, app in zip(due, await self._store.load(due), strict=True):
                if app is None or app.final:
                    continue
                referred = app.last_outcome is Outcome.REFERRED
                event = ReferralDeadline(
                    submission_id=sid,
                    kind=kind,
                    deadline_at=promise_deadline(app.submission),
                    emitted_at=now,
                    waiting_for=WaitingFor.OFFICER if referred else WaitingFor.AGENCIES,
                )
                events.append(
                    Outbound.of(channels.REFERRAL_DEADLINE, event, cause=None, correlation_id=sid)
                )
            await self._publish(events)
            await self._store.cancel(timer, due)
            published += len(events)
            metrics.REFERRAL_TIMERS.labels(kind.value).inc(len(events))
        await self._read_clock()
        return published

    async def _read_clock(self) -> None:
        """The referral clock's gauge: seconds to the officers' queue's soonest deadline."""
        soonest = await self._store.referrals(1)
        metrics.REFERRAL_OLDEST_SECONDS.set(
            soonest[0][1] - self._clock().timestamp() if soonest else float("nan")
        )
