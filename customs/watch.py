"""Deadline events of customs applications (C3, C6, C7, C10, C11, C14), polled like timers.

Each poll leases the timers due now, publishes one ``customs.deadline.v1``
event per timer whose deadline is still open, and forgets the timers only
after the events are on the topic: a crash repeats an event, never loses
one. Leases let several service instances poll the same sorted sets.

For C3, C6 and C7 the event also says whose day it follows: CEISA's stated
day when CEISA stated one (it owns the process), the hub's working-day count
otherwise, with both days and ``discrepancy`` when they differ
(:mod:`customs.due_dates`). The other rules have no stated day: ``HUB``.
"""

from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta

from contracts import channels, topics
from contracts.customs import CustomsDeadline, DeadlineMoment
from customs.deadlines import parse, still_open
from customs.due_dates import due_dates
from customs.record import ApplicationRecord
from customs.store import CustomsStore
from runtime.codec import encode
from runtime.polling import Publish, TimerWorker
from runtime.records import Outbound, caused_by


class DeadlineWatch(TimerWorker[CustomsStore]):
    """Publishes due deadline events; polled by :func:`runtime.polling.poll_forever`."""

    def __init__(
        self,
        store: CustomsStore,
        publish: Publish,
        *,
        topic: str = topics.CUSTOMS_DEADLINE,
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
        lease: timedelta = timedelta(seconds=60),
        limit: int = 500,
    ) -> None:
        super().__init__(store, publish, clock, lease, limit)
        self._topic = topic

    async def run_once(self) -> int:
        """Publish the deadline events due now; return how many were published."""
        published = 0
        for moment in DeadlineMoment:
            now = self._clock()
            members = await self._due(moment, now)
            if not members:
                continue
            parsed = [parse(member) for member in members]
            records = await self._store.load([sid for sid, _, _ in parsed])
            events = [
                self._event(record, rule, due, moment, now)
                for (_, rule, due), record in zip(parsed, records, strict=True)
                if record is not None and still_open(record, rule, due)
            ]
            await self._publish(events)
            await self._store.cancel(moment, members)
            published += len(events)
        return published

    def _event(
        self, record: ApplicationRecord, rule: str, due: date, moment: DeadlineMoment, now: datetime
    ) -> Outbound:
        sid = record.app.submission_id
        both = due_dates(record.app).get(rule)
        event = CustomsDeadline(
            submission_id=sid,
            rule=rule,
            moment=moment,
            due_on=due,
            emitted_at=now,
            follows=both.follows if both else "HUB",
            hub_due_on=both.hub if both else due,
            ceisa_due_on=both.ceisa if both else None,
            discrepancy=both.discrepancy if both else False,
        )
        headers = caused_by(None, correlation_id=sid, schema=channels.CUSTOMS_DEADLINE.schema_id)
        return Outbound(self._topic, sid.encode(), encode(event), headers)
