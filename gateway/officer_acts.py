"""Customs officer acts taken over HTTP: a body in, a signed ``customs.officer-command.v1`` out.

PER-21/BC/2011 gives a customs office two acts the hub records
(:mod:`contracts.customs_officer`): an exporter's manual registration at the
office (C13) and the head of office's Art. 40 approval of one import
notification without a customs id (C14). The officers' API takes them as
JSON; this module turns a body into the contract's command.

What the server sets, never the body (issue 11):

* ``officer_id``: the token's subject;
* ``kind``: the route;
* ``command_id``: derived from the act itself (:func:`command_id_of`), so a
  POST retried after a lost answer is the same command, which the customs
  service records once (it keys each act by its command id). No
  ``Idempotency-Key`` header is needed, and none can make one act count twice.

A date after today in Jakarta is refused here, with the field and rule,
rather than accepted and dead-lettered by the customs service.
"""

import hashlib
from datetime import date, datetime
from typing import Final
from zoneinfo import ZoneInfo

from pydantic import ValidationError

from contracts.customs_officer import ApproveInterimImport, RecordManualRegistration
from gateway.officer_auth import Officer
from gateway.problems import Refused
from runtime.codec import describe

JAKARTA: Final = ZoneInfo("Asia/Jakarta")
SERVER_SET: Final = frozenset({"command_id", "officer_id", "kind"})
"""Fields of the contract the gateway sets; a body carrying one is refused."""
COMMAND_ID_PREFIX: Final = "OA-"

Act = RecordManualRegistration | ApproveInterimImport
"""A command on ``customs.officer-command.v1``."""

ACTS: Final[dict[str, tuple[type[Act], str, str]]] = {
    "C13": (RecordManualRegistration, "received_on", "MANUAL_REGISTRATION_INVALID"),
    "C14": (ApproveInterimImport, "approved_on", "INTERIM_IMPORT_INVALID"),
}
"""By rule: the contract model, its date field, and the rule a bad body breaks."""

FOR_APPROVED: Final = frozenset({"C14"})
"""Acts that serve a registrant INSW approved (Art. 40 clears one import for an importer
whose registration is under way): refused for an application without an APPROVED decision."""


def body_fields(model: type[Act]) -> frozenset[str]:
    """What an officer may send for ``model``: its fields minus :data:`SERVER_SET`."""
    return frozenset(model.model_fields) - SERVER_SET


def command_id_of(officer: Officer, act: Act) -> str:
    """The same id for the same officer's same act, whatever the JSON's spelling.

    Hashes the validated act (canonical JSON of the model, its own field order,
    ISO dates) without its command id, with the officer's subject: the id
    names one officer's one act, so a retry is recognised and two different
    acts never share an id.
    """
    canonical = act.model_dump_json(exclude={"command_id"})
    digest = hashlib.sha256(f"{officer.subject}\n{canonical}".encode()).hexdigest()
    return COMMAND_ID_PREFIX + digest[:40]


def act_from_body(rule: str, officer: Officer, body: object, now: datetime) -> Act:
    """The command ``officer`` asked for with ``body``, or :class:`Refused` (422) saying why."""
    model, dated, invalid = ACTS[rule]
    if not isinstance(body, dict):
        raise Refused(422, "BODY_NOT_OBJECT", "body: must be a JSON object")
    stray = sorted(set(body) - body_fields(model))
    if stray:
        detail = f"{', '.join(stray)}: not accepted; the server sets the officer, kind and id"
        raise Refused(422, "FIELD_NOT_ALLOWED", detail)
    try:
        act = model.model_validate(
            {**body, "officer_id": officer.subject, "command_id": COMMAND_ID_PREFIX}
        )
    except ValidationError as error:
        raise Refused(422, invalid, describe(error)) from None
    on: date = getattr(act, dated)
    if on > now.astimezone(JAKARTA).date():
        raise Refused(422, "DATE_IN_FUTURE", f"{dated}: after today in Jakarta ({rule})")
    return act.model_copy(update={"command_id": command_id_of(officer, act)})
