"""Customs gets one application per approved submission, even when decisions are replayed."""

from adapters.ceisa.handler import ceisa_handler
from adapters.ceisa.sent import MemorySentApplications
from contracts.decision import Outcome
from runtime.codec import encode
from runtime.records import Inbound
from tests.unit.test_ceisa_documents import _decision


def _record(offset: int, **changes: object) -> Inbound:
    decision = _decision().model_copy(update=changes)
    return Inbound("insw.registration.decided.v1", 0, offset, b"SUB-0001", encode(decision))


async def _run(handle, *records):
    result = await handle(list(records))
    for follow_up in result.after_publish:  # what the pump does after the commit
        await follow_up()
    return result


async def test_an_approval_is_sent_once_and_its_replay_is_skipped():
    sent = MemorySentApplications()
    handle = ceisa_handler("INSW", sent)
    first = await _run(handle, _record(0))
    replayed = await _run(handle, _record(0), _record(7, decision_id="DEC-0002"))
    assert [o.key for o in first.outbound] == [b"SUB-0001"]
    assert replayed.outbound == []
    assert sent.sent == {"SUB-0001": "DEC-0001"}


async def test_two_approvals_of_one_submission_in_a_batch_make_one_application():
    handle = ceisa_handler("INSW", MemorySentApplications())
    result = await _run(handle, _record(0), _record(1, decision_id="DEC-0002"))
    assert len(result.outbound) == 1


async def test_a_rejection_sends_nothing_and_marks_nothing():
    sent = MemorySentApplications()
    result = await _run(ceisa_handler("INSW", sent), _record(0, outcome=Outcome.REJECTED))
    assert result.outbound == [] and sent.sent == {}


async def test_nothing_is_marked_sent_before_the_pump_commits():
    sent = MemorySentApplications()
    result = await ceisa_handler("INSW", sent)([_record(0)])
    assert len(result.outbound) == 1 and sent.sent == {}
