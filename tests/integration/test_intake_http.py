"""The HTTP intake over real HTTP, with the real Redis and the real Kafka broker.

Besides the happy path, the probes of issue 12 part 3: an unauthenticated or
flooding portal, two requests racing with one Idempotency-Key, refused
uploads that must leave no document behind, and malformed multipart that
must answer 400 without a byte of the body in any log.
"""

import asyncio
import json
import logging
import uuid

import aiohttp
import pytest
from aiohttp import web
from redis.asyncio import Redis

from contracts import topics
from contracts.registration import RegistrationSubmitted
from intake.app import build
from intake.portals import key_hash, new_api_key
from intake.receipts import submission_id_for
from intake.settings import IntakeSettings
from runtime.documents import document_key
from tests.kafka_io import collect
from tests.support import submission_dict

PDF = b"%PDF-1.7\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"
NIK = "3171011708850001"
EMAIL = "budi@example.co.id"


class Intake:
    def __init__(self, url: str, http: aiohttp.ClientSession, portal: str, api_key: str) -> None:
        self.url, self.http, self.portal, self.api_key = url, http, portal, api_key

    async def post(self, key, data, *, api_key=None, raw_headers=None):
        headers = {"Authorization": f"Bearer {api_key or self.api_key}"}
        if key is not None:
            headers["Idempotency-Key"] = key
        headers.update(raw_headers or {})
        async with self.http.post(self.url, data=data, headers=headers) as response:
            return response.status, await response.json(content_type=None), response.headers


async def start_intake(bootstrap_servers, redis_url, **settings):
    portal, api_key = f"portal-{uuid.uuid4().hex[:8]}", new_api_key()
    config = IntakeSettings(
        kafka_bootstrap_servers=bootstrap_servers,
        redis_url=redis_url,
        intake_portal_keys={portal: key_hash(api_key)},
        intake_client_rate_limit="100000/minute",
        **settings,
    )
    runner = web.AppRunner(build(config), access_log=None)
    await runner.setup()
    await web.TCPSite(runner, "127.0.0.1", 0).start()
    url = f"http://127.0.0.1:{runner.addresses[0][1]}/registrations"
    return runner, url, portal, api_key


@pytest.fixture
async def intake(bootstrap_servers, redis_url):
    runner, url, portal, api_key = await start_intake(bootstrap_servers, redis_url)
    async with aiohttp.ClientSession() as http:
        yield Intake(url, http, portal, api_key)
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


async def test_r11_registration_with_pdf_is_published_once_with_its_claim_check(
    intake, bootstrap_servers
):
    key = f"portal-test:{uuid.uuid4()}"
    status, first, _ = await intake.post(key, form())
    assert status == 201
    status, again, _ = await intake.post(key, form())
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
    status, body, headers = await intake.post(f"k-{uuid.uuid4()}", form(document))
    assert (status, body["detail"]) == (422, detail)
    assert headers["Content-Type"].startswith("application/problem+json")
    assert body["errors"][0]["part"] == "power_of_attorney" and body["errors"][0]["rule"] == "R11"


async def test_bad_input_names_the_field_and_rule_without_echoing_it(intake):
    status, body, _ = await intake.post(
        f"k-{uuid.uuid4()}", form(consent={"accepted": "Budi-not-a-bool"})
    )
    assert status == 422 and "consent.accepted: bool_parsing" in body["detail"]
    assert "Budi" not in json.dumps(body)
    status, body, _ = await intake.post(None, form())
    assert status == 400 and "Idempotency-Key" in body["detail"]


async def test_superscript_nik_is_refused_at_intake_naming_part_field_and_rule(intake):
    nik = "317101\u00b2708850001"
    status, body, _ = await intake.post(
        f"k-{uuid.uuid4()}", form(applicant__identity={"kind": "NIK", "number": nik})
    )
    assert status == 422
    assert body["errors"] == [
        {
            "part": "submission",
            "field": "applicant.identity.number",
            "rule": "R9",
            "code": "NIK_FORMAT",
        }
    ]
    assert nik not in json.dumps(body, ensure_ascii=False)


async def test_portals_must_authenticate(intake):
    status, body, headers = await intake.post(f"k-{uuid.uuid4()}", form(), api_key="wrong-key")
    assert status == 401 and body["errors"][0]["code"] == "UNAUTHENTICATED"
    assert headers["WWW-Authenticate"].startswith("Bearer")
    async with intake.http.post(intake.url, data=form()) as response:
        assert response.status == 401


async def test_a_portal_is_rate_limited(bootstrap_servers, redis_url):
    runner, url, portal, api_key = await start_intake(
        bootstrap_servers, redis_url, intake_portal_rate_limit="3/minute"
    )
    try:
        async with aiohttp.ClientSession() as http:
            intake = Intake(url, http, portal, api_key)
            answers = [(await intake.post("short", form()))[:3:2] for _ in range(5)]
    finally:
        await runner.cleanup()
    assert [status for status, _ in answers] == [400, 400, 400, 429, 429]
    assert int(answers[-1][1]["Retry-After"]) >= 1


async def test_idempotency_race_gives_exactly_one_201_and_one_submission(intake, bootstrap_servers):
    key = f"race-{uuid.uuid4()}"
    answers = await asyncio.gather(*(intake.post(key, form()) for _ in range(8)))
    statuses = sorted(status for status, _, _ in answers)
    assert statuses.count(201) == 1, statuses
    assert set(statuses) <= {200, 201, 409}
    sid = submission_id_for(intake.portal, key)
    records = await collect(
        bootstrap_servers,
        [topics.REGISTRATION_SUBMITTED],
        lambda found: any(r.key == sid.encode() for r in found),
        timeout=20,
    )
    await asyncio.sleep(1)  # a second publish, if there were one, would be here by now
    records += await collect(
        bootstrap_servers, [topics.REGISTRATION_SUBMITTED], lambda _: False, timeout=2
    )
    assert len({(r.partition, r.offset) for r in records if r.key == sid.encode()}) == 1


async def test_refused_uploads_leave_no_document(intake, redis_url):
    big_pdf = b"%PDF-1.7\n" + b"0" * (1000 * 1024) + b"\n%%EOF\n"
    keys = [f"refused-{uuid.uuid4()}" for _ in range(20)]
    redis = Redis.from_url(redis_url)
    try:
        before = await redis.info("memory")
        for key in keys:
            status, _, _ = await intake.post(
                key, form(big_pdf, applicant__identity={"kind": "NIK", "number": "12"})
            )
            assert status == 422
        for key in keys:
            sid = submission_id_for(intake.portal, key)
            assert await redis.exists(document_key(f"DOC-{sid}")) == 0
        after = await redis.info("memory")
        assert after["used_memory"] - before["used_memory"] < 5 * 1024 * 1024
        # A refusal releases the key: the corrected form goes through with the same key.
        status, body, _ = await intake.post(keys[0], form())
        assert status == 201
        assert await redis.exists(document_key(body["receipt"]["document_id"])) == 1
    finally:
        await redis.aclose()


MALFORMED = [
    b'--XyZ\r\nContent-Disposition: form-data; name="submission"\r\n\r\n'
    + json.dumps({"applicant": {"identity": {"number": NIK}, "email": EMAIL}}).encode()
    + b"\r\n--WRONG\r\n\r\n",
    b'--XyZ\r\nContent-Disposition: form-data; name="power_of_attorney"\r\n'
    + NIK.encode()
    + EMAIL.encode()
    + b"\r\n--XyZ--\r\n",
    NIK.encode() + b" " + EMAIL.encode(),
]


@pytest.mark.parametrize("body", MALFORMED, ids=["bad-boundary", "bad-headers", "no-framing"])
async def test_malformed_multipart_is_400_with_nothing_of_the_body_in_the_log(intake, body, caplog):
    caplog.set_level(logging.DEBUG)
    status, problem, headers = await intake.post(
        f"k-{uuid.uuid4()}",
        body,
        raw_headers={"Content-Type": "multipart/form-data; boundary=XyZ"},
    )
    assert status == 400, problem
    assert headers["Content-Type"].startswith("application/problem+json")
    assert problem["errors"][0]["code"] == "MULTIPART_MALFORMED"
    logged = caplog.text + json.dumps(problem)
    assert NIK not in logged and EMAIL not in logged
