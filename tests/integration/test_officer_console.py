"""The officers' console over real HTTP (no browser): sign-in through the identity provider,
session cookie, CSRF on forms, audited views, and decisions on the officer desk's road.
"""

import re
from datetime import UTC, datetime

import aiohttp
import pytest
from aiohttp import web

from contracts.decision import Outcome
from contracts.referral import ManualDecision, OfficerAuditKind
from devstack import issuer as idp
from devstack.kafka import create_topics_async
from gateway.console import app as console
from gateway.officer_api import OfficerApi, make_app
from gateway.ratelimit import RateLimit
from gateway.store import PublishedDecision
from gateway.store_memory import MemoryRegistrationStore
from runtime.documents import MemoryDocumentStore
from runtime.sealing import SealBroken
from tests.integration.test_hubctl_dlq import failed, publish
from tests.kafka_io import collect
from tests.officer_support import running_issuer, verifier_for
from tests.support import assessed, submission

NOW = datetime(2026, 3, 2, 8, 0, tzinfo=UTC)
PDF = b"%PDF-1.4 surat kuasa"
CUSTOMS_STATUS = {
    "submission_id": "SUB-CUSTOMS",
    "stage": "RECEIPTED",
    "version": 2,
    "message_id": "CEISA-2",
    "message": "ttp-rk",
    "rule": "C4",
    "customs_id": None,
    "activities": ["IMPORTIR"],
    "approved": [],
    "active": [],
    "blocked": [],
    "revoked": [],
    "blockings": [],
    "reasons": [],
    "deadlines": {"C7": "2026-03-20", "C14": "2026-03-20"},
    "updated_at": "2026-03-02T08:00:00Z",
}


async def customs_service() -> web.AppRunner:
    """Stands in for the customs lifecycle's read side (``GET /applications/{id}``).

    Like the real one it answers only a bearer of a token: the console must
    forward the signed-in officer's.
    """

    async def status(request: web.Request) -> web.Response:
        sent = request.headers.get("Authorization", "")
        if not sent.startswith("Bearer ") or len(sent) < len("Bearer ") + 20:
            return web.json_response({"rule": "TOKEN_MISSING"}, status=401)
        if request.match_info["submission_id"] != "SUB-CUSTOMS":
            return web.json_response({"error": "UNKNOWN_APPLICATION"}, status=404)
        return web.json_response(CUSTOMS_STATUS)

    app = web.Application()
    app.router.add_get("/applications/{submission_id}", status)
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    await web.TCPSite(runner, "127.0.0.1", 0).start()
    return runner


UNREADABLE = "SUB-SEALED-ELSEWHERE"


class SealedElsewhereStore(MemoryRegistrationStore):
    """One queued application was sealed under a key the ring no longer has."""

    async def load(self, submission_ids):
        if UNREADABLE in submission_ids:
            raise SealBroken("a value at rest cannot be opened with the key ring")
        return await super().load(submission_ids)


class RecordedAudit:
    def __init__(self) -> None:
        self.events: list[tuple[OfficerAuditKind, str, str]] = []

    async def record(self, kind, actor, submission_id):
        self.events.append((kind, actor, submission_id))


@pytest.fixture
async def site(bootstrap_servers):
    published: list = []

    async def publish(records):
        published.extend(records)

    store, documents, audit = SealedElsewhereStore(), MemoryDocumentStore(), RecordedAudit()
    sub = submission("SUB-CONSOLE")
    reference = sub.attachments.power_of_attorney
    assert reference is not None and reference.document_id
    await documents.put(reference.document_id, PDF, "application/pdf")
    await store.open([(sub, assessed(sub))])
    other = submission(UNREADABLE)
    await store.open([(other, assessed(other))])
    deadline = NOW.timestamp() + 3 * 3600
    await store.mark_decided(
        [
            PublishedDecision("SUB-CONSOLE", Outcome.REFERRED, b"{}", deadline_at=deadline),
            PublishedDecision(UNREADABLE, Outcome.REFERRED, b"{}", deadline_at=deadline + 60),
        ]
    )
    customs = await customs_service()
    customs_url = f"http://127.0.0.1:{customs.addresses[0][1]}"
    async with running_issuer() as provider:
        api = OfficerApi(publish, store, verifier_for(provider), RateLimit(50, 200), lambda: NOW)
        http_app = make_app(api)
        desk = console.Console(
            api, documents, audit, provider.url, provider.url, bootstrap_servers, customs_url
        )
        http_app.add_subapp("/console", console.make_app(desk))
        runner = web.AppRunner(http_app, access_log=None)
        await runner.setup()
        await web.TCPSite(runner, "127.0.0.1", 0).start()
        base = f"http://127.0.0.1:{runner.addresses[0][1]}"
        provider.callback = f"{base}/console/callback"
        jar = aiohttp.CookieJar(unsafe=True)  # cookies on 127.0.0.1, as a browser keeps them
        async with aiohttp.ClientSession(cookie_jar=jar) as http:
            yield base, http, provider, published, audit
        await runner.cleanup()
    await customs.cleanup()


async def sign_in(http: aiohttp.ClientSession, base: str, username: str, password: str) -> str:
    async with http.get(f"{base}/console/login") as page:
        html = await page.text()
    action = re.search(r'<form method="post" action="([^"]+)"', html)
    fields = dict(re.findall(r'name="(redirect_uri|state)" value="([^"]*)"', html))
    assert action is not None and set(fields) == {"redirect_uri", "state"}
    form = {**fields, "username": username, "password": password}
    async with http.post(action.group(1), data=form) as landed:
        return await landed.text()


def csrf_of(html: str) -> str:
    found = re.search(r'name="csrf" value="([0-9a-f]{64})"', html)
    assert found is not None
    return found.group(1)


async def test_pages_need_a_session_and_send_the_browser_to_sign_in(site):
    base, http, _, _, audit = site
    for path in ("/console/", "/console/applications/SUB-CONSOLE", "/console/dead-letters"):
        async with http.get(f"{base}{path}", allow_redirects=False) as response:
            assert response.status == 303 and response.headers["Location"] == "/console/login"
    assert audit.events == []


async def test_sign_in_sets_a_strict_httponly_session_and_shows_the_queue(site):
    base, http, _, _, _ = site
    async with http.get(f"{base}/console/login") as page:
        assert "Content-Security-Policy" in page.headers
        state = re.search(r'name="state" value="([^"]+)"', await page.text())
    assert state is not None
    landed = await sign_in(http, base, "ayu", idp.ACCOUNTS["ayu"].password)
    assert "Berhasil masuk" in landed and "Signed in" in landed
    [cookie] = [c for c in http.cookie_jar if c.key == "insw_console"]
    assert cookie["httponly"] and cookie["samesite"] == "Strict" and cookie["path"] == "/console"
    async with http.get(f"{base}/console/") as queue:
        html = await queue.text()
    assert "SUB-CONSOLE" in html and "3 h 00 m" in html and "Antrean rujukan" in html
    # An application the key ring cannot open keeps its line; the queue stays readable.
    assert f'data-submission="{UNREADABLE}"' in html


async def test_a_wrong_password_signs_nobody_in(site):
    base, http, _, _, _ = site
    landed = await sign_in(http, base, "ayu", "not-the-password")
    assert 'id="login-failed"' in landed
    assert not [c for c in http.cookie_jar if c.key == "insw_console"]


async def test_an_account_without_the_officer_role_sees_no_queue(site):
    base, http, _, _, _ = site
    landed = await sign_in(http, base, "citra", idp.ACCOUNTS["citra"].password)
    assert 'id="forbidden"' in landed
    async with http.get(f"{base}/console/", allow_redirects=False) as response:
        assert response.status in (303, 403)


async def test_every_view_of_personal_data_is_audited(site):
    base, http, _, _, audit = site
    await sign_in(http, base, "ayu", idp.ACCOUNTS["ayu"].password)
    async with http.get(f"{base}/console/applications/SUB-CONSOLE") as page:
        html = await page.text()
        assert page.headers["Cache-Control"] == "no-store"
    assert "R13" in html and "Keputusan dalam 1x24 jam" in html and "Decision within" in html
    async with http.get(f"{base}/console/applications/SUB-CONSOLE/power-of-attorney") as doc:
        assert await doc.read() == PDF
        assert doc.headers["Content-Disposition"].startswith("attachment")
    assert audit.events == [
        (OfficerAuditKind.VIEWED_APPLICATION, "officer-0001", "SUB-CONSOLE"),
        (OfficerAuditKind.DOWNLOADED_POWER_OF_ATTORNEY, "officer-0001", "SUB-CONSOLE"),
    ]


async def test_the_decide_form_needs_the_csrf_token_and_decides_as_the_signed_in_officer(site):
    base, http, _, published, _ = site
    await sign_in(http, base, "ayu", idp.ACCOUNTS["ayu"].password)
    async with http.get(f"{base}/console/applications/SUB-CONSOLE") as page:
        csrf = csrf_of(await page.text())
    url = f"{base}/console/applications/SUB-CONSOLE/decision"
    form = {"outcome": "REJECTED", "note": "Surat Kuasa tidak ditandatangani"}
    async with http.post(url, data=form) as forged:
        assert forged.status == 403
    assert published == []
    form = {**form, "csrf": csrf, "reason_codes": "POWER_OF_ATTORNEY_REFERENCE"}
    async with http.post(url, data=form, allow_redirects=False) as response:
        assert response.status == 303
        assert response.headers["Location"] == "/console/applications/SUB-CONSOLE?sent=1"
    [record] = published
    decision = ManualDecision.model_validate_json(record.value or b"")
    assert decision.officer_id == "officer-0001" and decision.outcome == "REJECTED"
    assert decision.reason_codes == ["POWER_OF_ATTORNEY_REFERENCE"]


async def test_a_dead_letter_is_listed_inspected_sealed_and_redriven_once(
    site, bootstrap_servers, unique_topic
):
    base, http, _, _, _ = site
    dlq_topic = unique_topic + ".dlq"
    await create_topics_async(bootstrap_servers, [unique_topic, dlq_topic], partitions=1)
    await publish(bootstrap_servers, [failed(unique_topic, 7)])
    await sign_in(http, base, "ayu", idp.ACCOUNTS["ayu"].password)
    async with http.get(f"{base}/console/dead-letters") as page:
        listing = await page.text()
    assert f"{dlq_topic}/0/0" in listing and "submitted_at: missing" in listing
    letter = f"{base}/console/dead-letters/{dlq_topic}/0/0"
    async with http.get(letter) as page:
        html = await page.text()
    assert 'id="redrive"' in html and "Siti" not in html  # the value stays sealed
    async with http.post(f"{letter}/redrive", data={"csrf": csrf_of(html)}) as page:
        html = await page.text()
    assert 'id="redrive"' not in html
    sent = await collect(bootstrap_servers, [unique_topic], bool, timeout=20)
    assert [r.key for r in sent] == [b"SUB-7"]


async def test_a_customs_application_shows_its_stage_and_working_day_deadlines(site):
    base, http, _, _, _ = site
    await sign_in(http, base, "ayu", idp.ACCOUNTS["ayu"].password)
    async with http.get(f"{base}/console/customs?submission_id=SUB-CUSTOMS") as page:
        html = await page.text()
    assert '<dd id="customs-stage">RECEIPTED</dd>' in html
    assert "<td>C7</td><td>2026-03-20</td>" in html and "hari kerja" in html
    async with http.get(f"{base}/console/customs?submission_id=SUB-NONE") as page:
        assert "has sent nothing" in await page.text()
