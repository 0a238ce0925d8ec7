"""Automatic re-checks: ask an agency again once it may have recovered.

An application referred because an agency could not answer is scheduled for
a re-check (by :class:`gateway.handlers.Gateway`). This poller runs inside the
gateway process, leases due re-checks from the store and asks again the
questions that went unanswered, with the identifiers stored in the
application's assessment; the answers then flow through the normal path and
the application is decided again. Several gateway instances may poll at once:
a lease keeps them apart, and asking an agency twice is harmless anyway.
"""

from typing import Any

from contracts.verification import CheckOutcome
from gateway.handlers import ask
from gateway.rules.pipeline import SHIPPED_RULES, Rulebook
from gateway.store import RegistrationStore, Timer
from gateway.timers import Publish, TimerWorker
from runtime.records import Outbound


class Rechecker(TimerWorker):
    """Republishes verification requests for referred applications whose re-check is due."""

    def __init__(
        self,
        store: RegistrationStore,
        publish: Publish,
        *args: Any,
        rulebook: Rulebook = SHIPPED_RULES,
        **kwargs: Any,
    ) -> None:
        super().__init__(store, publish, *args, **kwargs)
        self._rulebook = rulebook

    async def run_once(self) -> int:
        """Handle the re-checks due now; return how many requests were republished."""
        due = await self._due(Timer.RECHECK, self._clock())
        outbound: list[Outbound] = []
        finished: list[str] = []
        for sid, app in zip(due, await self._store.load(due), strict=True):
            if app is None or app.final:
                finished.append(sid)  # closed meanwhile: nothing left to ask
                continue
            unanswered = frozenset(
                check
                for check, answer in app.answers(self._rulebook.agencies).items()
                if answer.outcome is CheckOutcome.UNAVAILABLE
            )
            outbound += ask(None, app.assessment, self._rulebook, only=unanswered)
        await self._publish(outbound)
        await self._store.cancel(Timer.RECHECK, finished)
        return len(outbound)
