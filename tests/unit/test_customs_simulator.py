"""The CEISA simulator's stories (pure): messages, ids, references, dates, XSD validity."""

from datetime import UTC, date, datetime, timedelta

import pytest
from aiohttp.test_utils import TestClient, TestServer

from contracts import xml_messages as m
from contracts.xml_reader import read_customs_document
from customs.workdays import add_working_days
from simulators.ceisa.admin import Scenarios, make_app
from simulators.ceisa.documents import render
from simulators.ceisa.script import Application, Scenario, story

APP = Application("CEISA-REG-DEC-0001-ab12", "SUB-2026-0001", ("IMPORTIR", "EKSPORTIR"))
START = date(2026, 3, 19)

EXPECTED = {
    Scenario.ACCEPT: [m.PROOF_OF_ENTRY, m.TTP_RK, m.ACCEPTANCE],
    Scenario.REJECT: [m.PROOF_OF_ENTRY, m.TTP_RK, m.REJECTION],
    Scenario.LATE_DOCUMENTS: [m.PROOF_OF_ENTRY, m.RETURN_RECEIPT],
    Scenario.ADDITIONAL_DOCUMENTS: [
        m.PROOF_OF_ENTRY,
        m.TTP_RK,
        m.ADDITIONAL_DOCUMENTS_REQUEST,
        m.ACCEPTANCE,
    ],
    Scenario.BLOCK_UNBLOCK: [m.PROOF_OF_ENTRY, m.TTP_RK, m.ACCEPTANCE, m.BLOCKING, m.UNBLOCKING],
    Scenario.REVOKE: [m.PROOF_OF_ENTRY, m.TTP_RK, m.ACCEPTANCE, m.REVOCATION],
    Scenario.DATA_CHANGE: [m.PROOF_OF_ENTRY, m.TTP_RK, m.ACCEPTANCE, m.DATA_CHANGE_OUTCOME],
    Scenario.DATA_CHANGE_REJECTED: [
        m.PROOF_OF_ENTRY,
        m.TTP_RK,
        m.ACCEPTANCE,
        m.DATA_CHANGE_OUTCOME,
    ],
    # Stories that wait for the trader stop where the trader must act (simulators.ceisa.replies).
    Scenario.DOCUMENTS: [m.PROOF_OF_ENTRY],
    Scenario.DOCUMENTS_ADDITIONAL: [m.PROOF_OF_ENTRY],
    Scenario.REGISTERED: [m.PROOF_OF_ENTRY, m.TTP_RK, m.ACCEPTANCE],
    Scenario.BLOCK_APPLY: [m.PROOF_OF_ENTRY, m.TTP_RK, m.ACCEPTANCE, m.BLOCKING],
    Scenario.BLOCK_REFUSE: [m.PROOF_OF_ENTRY, m.TTP_RK, m.ACCEPTANCE, m.BLOCKING],
    Scenario.SITE_CHECK: [m.PROOF_OF_ENTRY, m.TTP_RK, m.ACCEPTANCE, m.SITE_CHECK_RESULT],
}


@pytest.mark.parametrize("scenario", list(Scenario))
def test_every_scenario_sends_its_messages_in_order_each_valid_against_its_xsd(scenario):
    steps = story(scenario, APP, START)
    assert [s.message for s in steps] == EXPECTED[scenario]
    for step in steps:
        document = read_customs_document(render(step, datetime(2026, 3, 19, tzinfo=UTC)))
        assert document.message is step.message
    dates = [s.on for s in steps]
    assert dates == sorted(dates) and dates[0] == START


@pytest.mark.parametrize("scenario", list(Scenario))
def test_ids_are_unique_stable_and_replies_reference_the_registration(scenario):
    first, again = story(scenario, APP, START), story(scenario, APP, START)
    assert [s.message_id for s in first] == [s.message_id for s in again]
    assert len({s.message_id for s in first}) == len(first)
    for step in first:
        if step.message in (m.BLOCKING, m.UNBLOCKING, m.REVOCATION, m.SITE_CHECK_RESULT):
            assert step.reference is None and step.customs_id  # measures name the customs id
        elif step.message is m.DATA_CHANGE_OUTCOME:  # answers the user's notification (C10)
            assert step.reference and step.reference.startswith("INSW-DCN-") and step.customs_id
        else:
            assert step.reference == APP.message_id and step.submission_id == APP.submission_id
    other = story(scenario, Application("CEISA-REG-OTHER", "SUB-2", APP.activities), START)
    assert not {s.message_id for s in other} & {s.message_id for s in first}


def test_deadlines_follow_per21_in_working_days():
    entry, ttp_rk, request, _ = story(Scenario.ADDITIONAL_DOCUMENTS, APP, START)
    assert entry.due == add_working_days(START, 10)  # C3
    assert ttp_rk.due == add_working_days(ttp_rk.on, 14)  # C7
    assert ttp_rk.interim_until == ttp_rk.due  # C14: an exporter is served meanwhile
    assert request.due == add_working_days(request.on, 7)  # C6
    _, returned = story(Scenario.LATE_DOCUMENTS, APP, START)
    assert returned.on > entry.due  # C3: returned only once the period is over


def test_block_unblock_blocks_one_activity_and_lifts_that_same_blocking():
    *_, accepted, blocking, unblocking = story(Scenario.BLOCK_UNBLOCK, APP, START)
    assert blocking.activities == ("EKSPORTIR",)
    assert unblocking.number == blocking.number and unblocking.activities == blocking.activities
    assert blocking.customs_id == unblocking.customs_id == accepted.customs_id


def test_data_change_outcomes_name_the_customs_id_and_a_rejection_its_reapply_date():
    *_, accepted, approved = story(Scenario.DATA_CHANGE, APP, START)
    *_, rejected = story(Scenario.DATA_CHANGE_REJECTED, APP, START)
    assert approved.customs_id == rejected.customs_id == accepted.customs_id
    assert approved.approved and approved.due is None and not approved.reasons
    assert approved.on == add_working_days(accepted.on, 10)  # within Art. 28's 14
    assert not rejected.approved and rejected.reasons
    assert rejected.due == date(2026, 5, 16) == rejected.on + timedelta(days=30)  # Art. 30(2)


def test_no_interim_service_for_an_importer_only():
    _, ttp_rk, _ = story(Scenario.ACCEPT, Application("R", "S", ("IMPORTIR",)), START)
    assert ttp_rk.interim_until is None


async def test_admin_endpoint_sets_lists_and_refuses_unknown_scenarios():
    scenarios = Scenarios()
    async with TestClient(TestServer(make_app(scenarios))) as client:
        ok = await client.post("/admin/scenarios", json={"SUB-1": "reject", "SUB-2": "revoke"})
        assert ok.status == 200
        bad = await client.post("/admin/scenarios", json={"SUB-3": "explode"})
        assert bad.status == 422 and (await bad.json())["scenarios"] == ["explode"]
        listed = await (await client.get("/admin/scenarios")).json()
        assert listed == {"default": "accept", "scenarios": {"SUB-1": "reject", "SUB-2": "revoke"}}
        assert scenarios.of("SUB-1") is Scenario.REJECT and scenarios.of("SUB-9") is Scenario.ACCEPT
        assert (await client.delete("/admin/scenarios")).status == 200
        assert scenarios.of("SUB-1") is Scenario.ACCEPT
