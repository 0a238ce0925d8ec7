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
from contracts.xml_messages import MANUAL_RECEIPT, REGISTRATION, Direction
from contracts.xml_reader import CustomsDocument, read_customs_document
from runtime.consumer import HandlerResult
from runtime.records import Inbound, Outbound
from simulators.ceisa.admin import Scenarios
from simulators.ceisa.documents import render
from simulators.ceisa.replies import TraderMessage, reply
from simulators.ceisa.script import Application, Step, story

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
        self._answered: set[str] = set()
        self._applications: dict[str, Application] = {}
        """Registrations seen, by submission id: what the trader's messages are about."""
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
            self._applications[application.submission_id] = application
            if application.message_id in self._started:
                continue
            self._started.add(application.message_id)
            scenario = self._scenarios.of(application.submission_id)
            today = datetime.now(JAKARTA).date()
            self._start(record, application, story(scenario, application, today))
        return HandlerResult()

    async def on_trader_messages(self, batch: Sequence[Inbound]) -> HandlerResult:
        """Answer each new trader message (``ceisa.trader.v1``) of a known application."""
        for record in batch:
            try:
                document = read_customs_document(record.value or b"")
            except ValueError as error:
                log.warning("trader message refused: %s", type(error).__name__)
                continue
            if document.message.direction is not Direction.TO_CUSTOMS:
                continue
            message = _trader_message(document, record)
            if document.message is MANUAL_RECEIPT:  # C13: the office entered it by hand
                self._applications.setdefault(
                    message.submission_id,
                    Application(message.message_id, message.submission_id, message.activities),
                )
            application = self._applications.get(message.submission_id)
            if application is None or message.message_id in self._answered:
                continue
            self._answered.add(message.message_id)
            scenario = self._scenarios.of(application.submission_id)
            today = datetime.now(JAKARTA).date()
            self._start(record, application, reply(scenario, application, message, today))
        return HandlerResult()

    def _start(self, cause: Inbound, application: Application, steps: list[Step]) -> None:
        task = asyncio.create_task(self._play(cause, application, steps))
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def _play(self, cause: Inbound, application: Application, steps: list[Step]) -> None:
        scenario = self._scenarios.of(application.submission_id)
        sid = application.submission_id
        for step in steps:
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


def _trader_message(document: CustomsDocument, record: Inbound) -> TraderMessage:
    """The few fields an answer needs, read by local name (every trader schema is in v1)."""
    ns = f"{{{document.message.namespace(document.major)}}}"
    root = document.root
    key = record.key.decode("utf-8", errors="replace") if record.key else ""
    return TraderMessage(
        name=document.message.name,
        message_id=root.findtext(f"{ns}Header/{ns}MessageId") or "",
        submission_id=root.findtext(f"{ns}SubmissionId") or key,
        customs_id=root.findtext(f"{ns}CustomsId") or "",
        blocking_number=root.findtext(f"{ns}BlockingNumber") or "",
        activities=tuple(
            a.text or ""
            for a in root.findall(f"{ns}Scope/{ns}Activity")
            + root.findall(f"{ns}Activities/{ns}Activity")
        ),
    )
