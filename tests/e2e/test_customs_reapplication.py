"""End to end (C3, C9): a registration returned for late documents is reapplied and accepted.

The story, through the whole hub as separate processes on real Kafka: INSW
approves -> CEISA registration -> proof of entry -> documents late -> return
receipt -> the trader reapplies -> proof of entry for attempt 2 -> the
trader delivers the documents -> TTP-RK -> acceptance with a customs id. The
end state is read from the compacted status topic and from the authenticated
status view, which must agree.
"""

import json
import uuid
from collections.abc import Callable

import aiohttp

from contracts import headers as h
from contracts import topics
from contracts.customs import (
    CustomsApplicationStatus,
    DeliverSupportingDocuments,
    Reapply,
    SupportingDocument,
)
from simulators.dataset import WORLD
from simulators.registrations import approvable
from tests.kafka_io import collect, produce
from tests.officer_support import password_token
from tests.unit.test_customs_reapply import RETURNED_THEN_ACCEPTED

DOC = SupportingDocument(code="AKTA_PENDIRIAN", document_id="DOC-E2E-1", sha256="c" * 64)


async def test_c3_returned_application_reapplies_and_attempt_2_is_accepted(stack):
    run = uuid.uuid4().hex[:8]
    sid = f"CU-REAPPLY-{run}"
    [(company, person)] = WORLD.iter_approvable(1)
    admin = f"http://127.0.0.1:{stack.ports['ceisa']}/admin/scenarios"
    async with aiohttp.ClientSession() as http, http.post(admin, json={sid: "late_documents"}) as r:
        assert r.status == 200
    payload = approvable(sid, company, person)
    await produce(
        stack.bootstrap_servers,
        topics.REGISTRATION_SUBMITTED,
        [(sid.encode(), json.dumps(payload).encode(), [(h.MESSAGE_ID, f"m-{sid}".encode())])],
    )

    async def statuses_until(done: Callable[[CustomsApplicationStatus], bool]):
        def mine(records) -> list[CustomsApplicationStatus]:
            return [
                CustomsApplicationStatus.model_validate_json(r.value)
                for r in records
                if r.key == sid.encode()
            ]

        records = await collect(
            stack.bootstrap_servers,
            [topics.CUSTOMS_APPLICATION_STATUS],
            lambda rs: any(done(s) for s in mine(rs)),
            timeout=90,
        )
        stack.check_alive()
        return mine(records)

    async def command(value: Reapply | DeliverSupportingDocuments) -> None:
        await produce(
            stack.bootstrap_servers,
            topics.TRADER_COMMAND,
            [(sid.encode(), value.model_dump_json().encode(), [])],
        )

    story = await statuses_until(lambda s: s.stage == "RETURNED")
    returned = story[-1]
    assert (returned.attempt, returned.rule) == (1, "C3")
    assert returned.next_action.code == "REAPPLY_OR_STOP"

    await command(Reapply(command_id=f"R-{run}", submission_id=sid))
    story = await statuses_until(lambda s: s.attempt == 2 and s.stage == "ENTERED")
    entered = story[-1]
    assert entered.next_action.code == "DELIVER_SUPPORTING_DOCUMENTS"
    assert entered.next_action.due_on == entered.due_dates["C3"].due_on

    await command(
        DeliverSupportingDocuments(command_id=f"D-{run}", submission_id=sid, documents=[DOC])
    )
    story = await statuses_until(lambda s: s.stage == "ACCEPTED")
    accepted = story[-1]
    assert accepted.attempt == 2 and accepted.customs_id
    assert accepted.next_action.code == "NONE"
    assert [(s.attempt, s.message) for s in accepted.steps] == RETURNED_THEN_ACCEPTED
    attempt_2_entry = accepted.steps[3]
    assert attempt_2_entry.due["C3"].follows == "CEISA"
    assert accepted.insw_decision.outcome == "APPROVED"
    assert (accepted.insw_decision.registration_message_id or "").startswith("CEISA-REG-")

    customs = f"http://127.0.0.1:{stack.ports['customs']}"
    issuer = f"http://127.0.0.1:{stack.ports['issuer']}"
    async with aiohttp.ClientSession() as http:
        async with http.get(f"{customs}/applications/{sid}") as anonymous:
            assert anonymous.status == 401
            assert anonymous.content_type == "application/problem+json"
        officer = {"Authorization": f"Bearer {await password_token(http, issuer, 'ayu')}"}
        async with http.get(f"{customs}/applications/{sid}", headers=officer) as answer:
            assert answer.status == 200
            served = CustomsApplicationStatus.model_validate(await answer.json())
        async with http.get(f"{customs}/applications/CU-NEVER-{run}", headers=officer) as unknown:
            assert unknown.status == 404
            assert (await unknown.json())["rule"] == "UNKNOWN_APPLICATION"
    assert served == accepted
