"""A record whose ``insw-schema`` header names another contract is dead-lettered, naming it."""

import json

from contracts import channels
from contracts import headers as h
from runtime.consumer import HandlerResult
from runtime.records import Inbound
from runtime.typed import typed
from tests.support import submission_dict


def _record(offset: int, schema: bytes | None) -> Inbound:
    headers = [] if schema is None else [(h.SCHEMA, schema)]
    value = json.dumps(submission_dict(f"SUB-{offset}")).encode()
    return Inbound(channels.REGISTRATION_SUBMITTED.topic, 0, offset, None, value, headers)


async def _run(records: list[Inbound]) -> tuple[list[str], HandlerResult]:
    seen: list[str] = []

    async def handler(batch):
        seen.extend(p.submission_id for _, p in batch)
        return HandlerResult()

    result = await typed(channels.REGISTRATION_SUBMITTED, handler)(records)
    return seen, result


async def test_a_submission_sent_to_another_schema_version_is_dead_lettered_naming_the_header():
    seen, result = await _run([_record(1, b"insw.registration.submitted/v2")])
    assert seen == []
    [(record, error)] = result.dead
    assert record.offset == 1
    assert "insw-schema header" in str(error)
    assert "insw.registration.submitted/v1" in str(error)


async def test_the_right_schema_and_no_header_are_both_read():
    right = channels.REGISTRATION_SUBMITTED.schema_id.encode()
    seen, result = await _run([_record(1, right), _record(2, None)])
    assert seen == ["SUB-1", "SUB-2"]
    assert result.dead == []
