"""End to end through customs: gateway approval -> CEISA XML -> simulated CEISA -> lifecycle.

Each test application gets its story from the CEISA simulator's admin
endpoint before it is submitted; its outcome is then read from the compacted
status topic and from the lifecycle service's HTTP endpoint, which must agree.
"""

import json
import uuid

import aiohttp

from contracts import headers as h
from contracts import topics
from contracts.customs import CustomsApplicationStatus
from simulators.dataset import WORLD
from simulators.registrations import approvable
from tests.kafka_io import collect, produce

SCENARIOS = ("accept", "reject", "late_documents", "block_unblock", "data_change")
FINAL_VERSION = {
    "accept": 3,
    "reject": 3,
    "late_documents": 2,
    "block_unblock": 5,
    "data_change": 4,
}


async def test_customs_stories_reach_their_outcomes_on_the_status_topic_and_over_http(stack):
    run = uuid.uuid4().hex[:8]
    sids = {scenario: f"CU-{scenario.replace('_', '-').upper()}-{run}" for scenario in SCENARIOS}
    pairs = WORLD.iter_approvable(len(SCENARIOS))
    payloads = [
        approvable(sids[s], company, person)
        for s, (company, person) in zip(SCENARIOS, pairs, strict=False)
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

    base = f"http://127.0.0.1:{stack.ports['customs']}/customs/applications"
    async with aiohttp.ClientSession() as http:
        for scenario, sid in sids.items():
            async with http.get(f"{base}/{sid}") as answer:
                assert answer.status == 200, scenario
                served = CustomsApplicationStatus.model_validate(await answer.json())
            assert served == found[sid][-1], scenario
        async with http.get(f"{base}/CU-NEVER-{run}") as answer:
            assert answer.status == 404
