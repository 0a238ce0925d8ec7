"""End to end through customs: gateway approval -> CEISA XML -> simulated CEISA -> lifecycle.

Each test application gets its story from the CEISA simulator's admin
endpoint before it is submitted; its outcome is then read from the compacted
status topic and from the lifecycle service's HTTP endpoint, which must agree,
and the trader's emails (issue 13) from the dev mailbox: one per customs
event, in both languages, each deadline with its last day. Stories that wait
for the trader are moved on with trader commands, as a portal would.
"""

import asyncio
import json
import uuid

import aiohttp

from contracts import headers as h
from contracts import topics
from contracts.customs import (
    AnswerAdditionalDocuments,
    ApplyForUnblock,
    CustomsApplicationStatus,
    DataChange,
    DeliverSupportingDocuments,
    NotifyDataChange,
)
from simulators.dataset import WORLD
from simulators.registrations import approvable
from tests.e2e import trader_mails as tm
from tests.kafka_io import collect, produce
from tests.officer_support import password_token

SCENARIOS = ("accept", "reject", "late_documents", "block_unblock", "data_change")
FINAL_VERSION = {
    "accept": 3,
    "reject": 3,
    "late_documents": 2,
    "block_unblock": 5,
    "data_change": 4,
}


async def start_stories(stack, scenarios: tuple[str, ...], prefix: str) -> dict[str, str]:
    """Give each scenario a fresh application, tell simulated CEISA, submit them all."""
    run = uuid.uuid4().hex[:8]
    sids = {
        scenario: f"{prefix}-{scenario.replace('_', '-').upper()}-{run}" for scenario in scenarios
    }
    pairs = WORLD.iter_approvable(len(scenarios))
    payloads = [
        approvable(sids[s], company, person)
        for s, (company, person) in zip(scenarios, pairs, strict=False)
    ]
    admin = f"http://127.0.0.1:{stack.ports['ceisa']}/admin/scenarios"
    async with (
        aiohttp.ClientSession() as http,
        http.post(admin, json={sid: s for s, sid in sids.items()}) as answer,
    ):
        assert answer.status == 200
    await produce(
        stack.bootstrap_servers,
        topics.REGISTRATION_SUBMITTED,
        [
            (
                p["submission_id"].encode(),
                json.dumps(p).encode(),
                [(h.MESSAGE_ID, f"m-{p['submission_id']}".encode())],
            )
            for p in payloads
        ],
    )
    return sids


async def test_customs_stories_reach_their_outcomes_on_the_status_topic_and_over_http(stack):
    sids = await start_stories(stack, SCENARIOS, "CU")
    run = sids["accept"].rsplit("-", 1)[1]

    def by_submission(records) -> dict[str, list[CustomsApplicationStatus]]:
        found: dict[str, list[CustomsApplicationStatus]] = {}
        for record in records:
            status = CustomsApplicationStatus.model_validate_json(record.value)
            found.setdefault(status.submission_id, []).append(status)
        return found

    def complete(records) -> bool:
        found = by_submission(records)
        return all(
            found.get(sid) and found[sid][-1].version == FINAL_VERSION[s] for s, sid in sids.items()
        )

    records = await collect(
        stack.bootstrap_servers, [topics.CUSTOMS_APPLICATION_STATUS], complete, timeout=90
    )
    stack.check_alive()
    found = by_submission(records)
    assert {r.key.decode() for r in records} >= set(sids.values())

    accepted = found[sids["accept"]][-1]
    assert accepted.stage == "ACCEPTED" and accepted.customs_id
    assert accepted.approved == accepted.active == ["EKSPORTIR", "IMPORTIR"]

    rejected = found[sids["reject"]][-1]
    assert rejected.stage == "REJECTED" and rejected.customs_id is None
    assert [r.code for r in rejected.reasons] == ["ADDRESS_NOT_VERIFIED"]

    returned = found[sids["late_documents"]][-1]
    assert returned.stage == "RETURNED" and returned.rule == "C3"
    assert [r.code for r in returned.reasons] == ["DOCUMENTS_NOT_RECEIVED"]

    story = found[sids["block_unblock"]]
    assert [s.message for s in story] == [
        "proof-of-entry",
        "ttp-rk",
        "acceptance",
        "blocking",
        "unblocking",
    ]
    blocked, unblocked = story[3], story[4]
    assert blocked.blocked == ["EKSPORTIR"] and blocked.active == ["IMPORTIR"]
    assert unblocked.blocked == [] and unblocked.active == ["EKSPORTIR", "IMPORTIR"]

    changed = found[sids["data_change"]]
    assert [s.message for s in changed][-2:] == ["acceptance", "data-change-outcome"]
    assert changed[-1].stage == "ACCEPTED" and changed[-1].rule == "C10"
    assert changed[-1].customs_id == changed[-2].customs_id and changed[-1].deadlines == {}

    base = f"http://127.0.0.1:{stack.ports['customs']}/applications"
    issuer = f"http://127.0.0.1:{stack.ports['issuer']}"
    async with aiohttp.ClientSession() as http:
        officer = {"Authorization": f"Bearer {await password_token(http, issuer, 'ayu')}"}
        for scenario, sid in sids.items():
            async with http.get(f"{base}/{sid}", headers=officer) as answer:
                assert answer.status == 200, scenario
                served = CustomsApplicationStatus.model_validate(await answer.json())
            assert served == found[sid][-1], scenario
        async with http.get(f"{base}/CU-NEVER-{run}", headers=officer) as answer:
            assert answer.status == 404

    # The trader's emails: one per customs event, in both languages (issue 13).
    mails = await tm.wait_mails(
        stack,
        {
            sids["accept"]: {tm.ENTRY, tm.TTP_RK, tm.ACCEPTED},
            sids["reject"]: {tm.ENTRY, tm.TTP_RK, tm.REJECTED},
            sids["late_documents"]: {tm.ENTRY, tm.RETURNED},
            sids["block_unblock"]: {tm.ENTRY, tm.TTP_RK, tm.ACCEPTED, tm.BLOCKED, tm.UNBLOCKED},
            sids["data_change"]: {tm.ENTRY, tm.TTP_RK, tm.ACCEPTED, tm.CHANGE_APPROVED},
        },
    )
    story = found[sids["accept"]]
    accept_mails = mails[sids["accept"]]
    assert len(accept_mails) == 3
    tm.assert_due(accept_mails[tm.ENTRY], "C3", story[0].deadlines["C3"])
    tm.assert_due(accept_mails[tm.TTP_RK], "C7", story[1].deadlines["C7"])
    indonesian, english = tm.parts(accept_mails[tm.ACCEPTED])
    assert f"Nomor identitas kepabeanan Anda: {accepted.customs_id}." in indonesian
    assert f"Your customs identity number: {accepted.customs_id}." in english
    assert "Registrasi kepabeanan disetujui / Customs registration accepted" in str(
        accept_mails[tm.ACCEPTED]["Subject"]
    )
    for scenario, title, code in (
        ("reject", tm.REJECTED, "ADDRESS_NOT_VERIFIED"),
        ("late_documents", tm.RETURNED, "DOCUMENTS_NOT_RECEIVED"),
    ):
        indonesian, english = tm.parts(mails[sids[scenario]][title])
        assert f"Alasan dari Bea Cukai:\n1. {code}:" in indonesian, scenario
        assert f"Reasons given by customs:\n1. {code}:" in english, scenario
    for title in (tm.BLOCKED, tm.UNBLOCKED):
        indonesian, english = tm.parts(mails[sids["block_unblock"]][title])
        assert "Kegiatan: EKSPORTIR" in indonesian and "Activities: EKSPORTIR" in english
        assert "IMPORTIR" not in english


TRADER_SCENARIOS = (
    "documents",
    "documents_additional",
    "registered",
    "block_apply",
    "block_refuse",
    "revoke",
)
FINAL_MESSAGES = {
    "documents": ["proof-of-entry", "supporting-documents", "ttp-rk", "acceptance"],
    "documents_additional": [
        "proof-of-entry",
        "supporting-documents",
        "ttp-rk",
        "additional-documents-request",
        "additional-documents-reply",
        "acceptance",
    ],
    "registered": [
        "proof-of-entry",
        "ttp-rk",
        "acceptance",
        "data-change-notification",
        "data-change-receipt",
        "data-change-outcome",
    ],
    "block_apply": [
        "proof-of-entry",
        "ttp-rk",
        "acceptance",
        "blocking",
        "unblock-application",
        "unblocking",
    ],
    "block_refuse": [
        "proof-of-entry",
        "ttp-rk",
        "acceptance",
        "blocking",
        "unblock-application",
        "unblock-refusal",
    ],
    "revoke": ["proof-of-entry", "ttp-rk", "acceptance", "revocation"],
}


async def test_stories_the_trader_moves_on_end_in_their_state_with_the_traders_emails(stack):
    """(a) documents -> TTP-RK -> customs id; (b) documents requested and answered in time;
    (c) data change -> receipt -> outcome; (d) block one activity -> unblock application ->
    lifted, or refused; (e) revocation. Each ends in its state, emails and deadlines."""
    sids = await start_stories(stack, TRADER_SCENARIOS, "CT")
    docs = [tm.DOCUMENT]
    for scenario in ("documents", "documents_additional"):  # (a), (b): C3 documents
        sid = sids[scenario]
        await tm.statuses(stack, sid, tm.reached("proof-of-entry"))
        await tm.command(
            stack,
            DeliverSupportingDocuments(command_id=f"docs-{sid}", submission_id=sid, documents=docs),
        )
    sid = sids["documents_additional"]  # (b): answered within the C6 period
    requested = await tm.statuses(stack, sid, tm.reached("additional-documents-request"))
    await tm.command(
        stack,
        AnswerAdditionalDocuments(command_id=f"answer-{sid}", submission_id=sid, documents=docs),
    )
    sid = sids["registered"]  # (c)
    await tm.statuses(stack, sid, tm.reached("acceptance"))
    change = DataChange(group="OTHER", element="ADDRESS", new_value="Jl. Contoh Baru No. 1")
    await tm.command(
        stack, NotifyDataChange(command_id=f"change-{sid}", submission_id=sid, changes=[change])
    )
    for scenario in ("block_apply", "block_refuse"):  # (d)
        sid = sids[scenario]
        found = await tm.statuses(stack, sid, tm.reached("blocking"))
        [blocking] = next(s for s in found if s.message == "blocking").blockings
        assert blocking.activities == ["EKSPORTIR"]  # one activity, not the customs id
        await tm.command(
            stack,
            ApplyForUnblock(
                command_id=f"unblock-{sid}",
                submission_id=sid,
                blocking_number=blocking.number,
                grounds="A certified customs expert is employed again.",
            ),
        )

    final: dict[str, list[CustomsApplicationStatus]] = {}
    for scenario, messages in FINAL_MESSAGES.items():
        found = await tm.statuses(stack, sids[scenario], tm.reached(messages[-1]))
        assert [s.message for s in found] == messages, scenario
        final[scenario] = found
    stack.check_alive()
    last = {scenario: found[-1] for scenario, found in final.items()}
    assert last["documents"].stage == "ACCEPTED" and last["documents"].customs_id
    assert last["documents_additional"].stage == "ACCEPTED" and last["documents"].deadlines == {}
    assert last["registered"].stage == "ACCEPTED" and last["registered"].deadlines == {}
    assert last["block_apply"].blocked == [] and last["block_apply"].active == [
        "EKSPORTIR",
        "IMPORTIR",
    ]
    assert last["block_refuse"].blocked == ["EKSPORTIR"] and last["block_refuse"].active == [
        "IMPORTIR"
    ]
    assert [r.code for r in last["block_refuse"].reasons] == ["EXPERT_NOT_CERTIFIED"]
    assert last["revoke"].stage == "REVOKED" and last["revoke"].revoked == ["EKSPORTIR", "IMPORTIR"]

    customs = {tm.ENTRY, tm.TTP_RK, tm.ACCEPTED}
    expected = {
        "documents": customs,
        "documents_additional": customs | {tm.REQUESTED},
        "registered": customs | {tm.CHANGE_RECEIPTED, tm.CHANGE_APPROVED},
        "block_apply": customs | {tm.BLOCKED, tm.UNBLOCKED},
        "block_refuse": customs | {tm.BLOCKED, tm.UNBLOCK_REFUSED},
        "revoke": customs | {tm.REVOKED},
    }
    mails = await tm.wait_mails(stack, {sids[s]: titles for s, titles in expected.items()})
    await asyncio.sleep(1.0)  # anything more (a duplicate, an echo of the trader's own act)?
    for scenario, titles in expected.items():
        assert tm.by_title(tm.trader_mails(stack, sids[scenario])).keys() == titles, scenario

    entry = final["documents"][0]  # (a) proof of entry with its C3 due date
    tm.assert_due(mails[sids["documents"]][tm.ENTRY], "C3", entry.deadlines["C3"])
    indonesian, english = tm.parts(mails[sids["documents"]][tm.ACCEPTED])
    assert f"Nomor identitas kepabeanan Anda: {last['documents'].customs_id}." in indonesian
    assert f"Your customs identity number: {last['documents'].customs_id}." in english
    asked = next(s for s in requested if s.message == "additional-documents-request")
    tm.assert_due(mails[sids["documents_additional"]][tm.REQUESTED], "C6", asked.deadlines["C6"])
    receipt = next(s for s in final["registered"] if s.message == "data-change-receipt")
    tm.assert_due(
        mails[sids["registered"]][tm.CHANGE_RECEIPTED],
        "C10/documents",
        receipt.deadlines["C10/documents"],
    )
    indonesian, english = tm.parts(mails[sids["block_refuse"]][tm.UNBLOCK_REFUSED])
    assert "blokir tetap berlaku" in indonesian and "the blocking stays in force" in english
    assert "1. EXPERT_NOT_CERTIFIED:" in indonesian and "1. EXPERT_NOT_CERTIFIED:" in english
    indonesian, english = tm.parts(mails[sids["revoke"]][tm.REVOKED])
    assert "Kegiatan: EKSPORTIR, IMPORTIR" in indonesian
    assert "Activities: EKSPORTIR, IMPORTIR" in english
