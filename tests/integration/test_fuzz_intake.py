"""Fuzz suite, intake multipart over real HTTP and the real Redis (issue 12).

On main, 618 of 5,000 mutated multipart bodies got HTTP 500. Here every
mutated request must get a 2xx or a 4xx problem (``application/problem+json``
naming part and rule), and a document may exist only for a 201. Kafka is
replaced by a recorder: what is published is the contract's business, not
the fuzz's.
"""

import json
import uuid

import aiohttp
from aiohttp import web
from redis.asyncio import Redis

from intake.http import CLIENT_LIMIT, PORTAL_LIMIT, IntakeDeps, make_app
from intake.portals import PortalKeys, key_hash
from intake.receipts import ReceiptBook, submission_id_for
from runtime.documents import RedisDocumentStore, document_key
from runtime.rate_limit import RateLimits
from runtime.records import Outbound
from tests import fuzzing
from tests.support import at_rest, submission_dict

PDF = b"%PDF-1.7\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"
BOUNDARY = "fuzzBoundary7MA4YWxkTrZu0gW"


class Recorder:
    def __init__(self) -> None:
        self.published: list[Outbound] = []

    async def publish(self, records: list[Outbound]) -> None:
        self.published.extend(records)


def valid_body(r) -> bytes:
    form = submission_dict()
    for hub_field in ("submission_id", "submitted_at", "attachments"):
        form.pop(hub_field)
    if r.random() < 0.5:
        section, leaf = r.choice(
            [
                ("organisation", "nib"),
                ("organisation", "npwp"),
                ("applicant", "email"),
                ("applicant", "phone"),
                ("applicant", "full_name"),
            ]
        )
        form[section][leaf] = fuzzing.nasty_text(r)
    submission = json.dumps(form, ensure_ascii=r.random() < 0.5).encode("utf-8", "surrogatepass")
    return (
        (
            f"--{BOUNDARY}\r\n"
            'Content-Disposition: form-data; name="submission"\r\n'
            "Content-Type: application/json\r\n\r\n"
        ).encode()
        + submission
        + (
            f"\r\n--{BOUNDARY}\r\n"
            'Content-Disposition: form-data; name="power_of_attorney"; filename="k.pdf"\r\n'
            "Content-Type: application/pdf\r\n\r\n"
        ).encode()
        + PDF
        + f"\r\n--{BOUNDARY}--\r\n".encode()
    )


def request_for(index: int, api_key: str) -> tuple[bytes, dict[str, str]]:
    r = fuzzing.rng("intake", index)
    body = valid_body(r)
    if r.random() < 0.8:
        body = fuzzing.mutate_bytes(body, r, rounds=r.choice((1, 2, 3, 6)))
    headers = {
        "Authorization": f"Bearer {api_key}",
        "Idempotency-Key": f"fuzz-{fuzzing.SEED}-{index}-{uuid.uuid4().hex[:6]}",
        "Content-Type": f"multipart/form-data; boundary={BOUNDARY}",
    }
    roll = r.random()
    if roll < 0.05:
        headers["Content-Type"] = r.choice(
            [
                "multipart/form-data",
                "multipart/form-data; boundary=",
                "application/json",
                f"multipart/mixed; boundary={BOUNDARY}",
                'multipart/form-data; boundary="x"',
                "text/plain; charset=\u00ff".encode("latin-1").decode("latin-1"),
            ]
        )
    elif roll < 0.08:
        headers["Idempotency-Key"] = r.choice(["", "short", "k" * 200, "caf\u00e9-key-1234"])
    elif roll < 0.10:
        headers["Authorization"] = r.choice(["", "Bearer", "Basic abc", f"Bearer {api_key}x"])
    return body, headers


async def test_fuzz_intake_multipart_never_500_and_keeps_documents_only_for_201(redis_url):
    portal, api_key = f"fuzz-{uuid.uuid4().hex[:8]}", "fuzz-portal-key-" + uuid.uuid4().hex
    redis = Redis.from_url(redis_url)
    limits = RateLimits.on_redis(
        redis_url,
        {PORTAL_LIMIT: "1000000/minute", CLIENT_LIMIT: "1000000/minute"},
        key_prefix=f"test:{uuid.uuid4().hex}",
    )
    recorder = Recorder()
    deps = IntakeDeps(
        recorder,
        RedisDocumentStore(redis, at_rest()),
        ReceiptBook(redis, 600),
        PortalKeys({portal: key_hash(api_key)}),
        limits,
    )
    runner = web.AppRunner(make_app(deps), access_log=None)
    await runner.setup()
    await web.TCPSite(runner, "127.0.0.1", 0).start()
    url = f"http://127.0.0.1:{runner.addresses[0][1]}/registrations"
    statuses: dict[int, int] = {}
    refused: list[str] = []
    try:
        async with aiohttp.ClientSession() as http:
            for index in range(fuzzing.INTAKE_REQUESTS):
                body, headers = request_for(index, api_key)
                try:
                    async with http.post(url, data=body, headers=headers) as response:
                        status = response.status
                        text = await response.read()
                        content_type = response.content_type
                except aiohttp.ClientResponseError as error:  # the client refused to send it
                    status, text, content_type = error.status, b"", ""
                statuses[status] = statuses.get(status, 0) + 1
                if status != 201 and headers.get("Idempotency-Key"):
                    refused.append(submission_id_for(portal, headers["Idempotency-Key"]))
                assert status < 500, f"intake input {index}: {status} {text[:200]!r}"
                if status >= 400 and status != 0:
                    assert content_type == "application/problem+json", (index, status)
                    problem = json.loads(text)
                    assert problem["status"] == status and problem["errors"], index
        for record in recorder.published:
            sid = (record.key or b"").decode()
            assert await redis.exists(document_key(f"DOC-{sid}")) == 1
        documents = [k async for k in redis.scan_iter(match="insw:doc:DOC-SUB-*", count=1000)]
        mine = {document_key(f"DOC-{(r.key or b'').decode()}").encode() for r in recorder.published}
        assert statuses.get(201, 0) == len(recorder.published)
        assert mine <= set(documents)
        pipe = redis.pipeline(transaction=False)
        for sid in refused:
            pipe.exists(document_key(f"DOC-{sid}"))
        assert sum(await pipe.execute()) == 0  # a refused upload leaves no document
    finally:
        await runner.cleanup()
        await limits.aclose()
        await redis.aclose()
    print("intake fuzz statuses:", dict(sorted(statuses.items())))
    assert sum(statuses.values()) == fuzzing.INTAKE_REQUESTS
    assert statuses.get(201, 0) > 0 and statuses.get(400, 0) > 0 and statuses.get(422, 0) > 0
