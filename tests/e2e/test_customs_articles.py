"""End to end through customs for two PER-21 articles, against the CEISA simulator process.

* C13: an officer (devstack issuer's ``ayu``) records a manual registration
  over HTTP (``POST /customs/manual-registrations`` on the gateway's officer
  API, twice, as a tool retrying a lost answer) -> the gateway signs it onto
  ``customs.officer-command.v1`` and audits it -> the customs service issues
  the Attachment V receipt on ``ceisa.trader.v1`` once and opens the office's
  1-working-day clock -> simulated CEISA answers with the TTP-RK -> RECEIPTED
  with the decision (C7) and interim-service (C14) clocks. An unsigned copy of
  the act put straight on Kafka is dead-lettered, and opens nothing.
* C15: a registration approved by the gateway, accepted by customs, then site
  checked: the Attachment XVI notice opens the 30-working-day clock, and the
  hub's own count (C16) agrees with the date customs states.
"""

import json
import uuid
from datetime import datetime
from zoneinfo import ZoneInfo

import aiohttp

from contracts import channels, signers, topics
from contracts import headers as h
from contracts.audit import AuditEntry, AuditEvent
from contracts.customs import CustomsApplicationStatus
from contracts.customs_officer import RecordManualRegistration
from contracts.xml_messages import MANUAL_RECEIPT, SITE_CHECK_RESULT
from contracts.xml_reader import read_customs_document
from customs.workdays import add_working_days
from devstack import issuer as idp
from runtime.records import Outbound
from simulators.dataset import WORLD
from simulators.registrations import approvable
from tests.kafka_io import collect, produce
from tests.officer_support import password_token

JAKARTA = ZoneInfo("Asia/Jakarta")


def statuses_of(records, sid: str) -> list[CustomsApplicationStatus]:
    return [
        CustomsApplicationStatus.model_validate_json(r.value)
        for r in records
        if r.topic == topics.CUSTOMS_APPLICATION_STATUS and r.key == sid.encode()
    ]


def wire(record: Outbound) -> tuple[bytes | None, bytes, list[tuple[str, bytes]]]:
    return record.key, record.value or b"", [(n, v.encode()) for n, v in record.headers.items()]


async def test_c13_a_manual_registration_is_receipted_entered_by_the_office_and_receipted(stack):
    sid = f"MAN-{uuid.uuid4().hex[:10]}"
    today = datetime.now(JAKARTA).date()
    form = {
        "submission_id": sid,
        "office_code": "KPPBC-TANJUNG-PRIOK",
        "received_on": today.isoformat(),
        "activities": ["EKSPORTIR"],
        "documents": [{"code": "AKTA_PENDIRIAN", "document_id": "DOC-M1", "sha256": "c" * 64}],
    }
    forged = RecordManualRegistration.model_validate(
        {**form, "command_id": "F", "officer_id": "officer-0042"}
    )
    unsigned = Outbound.of(channels.CUSTOMS_OFFICER_COMMAND, forged, cause=None, correlation_id=sid)
    await produce(stack.bootstrap_servers, topics.CUSTOMS_OFFICER_COMMAND, [wire(unsigned)])
    officers = f"http://127.0.0.1:{stack.ports['officers']}"
    issuer = f"http://127.0.0.1:{stack.ports['issuer']}"
    async with aiohttp.ClientSession() as http:
        headers = {"Authorization": f"Bearer {await password_token(http, issuer, 'ayu')}"}
        accepted = []
        for _ in range(2):  # the second POST is a retry: the same command, recorded once
            url = f"{officers}/customs/manual-registrations"
            async with http.post(url, json=form, headers=headers) as answer:
                assert answer.status == 202, await answer.text()
                accepted.append(await answer.json())
    assert accepted[0] == accepted[1]
    assert accepted[0]["recorded_by"] == idp.ACCOUNTS["ayu"].subject
    dlq = topics.dead_letter_topic(topics.CUSTOMS_OFFICER_COMMAND)

    def audited(records) -> list[AuditEvent]:
        events = (
            AuditEntry.model_validate_json(r.value).event
            for r in records
            if r.topic == topics.AUDIT
        )
        return [e for e in events if e.subject == sid]

    def done(records) -> bool:
        mine = statuses_of(records, sid)
        dead = [r for r in records if r.topic == dlq and r.key == sid.encode()]
        received = len(audited(records)) >= 3  # the gateway's two, the customs service's one
        return bool(dead) and bool(mine) and mine[-1].stage == "RECEIPTED" and received

    records = await collect(
        stack.bootstrap_servers,
        [topics.CUSTOMS_APPLICATION_STATUS, topics.CEISA_TRADER, dlq, topics.AUDIT],
        done,
        timeout=60,
    )
    stack.check_alive()
    by_officer = [e for e in audited(records) if e.actor == idp.ACCOUNTS["ayu"].subject]
    assert [e.details["command_id"] for e in by_officer] == [accepted[0]["command_id"]] * 2
    # the customs service's entry: the act signed by the gateway, for officer ayu
    assert any(
        e.actor == signers.GATEWAY and e.details.get("officer_id") == idp.ACCOUNTS["ayu"].subject
        for e in audited(records)
    )
    opened, receipted = statuses_of(records, sid)
    assert (opened.stage, opened.message, opened.rule) == ("SUBMITTED", "manual-receipt", "C13")
    assert opened.deadlines == {
        "C13": add_working_days(today, 1),  # Art. 12(3)
        "C13/ttp-rk": add_working_days(today, 10),  # Art. 13
    }
    [receipt] = [
        read_customs_document(r.value)
        for r in records
        if r.topic == topics.CEISA_TRADER and r.key == sid.encode()
    ]
    assert receipt.message is MANUAL_RECEIPT
    ns = f"{{{MANUAL_RECEIPT.namespace()}}}"
    assert receipt.root.findtext(f"{ns}ProcessingDueDate") == opened.deadlines["C13"].isoformat()
    assert (receipted.message, receipted.activities) == ("ttp-rk", ["EKSPORTIR"])
    assert set(receipted.deadlines) == {"C7", "C14"}  # exporters are served meanwhile (Art. 42)
    dead = [r for r in records if r.topic == dlq and r.key == sid.encode()]
    why = [dict(r.headers)[h.DLQ_EXCEPTION_MESSAGE].decode() for r in dead]
    # the forged act only (a rebalance may dead-letter it again: same record, same reason)
    assert why and all("SIGNATURE_INVALID" in w for w in why), why
    assert {dict(r.headers)[h.MESSAGE_ID] for r in dead} == {
        unsigned.headers[h.MESSAGE_ID].encode()
    }


async def test_c15_a_site_check_notice_opens_thirty_working_days_that_agree_with_customs(stack):
    sid = f"CU-SITE-CHECK-{uuid.uuid4().hex[:8]}"
    [(company, person)] = list(WORLD.iter_approvable(1))
    admin = f"http://127.0.0.1:{stack.ports['ceisa']}/admin/scenarios"
    async with (
        aiohttp.ClientSession() as http,
        http.post(admin, json={sid: "site_check"}) as answer,
    ):
        assert answer.status == 200
    payload = approvable(sid, company, person)
    await produce(
        stack.bootstrap_servers,
        topics.REGISTRATION_SUBMITTED,
        [(sid.encode(), json.dumps(payload).encode(), [(h.MESSAGE_ID, f"m-{sid}".encode())])],
    )

    def done(records) -> bool:
        mine = statuses_of(records, sid)
        return bool(mine) and mine[-1].message == "site-check-result"

    records = await collect(
        stack.bootstrap_servers,
        [topics.CUSTOMS_APPLICATION_STATUS, topics.CEISA_RESPONSE],
        done,
        timeout=90,
    )
    stack.check_alive()
    story = statuses_of(records, sid)
    assert [s.message for s in story] == [
        "proof-of-entry",
        "ttp-rk",
        "acceptance",
        "site-check-result",
    ]
    checked = story[-1]
    assert (checked.stage, checked.rule) == ("ACCEPTED", "C15") and checked.customs_id
    [document] = [
        read_customs_document(r.value)
        for r in records
        if r.topic == topics.CEISA_RESPONSE
        and r.key == sid.encode()
        and read_customs_document(r.value).message is SITE_CHECK_RESULT
    ]
    ns = f"{{{SITE_CHECK_RESULT.namespace()}}}"
    notice_on = datetime.fromisoformat(document.root.findtext(f"{ns}Notice/{ns}NoticeDate") or "")
    apply_by = document.root.findtext(f"{ns}Notice/{ns}ApplyByDate")
    assert checked.deadlines == {"C15/notice": add_working_days(notice_on.date(), 30)}
    assert checked.deadlines["C15/notice"].isoformat() == apply_by  # Art. 51(1)
    assert [r.code for r in checked.reasons] == ["ADDRESS_DIFFERS"]

    url = f"http://127.0.0.1:{stack.ports['customs']}/applications/{sid}"
    issuer = f"http://127.0.0.1:{stack.ports['issuer']}"
    async with aiohttp.ClientSession() as http:
        officer = {"Authorization": f"Bearer {await password_token(http, issuer, 'ayu')}"}
        answer = await http.get(url, headers=officer)
        assert answer.status == 200
        assert CustomsApplicationStatus.model_validate(await answer.json()) == checked
