"""Issue 10: a fifth agency is a spec row, an adapter and a simulator; nothing else changes.

The gateway is given :data:`spec.WITH_AHU` and asks AHU beside OSS, DJP and
Dukcapil; the tiny adapter answers through the shared verification handler,
over HTTP, from the tiny simulator; the decision lists the AHU check.
"""

import json

from aiohttp import web

from adapters.kit.http import AgencyHttp
from adapters.kit.verifier import verification_handler
from contracts import topics
from contracts.decision import RegistrationDecided
from gateway.handlers import Gateway
from gateway.rules.pipeline import Rulebook
from gateway.store_memory import MemoryRegistrationStore
from runtime.records import Inbound
from tests.support import (
    agency_answer,
    example_documents,
    results_of,
    submission_dict,
    submissions_of,
)
from tests.unit.fifth_agency.adapter import AhuClient
from tests.unit.fifth_agency.simulator import make_app
from tests.unit.fifth_agency.spec import AHU_NAME, WITH_AHU
from tests.unit.test_gateway_handlers import NOW, answers_for


def as_inbound(outbound, offset=0) -> Inbound:
    return Inbound(outbound.topic, 0, offset, outbound.key, outbound.value, [])


async def decide_with_ahu(company_name: str) -> RegistrationDecided:
    gateway = Gateway(
        MemoryRegistrationStore(),
        example_documents(),
        clock=lambda: NOW,
        rulebook=Rulebook(agencies=WITH_AHU),
    )
    payload = submission_dict(organisation__name=company_name)
    submitted = Inbound(topics.REGISTRATION_SUBMITTED, 0, 0, b"k", json.dumps(payload).encode())
    asked = await submissions_of(gateway)([submitted])
    to_ahu = [o for o in asked.outbound if o.topic == AHU_NAME.request_topic]
    assert len(to_ahu) == 1 and len(asked.outbound) == 4

    runner = web.AppRunner(make_app())
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = runner.addresses[0][1]
    http = AgencyHttp(f"http://127.0.0.1:{port}")
    await http.start()
    try:
        adapter = verification_handler(AhuClient(http), AHU_NAME)
        answered = await adapter([as_inbound(to_ahu[0])])
    finally:
        await http.close()
        await runner.cleanup()
    assert answered.dead == []
    shipped = answers_for()
    result = await results_of(gateway)(
        [*shipped, *(as_inbound(o, 10 + i) for i, o in enumerate(answered.outbound))]
    )
    [decision] = [
        RegistrationDecided.model_validate_json(o.value or b"")
        for o in result.outbound
        if o.topic == topics.REGISTRATION_DECIDED
    ]
    return decision


async def test_a_fifth_agency_is_asked_and_listed_on_the_decision():
    decision = await decide_with_ahu("PT Contoh Logistik")
    assert decision.outcome == "APPROVED"
    assert [(c.check, c.agency, c.outcome) for c in decision.checks] == [
        ("NIB", "OSS", "VERIFIED"),
        ("NPWP", "DJP", "VERIFIED"),
        ("NIK", "DUKCAPIL", "VERIFIED"),
        ("AHU", "KEMENKUMHAM", "VERIFIED"),
    ]


async def test_the_fifth_agency_can_reject_and_its_rule_is_named():
    decision = await decide_with_ahu("PT Tidak Terdaftar")
    assert decision.outcome == "REJECTED"
    assert [(r.code, r.rule, r.field) for r in decision.reasons] == [
        ("AGENCY_NOT_VERIFIED", "R5", "organisation.name")
    ]
    assert {r.rule: r.status for r in decision.rules}["R5"] == "FAILED"
    assert ("AHU", "KEMENKUMHAM", "NOT_FOUND") in [
        (c.check, c.agency, c.outcome) for c in decision.checks
    ]


async def test_an_answer_from_an_agency_nobody_registered_is_a_dead_letter():
    gateway = Gateway(MemoryRegistrationStore(), example_documents(), clock=lambda: NOW)
    forged = agency_answer(submission_id="SUB-0001", check="NIB", outcome="VERIFIED")
    stray = forged.model_dump() | {"check": "AHU"}
    record = Inbound(topics.VERIFICATION_COMPLETED, 0, 0, b"k", json.dumps(stray).encode())
    result = await results_of(gateway)([record])
    assert len(result.dead) == 1 and "AHU" in str(result.dead[0][1])
