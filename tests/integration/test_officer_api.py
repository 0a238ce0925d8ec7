"""The officers' HTTP endpoint over real HTTP: accepted requests reach the manual-decision topic."""

import aiohttp
import pytest
from aiohttp import web

from contracts import topics
from contracts.referral import ManualDecision
from gateway.officer_api import make_app


@pytest.fixture
async def endpoint():
    published = []

    async def publish(records):
        published.extend(records)

    runner = web.AppRunner(make_app(publish), access_log=None)
    await runner.setup()
    await web.TCPSite(runner, "127.0.0.1", 0).start()
    base = f"http://127.0.0.1:{runner.addresses[0][1]}"
    async with aiohttp.ClientSession() as http:
        yield base, http, published
    await runner.cleanup()


async def test_r13_officer_decision_over_http_is_published_keyed_by_submission(endpoint):
    base, http, published = endpoint
    body = {
        "outcome": "REJECTED",
        "officer_id": "officer-17",
        "note": "Surat Kuasa unsigned",
        "reason_codes": ["POWER_OF_ATTORNEY_REFERENCE"],
    }
    async with http.post(f"{base}/referrals/SUB-42/decision", json=body) as response:
        assert response.status == 202
        assert await response.json() == {"submission_id": "SUB-42", "status": "accepted"}
    [record] = published
    assert record.topic == topics.MANUAL_DECISION and record.key == b"SUB-42"
    assert ManualDecision.model_validate_json(record.value or b"").officer_id == "officer-17"
    assert record.headers["insw-correlation-id"] == "SUB-42"


async def test_r13_bad_officer_decision_names_the_field_and_rule_and_publishes_nothing(endpoint):
    base, http, published = endpoint
    body = {"outcome": "MAYBE", "officer_id": "Budi Santoso", "note": ""}
    async with http.post(f"{base}/referrals/SUB-42/decision", json=body) as response:
        assert response.status == 422
        detail = (await response.json())["detail"]
    assert "outcome: literal_error" in detail
    assert "officer_id: string_pattern_mismatch" in detail
    assert "note: string_too_short" in detail
    assert "Budi" not in detail  # input is never echoed
    assert published == []
