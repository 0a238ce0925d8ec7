"""The HTTP intake over real HTTP, with the real Redis and the real Kafka broker."""

import json
import uuid

import aiohttp
import pytest
from aiohttp import web

from contracts import topics
from contracts.registration import RegistrationSubmitted
from intake.app import build
from intake.settings import IntakeSettings
from tests.kafka_io import collect
from tests.support import submission_dict

PDF = b"%PDF-1.7\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"


@pytest.fixture
async def intake(bootstrap_servers, redis_url):
    settings = IntakeSettings(kafka_bootstrap_servers=bootstrap_servers, redis_url=redis_url)
    runner = web.AppRunner(build(settings), access_log=None)
    await runner.setup()
    await web.TCPSite(runner, "127.0.0.1", 0).start()
    async with aiohttp.ClientSession() as http:
        yield f"http://127.0.0.1:{runner.addresses[0][1]}/registrations", http
    await runner.cleanup()


def form(document=PDF, **overrides):
    body = submission_dict(**overrides)
    for hub_field in ("submission_id", "submitted_at", "attachments"):
        body.pop(hub_field)
    data = aiohttp.FormData()
    data.add_field("submission", json.dumps(body), content_type="application/json")
    data.add_field(
        "power_of_attorney", document, filename="kuasa.pdf", content_type="application/pdf"
    )
    return data


async def post(http, url, key, data):
    async with http.post(url, data=data, headers={"Idempotency-Key": key}) as response:
        return response.status, await response.json()


async def test_r11_registration_with_pdf_is_published_once_with_its_claim_check(
    intake, bootstrap_servers
):
    url, http = intake
    key = f"portal-test:{uuid.uuid4()}"
    status, first = await post(http, url, key, form())
    assert status == 201
    status, again = await post(http, url, key, form())
    assert (status, again) == (200, first)
    sid = first["submission_id"]
    records = await collect(
        bootstrap_servers,
        [topics.REGISTRATION_SUBMITTED],
        lambda found: any(r.key == sid.encode() for r in found),
        timeout=20,
    )
    mine = [r for r in records if r.key == sid.encode()]
    assert len(mine) == 1
    submission = RegistrationSubmitted.model_validate_json(mine[0].value)
    reference = submission.attachments.power_of_attorney
    assert reference is not None and reference.sha256 == first["receipt"]["document_sha256"]
    assert PDF not in mine[0].value  # the document travels by reference only


@pytest.mark.parametrize(
    ("document", "detail"),
    [
        (b"GIF89a not a pdf", "power_of_attorney: not a PDF (no %PDF- header) (R11)"),
        (b"%PDF-1.7\n" + b"x" * (1024 * 1024), "power_of_attorney: larger than 1 MB (R11)"),
    ],
    ids=["renamed-image", "too-large"],
)
async def test_r11_refuses_what_is_not_a_pdf_of_at_most_1_mb(intake, document, detail):
    url, http = intake
    status, body = await post(http, url, f"k-{uuid.uuid4()}", form(document))
    assert (status, body["detail"]) == (422, detail)


async def test_bad_input_names_the_field_and_rule_without_echoing_it(intake):
    url, http = intake
    status, body = await post(
        http, url, f"k-{uuid.uuid4()}", form(consent={"accepted": "Budi-not-a-bool"})
    )
    assert status == 422 and "consent.accepted: bool_parsing" in body["detail"]
    assert "Budi" not in body["detail"]
    async with http.post(url, data=form()) as response:
        assert response.status == 400
        assert "Idempotency-Key" in (await response.json())["detail"]
