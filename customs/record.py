"""What the hub keeps per customs application: the lifecycle state plus its tracking record.

Pure. ``seen`` holds the id of every CEISA message already handled (applied
or refused), stored in the same value as the state it produced, so a
redelivered message is recognised and changes nothing (the tracking-record
pattern: effect and marker are written together, never one without the other).

``steps`` is the application's history: every message applied, over every
attempt (a reapplication starts a fresh lifecycle, C3/C9, but keeps what
came before), with the deadlines each step opened as both sides count them.
"""

import json
from dataclasses import dataclass, field, replace
from datetime import date, datetime
from typing import Any

from contracts.customs import (
    CustomsApplicationStatus,
    CustomsBlocking,
    CustomsDueDate,
    CustomsReason,
    CustomsStage,
    CustomsStep,
    InswDecision,
)
from customs import lifecycle
from customs.due_dates import due_dates, reconcile
from customs.events import (
    EntryProved,
    ManualRegistrationRecorded,
    SiteCheckRecorded,
    TtpRkIssued,
)
from customs.next_action import next_action
from customs.reading import Notice, Reason
from customs.state import CustomsApplication, InvalidTransition, Stage

OPENERS = (EntryProved, TtpRkIssued, ManualRegistrationRecorded)
"""The events that may start an application (C2; Art. 8(2) for C4; Art. 12 for C13)."""


@dataclass(frozen=True)
class Step:
    """One message applied: its attempt, name, rule, id, date, the stage after, what it opened."""

    attempt: int
    message: str
    rule: str
    message_id: str
    on: date
    stage: Stage
    due: tuple[tuple[str, date, date | None], ...] = ()  # (rule, hub's day, CEISA's day)


@dataclass(frozen=True)
class ApplicationRecord:
    """One application: its state, the last message applied, and every message handled."""

    app: CustomsApplication
    version: int
    message_id: str
    message: str
    rule: str
    updated_at: datetime
    reasons: tuple[Reason, ...] = ()
    seen: frozenset[str] = field(default_factory=frozenset)
    steps: tuple[Step, ...] = ()
    registration_message_id: str | None = None  # what the first proof of entry answered

    def handled(self, message_id: str) -> "ApplicationRecord":
        """The same record, also remembering ``message_id`` (a refused message)."""
        return replace(self, seen=self.seen | {message_id})


def advance(record: ApplicationRecord | None, notice: Notice, now: datetime) -> ApplicationRecord:
    """The record after ``notice``, or :class:`InvalidTransition` saying why it cannot apply.

    A proof of entry starts the application (it names the activities applied
    for, C1, C2), and so do a TTP-RK issued straight after the form when the
    documents came first (Art. 8(2), C4) and a registration received by hand
    at a customs office (Art. 12, C13); anything else needs one, and a measure
    must name the customs id the application was given.
    """
    if record is None:
        if not isinstance(notice.event, OPENERS):
            raise InvalidTransition("UNKNOWN_APPLICATION", "PER-21", "no proof of entry yet")
        app = lifecycle.start(notice.submission_id or "", notice.activities)
    else:
        app = record.app
        names_customs_id = notice.submission_id is None or isinstance(
            notice.event, SiteCheckRecorded
        )
        if names_customs_id and notice.customs_id != app.customs_id:
            raise InvalidTransition(
                "CUSTOMS_ID_MISMATCH", "C8", "the measure names another customs id"
            )
    before = open_due(app)
    app = lifecycle.apply(app, notice.event)
    opened = tuple(
        (rule, due.hub, due.ceisa)
        for rule, due in sorted(open_due(app).items())
        if before.get(rule) != due
    )
    step = Step(
        app.attempt,
        notice.message.name,
        notice.message.rule,
        notice.message_id,
        notice.event.on,
        app.stage,
        opened,
    )
    return ApplicationRecord(
        app=app,
        version=(record.version if record else 0) + 1,
        message_id=notice.message_id,
        message=notice.message.name,
        rule=notice.message.rule,
        updated_at=now,
        reasons=notice.reasons,
        seen=(record.seen if record else frozenset()) | {notice.message_id},
        steps=(record.steps if record else ()) + (step,),
        registration_message_id=record.registration_message_id if record else notice.reference,
    )


def to_status(record: ApplicationRecord) -> CustomsApplicationStatus:
    """The published status of ``record`` (topic and HTTP alike)."""
    app = record.app
    stage: CustomsStage = app.stage.value  # same literals
    return CustomsApplicationStatus(
        submission_id=app.submission_id,
        stage=stage,
        version=record.version,
        message_id=record.message_id,
        message=record.message,
        rule=record.rule,
        customs_id=app.customs_id,
        activities=sorted(app.activities),
        approved=sorted(app.approved),
        active=sorted(app.active),
        blocked=sorted(app.blocked),
        revoked=sorted(app.revoked),
        blockings=[
            CustomsBlocking(number=n, activities=sorted(a))
            for n, a in sorted(app.blockings.items())
        ],
        reasons=[
            CustomsReason(code=r.code, text=r.text, legal_basis=r.legal_basis)
            for r in record.reasons
        ],
        deadlines=lifecycle.deadlines(app),
        updated_at=record.updated_at,
        interim_import=app.interim_import,
        attempt=app.attempt,
        due_dates=open_due(app),
        insw_decision=InswDecision(registration_message_id=record.registration_message_id),
        steps=[_step(s) for s in record.steps],
        next_action=next_action(app),
    )


def open_due(app: CustomsApplication) -> dict[str, CustomsDueDate]:
    """Every open deadline as both sides count it; CEISA states days for C3, C6 and C7 only."""
    stated = due_dates(app)
    return {
        rule: stated.get(rule) or reconcile(day, None)
        for rule, day in lifecycle.deadlines(app).items()
    }


def _step(step: Step) -> CustomsStep:
    stage: CustomsStage = step.stage.value  # same literals
    return CustomsStep(
        attempt=step.attempt,
        message=step.message,
        rule=step.rule,
        message_id=step.message_id,
        on=step.on,
        stage=stage,
        due={rule: reconcile(hub, ceisa) for rule, hub, ceisa in step.due},
    )


_DATES = (
    "documents_due",
    "decision_due",
    "interim_service_until",
    "additional_documents_due",
    "change_documents_due",
    "change_decision_due",
    "reapply_by",
    "documents_delivered_on",
    "manual_processing_due",
    "manual_ttp_rk_due",
    "change_notice_due",
)


def dumps(record: ApplicationRecord) -> bytes:
    """JSON for the store."""
    app = record.app
    state: dict[str, Any] = {
        "submission_id": app.submission_id,
        "activities": sorted(app.activities),
        "stage": app.stage.value,
        "customs_id": app.customs_id,
        "approved": sorted(app.approved),
        "revoked": sorted(app.revoked),
        "blockings": {n: sorted(a) for n, a in app.blockings.items()},
        "unblock_by": {n: due.isoformat() for n, due in app.unblock_by.items()},
        "unblock_applied": {n: on.isoformat() for n, on in app.unblock_applied.items()},
        "manual_office": app.manual_office,
        "interim_import": app.interim_import,
        "attempt": app.attempt,
        "stated_due": {rule: on.isoformat() for rule, on in app.stated_due.items()},
    }
    state.update({name: _iso(getattr(app, name)) for name in _DATES})
    return json.dumps(
        {
            "app": state,
            "version": record.version,
            "message_id": record.message_id,
            "message": record.message,
            "rule": record.rule,
            "updated_at": record.updated_at.isoformat(),
            "reasons": [[r.code, r.text, r.legal_basis] for r in record.reasons],
            "seen": sorted(record.seen),
            "steps": [
                [
                    s.attempt,
                    s.message,
                    s.rule,
                    s.message_id,
                    s.on.isoformat(),
                    s.stage.value,
                    [[r, h.isoformat(), _iso(c)] for r, h, c in s.due],
                ]
                for s in record.steps
            ],
            "registration_message_id": record.registration_message_id,
        }
    ).encode()


def loads(data: bytes) -> ApplicationRecord:
    """The record :func:`dumps` wrote (fields added since, C10, C11, C13-C15, may be missing)."""
    raw = json.loads(data)
    state = raw["app"]
    dates: dict[str, Any] = {name: _day(state.get(name)) for name in _DATES}
    app = CustomsApplication(
        submission_id=state["submission_id"],
        activities=frozenset(state["activities"]),
        stage=Stage(state["stage"]),
        customs_id=state["customs_id"],
        approved=frozenset(state["approved"]),
        revoked=frozenset(state["revoked"]),
        blockings={n: frozenset(a) for n, a in state["blockings"].items()},
        unblock_by={n: date.fromisoformat(d) for n, d in state.get("unblock_by", {}).items()},
        unblock_applied={
            n: date.fromisoformat(d) for n, d in state.get("unblock_applied", {}).items()
        },
        manual_office=state.get("manual_office"),
        interim_import=state.get("interim_import"),
        attempt=state.get("attempt", 1),
        stated_due={r: date.fromisoformat(d) for r, d in state.get("stated_due", {}).items()},
        **dates,
    )
    return ApplicationRecord(
        app=app,
        version=raw["version"],
        message_id=raw["message_id"],
        message=raw["message"],
        rule=raw["rule"],
        updated_at=datetime.fromisoformat(raw["updated_at"]),
        reasons=tuple(Reason(c, t, b) for c, t, b in raw["reasons"]),
        seen=frozenset(raw["seen"]),
        steps=tuple(_load_step(s) for s in raw.get("steps", [])),
        registration_message_id=raw.get("registration_message_id"),
    )


def _load_step(raw: list[Any]) -> Step:
    attempt, message, rule, message_id, on, stage, due = raw
    return Step(
        attempt,
        message,
        rule,
        message_id,
        date.fromisoformat(on),
        Stage(stage),
        tuple((r, date.fromisoformat(h), _day(c)) for r, h, c in due),
    )


def _iso(day: date | None) -> str | None:
    return day.isoformat() if day else None


def _day(text: str | None) -> date | None:
    return date.fromisoformat(text) if text else None
