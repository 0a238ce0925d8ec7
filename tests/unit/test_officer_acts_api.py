"""Customs officers' acts over HTTP (C13 manual registration, C14 Art. 40 interim import).

The officers' API runs in-process with a real local identity provider
(devstack's issuer); what it publishes is captured, and for the retry case
handed to the customs service's own officer desk, which must record the act
once. Every refusal is an RFC 9457 problem naming the rule, and nothing is
published.
"""

import json
from datetime import UTC, date, datetime

import pytest
from pydantic import TypeAdapter

from contracts import topics
from contracts.audit import AuditEvent
from contracts.customs_officer import ApproveInterimImport, OfficerCommand, RecordManualRegistration
from contracts.decision import Outcome, RegistrationDecided
from customs.officer_desk import OfficerDesk
from customs.store import MemoryCustomsStore
from devstack import issuer as idp
from gateway.store import PublishedDecision
from gateway.store_memory import MemoryRegistrationStore
from runtime.errors import TransientFailure
from runtime.records import Inbound
from tests.officer_support import auth, forged_token, problem_of, running_officer_api

NOW = datetime(2026, 5, 29, 3, 0, tzinfo=UTC)  # Friday 29 May 2026, 10:00 in Jakarta
MANUAL_URL = "/customs/manual-registrations"
INTERIM_URL = "/customs/interim-imports"
MANUAL = {
    "submission_id": "MAN-2026-0001",
    "office_code": "KPPBC-TANJUNG-PRIOK",
    "received_on": "2026-05-29",
    "activities": ["EKSPORTIR"],
    "documents": [{"code": "AKTA_PENDIRIAN", "document_id": "DOC-0201", "sha256": "b" * 64}],
}
INTERIM = {
    "submission_id": "SUB-2026-0007",
    "office_code": "KPPBC-TANJUNG-PRIOK",
    "approved_on": "2026-05-28",
    "import_notification": "PIB-000123",
}
REJECTED = "SUB-2026-0008"
ROUTES = [(MANUAL_URL, MANUAL), (INTERIM_URL, INTERIM)]
COMMANDS: TypeAdapter[OfficerCommand] = TypeAdapter(OfficerCommand)


class Broker:
    """The gateway's publish port: keeps what it is given, or fails like an unreachable broker."""

    def __init__(self) -> None:
        self.published: list = []
        self.down = False

    async def __call__(self, records) -> None:
        if self.down:
            raise TransientFailure("kafka: KafkaTimeoutError")
        self.published.extend(records)

    def commands(self) -> list[OfficerCommand]:
        return [
            COMMANDS.validate_json(r.value)
            for r in self.published
            if r.topic == topics.CUSTOMS_OFFICER_COMMAND
        ]


def decided(sid: str, outcome: Outcome) -> PublishedDecision:
    """A final decision INSW published for ``sid`` (C14 serves an approved registrant)."""
    decision = RegistrationDecided(
        decision_id=f"D-{sid}",
        submission_id=sid,
        outcome=outcome,
        rules_version="test",
        decided_at=NOW,
    )
    return PublishedDecision(sid, outcome, decision.model_dump_json().encode())


@pytest.fixture
async def api():
    broker = Broker()
    store = MemoryRegistrationStore()
    await store.mark_decided(
        [decided(INTERIM["submission_id"], Outcome.APPROVED), decided(REJECTED, Outcome.REJECTED)]
    )
    async with running_officer_api(broker, store, NOW) as running:
        base, http, tokens, provider = running
        yield base, http, broker, tokens, provider


@pytest.mark.parametrize(("path", "body"), ROUTES)
async def test_without_a_token_no_act_is_published(api, path, body):
    base, http, broker, _, _ = api
    async with http.post(base + path, json=body) as response:
        assert response.status == 401
        assert response.headers["WWW-Authenticate"].startswith("Bearer")
        assert (await problem_of(response))["rule"] == "TOKEN_MISSING"
    assert broker.published == []


@pytest.mark.parametrize(("path", "body"), ROUTES)
async def test_a_forged_token_is_invalid(api, path, body):
    base, http, broker, _, provider = api
    forged = forged_token(provider)  # same issuer name and key id, another key
    async with http.post(base + path, json=body, headers=auth(forged)) as response:
        assert response.status == 401
        assert (await problem_of(response))["rule"] == "TOKEN_INVALID"
    assert broker.published == []


@pytest.mark.parametrize(("path", "body"), ROUTES)
async def test_a_token_without_the_officer_role_is_forbidden(api, path, body):
    base, http, broker, tokens, _ = api
    async with http.post(base + path, json=body, headers=auth(tokens["citra"])) as response:
        assert response.status == 403
        assert (await problem_of(response))["rule"] == "ROLE_MISSING"
    assert broker.published == []


async def test_c13_an_officer_records_a_manual_registration_named_by_the_token(api):
    base, http, broker, tokens, _ = api
    async with http.post(base + MANUAL_URL, json=MANUAL, headers=auth(tokens["ayu"])) as response:
        assert response.status == 202
        reply = await response.json()
    subject = idp.ACCOUNTS["ayu"].subject
    [command] = broker.commands()
    assert isinstance(command, RecordManualRegistration)
    assert reply == {
        "command_id": command.command_id,
        "submission_id": "MAN-2026-0001",
        "status": "accepted",
        "recorded_by": subject,
    }
    assert command.officer_id == subject and command.received_on == date(2026, 5, 29)
    record, entry = broker.published
    assert record.key == b"MAN-2026-0001"
    audit = AuditEvent.model_validate_json(entry.value)
    assert (entry.topic, audit.kind, audit.actor, audit.subject) == (
        topics.AUDIT,
        "OFFICER_ACTION",
        subject,
        "MAN-2026-0001",
    )
    assert audit.details == {
        "action": "RECORD_MANUAL_REGISTRATION",
        "command_id": command.command_id,
        "via": "officer-api",
    }


async def test_c14_an_officer_records_an_art_40_approval(api):
    base, http, broker, tokens, _ = api
    async with http.post(base + INTERIM_URL, json=INTERIM, headers=auth(tokens["ayu"])) as r:
        assert r.status == 202
        reply = await r.json()
    [command] = broker.commands()
    assert isinstance(command, ApproveInterimImport)
    assert (command.import_notification, command.approved_on) == ("PIB-000123", date(2026, 5, 28))
    assert reply["command_id"] == command.command_id and reply["recorded_by"] == command.officer_id


@pytest.mark.parametrize(
    ("sid", "status", "rule"),
    [("SUB-NEVER-SEEN", 404, "UNKNOWN_APPLICATION"), (REJECTED, 409, "NOT_APPROVED")],
)
async def test_c14_for_an_application_insw_did_not_approve_is_refused(api, sid, status, rule):
    """Art. 40 clears an import for a registrant: an unknown or refused id names nobody."""
    base, http, broker, tokens, _ = api
    body = {**INTERIM, "submission_id": sid}
    async with http.post(base + INTERIM_URL, json=body, headers=auth(tokens["ayu"])) as response:
        assert response.status == status
        problem = await problem_of(response)
    assert problem["rule"] == rule and problem["detail"].startswith("submission_id")
    assert broker.published == []


@pytest.mark.parametrize(
    ("path", "body", "rule", "named"),
    [
        (MANUAL_URL, {**MANUAL, "received_on": "29/05/2026"}, "MANUAL_REGISTRATION_INVALID",
         "received_on: date_from_datetime_parsing"),
        (MANUAL_URL, {**MANUAL, "activities": ["IMPORTIR"]}, "MANUAL_REGISTRATION_INVALID",
         "activities.0: literal_error"),
        (MANUAL_URL, {k: v for k, v in MANUAL.items() if k != "documents"},
         "MANUAL_REGISTRATION_INVALID", "documents: missing"),
        (MANUAL_URL, {**MANUAL, "received_on": "2026-05-30"}, "DATE_IN_FUTURE", "received_on"),
        (MANUAL_URL, {**MANUAL, "officer_id": "officer-9999"}, "FIELD_NOT_ALLOWED", "officer_id"),
        (MANUAL_URL, {**MANUAL, "command_id": "MINE"}, "FIELD_NOT_ALLOWED", "command_id"),
        (INTERIM_URL, {**INTERIM, "import_notification": "PIB 1"}, "INTERIM_IMPORT_INVALID",
         "import_notification: string_pattern_mismatch"),
        (INTERIM_URL, MANUAL, "FIELD_NOT_ALLOWED", "activities, documents, received_on"),
        (INTERIM_URL, [INTERIM], "BODY_NOT_OBJECT", "body"),
    ],
)  # fmt: skip
async def test_a_bad_body_is_refused_naming_the_field_and_the_rule(api, path, body, rule, named):
    base, http, broker, tokens, _ = api
    async with http.post(base + path, json=body, headers=auth(tokens["ayu"])) as response:
        assert response.status == 422
        problem = await problem_of(response)
    assert problem["rule"] == rule and named in problem["detail"], problem
    assert "officer-9999" not in problem["detail"] and "PIB 1" not in problem["detail"]
    assert broker.published == []


@pytest.mark.parametrize(("path", "body"), ROUTES)
async def test_a_form_post_is_refused(api, path, body):
    base, http, broker, tokens, _ = api
    headers = {**auth(tokens["ayu"]), "Content-Type": "application/x-www-form-urlencoded"}
    async with http.post(base + path, data="submission_id=X", headers=headers) as response:
        assert response.status == 415
        assert (await problem_of(response))["rule"] == "JSON_ONLY"
    assert broker.published == []


async def test_a_retried_post_is_the_same_command_and_customs_records_it_once(api):
    """The command id is derived from the officer and the act, not chosen per request."""
    base, http, broker, tokens, _ = api
    headers = {**auth(tokens["ayu"]), "Content-Type": "application/json"}
    spellings = [json.dumps(MANUAL), json.dumps(dict(reversed(MANUAL.items())), indent=2)]
    ids = []
    for text in spellings:  # the answer was lost; the tool sends again, keys in another order
        async with http.post(base + MANUAL_URL, data=text, headers=headers) as response:
            assert response.status == 202
            ids.append((await response.json())["command_id"])
    first, again = broker.commands()
    assert ids[0] == ids[1] == first.command_id == again.command_id
    assert len(first.command_id) <= 48

    customs = OfficerDesk(MemoryCustomsStore(), clock=lambda: NOW)
    receipts = []
    for offset, command in enumerate((first, again)):
        value = command.model_dump_json().encode()
        record = Inbound(topics.CUSTOMS_OFFICER_COMMAND, 0, offset, b"MAN-2026-0001", value)
        result = await customs.on_commands([(record, command)])
        receipts += [o for o in result.outbound if o.topic == topics.CEISA_TRADER]
        assert not result.dead
        for follow_up in result.after_publish:
            await follow_up()
    assert len(receipts) == 1  # one Attachment V receipt for the two POSTs


async def test_a_different_act_or_officer_is_a_different_command(api):
    base, http, broker, tokens, _ = api
    bodies = [
        (tokens["ayu"], MANUAL),
        (tokens["ayu"], {**MANUAL, "received_on": "2026-05-28"}),
        (tokens["bima"], MANUAL),
    ]
    for token, body in bodies:
        async with http.post(base + MANUAL_URL, json=body, headers=auth(token)) as response:
            assert response.status == 202
    assert len({c.command_id for c in broker.commands()}) == 3


@pytest.mark.parametrize(("path", "body"), ROUTES)
async def test_an_unreachable_broker_is_a_503_problem_not_a_500(api, path, body):
    base, http, broker, tokens, _ = api
    broker.down = True
    async with http.post(base + path, json=body, headers=auth(tokens["ayu"])) as response:
        assert response.status == 503
        assert int(response.headers["Retry-After"]) > 0
        problem = await problem_of(response)
    assert problem["rule"] == "UNAVAILABLE" and "Kafka" in problem["detail"]
    broker.down = False
    async with http.post(base + path, json=body, headers=auth(tokens["ayu"])) as response:
        assert response.status == 202  # the same POST again, once the broker is back


async def test_the_acts_are_rate_limited_like_every_route(api):
    base, http, broker, _, _ = api
    statuses = []
    for _ in range(45):
        async with http.post(base + MANUAL_URL, json=MANUAL) as response:
            statuses.append(response.status)
            if response.status == 429:
                assert (await problem_of(response))["rule"] == "RATE_LIMITED"
                assert int(response.headers["Retry-After"]) >= 1
    assert statuses.count(429) > 0 and set(statuses) == {401, 429}
    assert broker.published == []
