"""The simulated customs office: reads applications, plays their stories on the response topic.

The handler only reads the application (with the hub's hardened reader, as
CEISA would refuse what it cannot read) and starts the story as a task; the
story publishes its documents one ``step_delay`` apart through the outbox.
Each registration message id plays once per process, so a redelivered
application does not start its story again.
"""

import asyncio
import logging
from collections.abc import Awaitable, Callable, Sequence
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from lxml import etree

from contracts import channels
from contracts.xml_messages import REGISTRATION
from contracts.xml_reader import read_customs_document
from runtime.consumer import HandlerResult
from runtime.records import Inbound, Outbound
from simulators.ceisa.admin import Scenarios
from simulators.ceisa.documents import render
from simulators.ceisa.script import Application, story

log = logging.getLogger(__name__)

JAKARTA = ZoneInfo("Asia/Jakarta")
Publish = Callable[[Sequence[Outbound]], Awaitable[None]]


class CustomsOffice:
    """Plays one story per application read from ``ceisa.registration.v1``."""

    def __init__(self, scenarios: Scenarios, publish: Publish, *, step_delay: float) -> None:
        self._scenarios = scenarios
        self._publish = publish
        self._delay = step_delay
        self._started: set[str] = set()
        self._tasks: set[asyncio.Task[None]] = set()

    async def on_applications(self, batch: Sequence[Inbound]) -> HandlerResult:
        """Start a story for every readable, new application; skip the rest (logged)."""
        for record in batch:
            try:
                document = read_customs_document(record.value or b"")
            except ValueError as error:
                log.warning("application refused: %s", type(error).__name__)
                continue
            if document.message is not REGISTRATION:
                continue
            application = _application(document.root)
            if application.message_id in self._started:
                continue
            self._started.add(application.message_id)
            task = asyncio.create_task(self._play(record, application))
            self._tasks.add(task)
            task.add_done_callback(self._tasks.discard)
        return HandlerResult()

    async def _play(self, cause: Inbound, application: Application) -> None:
        scenario = self._scenarios.of(application.submission_id)
        sid = application.submission_id
        today = datetime.now(JAKARTA).date()
        for step in story(scenario, application, today):
            await asyncio.sleep(self._delay)
            document = render(step, datetime.now(UTC))
            try:
                await self._publish(
                    [
                        Outbound.of(
                            channels.CEISA_RESPONSE, document, cause=cause, correlation_id=sid
                        )
                    ]
                )
            except Exception as error:  # a simulator: log, and end this story
                log.error("story %s stopped: %s", scenario.value, type(error).__name__)
                return
            self._scenarios.sent += 1

    async def stop(self) -> None:
        """Cancel the stories still playing."""
        for task in list(self._tasks):
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)


def _application(root: etree._Element) -> Application:
    ns = f"{{{REGISTRATION.namespace()}}}"
    return Application(
        message_id=root.findtext(f"{ns}Header/{ns}MessageId") or "",
        submission_id=root.findtext(f"{ns}Header/{ns}SubmissionId") or "",
        activities=tuple(a.text or "" for a in root.findall(f"{ns}Activities/{ns}Activity")),
    )
