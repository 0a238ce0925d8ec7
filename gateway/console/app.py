"""The console's routes: sign-in through the identity provider, the queue, one application,
decisions, dead letters and a customs application's lifecycle.

Every page but the sign-in ones needs a session whose token grants role
``officer``; without one the browser is sent to sign in, with the wrong role
it gets a 403 page. Every form post needs the session's CSRF token. Pages are
``no-store`` and carry a Content-Security-Policy that allows nothing but this
origin's stylesheet and the provider as a form target.
"""

import asyncio
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from importlib.resources import files
from pathlib import Path
from typing import Any, Protocol
from urllib.parse import quote

import aiohttp
import jinja2
from aiohttp import web
from pydantic import ValidationError

from contracts.customs import CustomsApplicationStatus
from contracts.referral import OfficerAuditKind
from contracts.registration import RegistrationSubmitted
from contracts.rules import RULES
from gateway.console import dead_letters, pages, session
from gateway.console.audit import Audit
from gateway.officer_api import OfficerApi
from gateway.officer_auth import ROLE_OFFICER, AuthRefused, Officer
from gateway.problems import Refused
from runtime.documents import StoredDocument
from runtime.sealing import SealBroken

log = logging.getLogger(__name__)

STATIC = Path(str(files("gateway.console").joinpath("static")))
"""The stylesheet, shipped as package data: nothing is fetched from elsewhere."""

TEMPLATES = jinja2.Environment(
    loader=jinja2.PackageLoader("gateway.console", "templates"),
    autoescape=jinja2.select_autoescape(["html"]),
    undefined=jinja2.StrictUndefined,
)
TEMPLATES.filters["clock"] = pages.clock_text
TEMPLATES.filters["when"] = pages.when
TEMPLATES.globals["rule_titles"] = {s.rule: (s.title_id, s.title_en) for s in RULES}


class Documents(Protocol):
    """The document store as the console reads it."""

    async def describe(self, document_ids: list[str]) -> list[StoredDocument | None]:
        """Digest, size and media type of each document."""

    async def content(self, document_id: str) -> bytes | None:
        """The document's bytes."""


@dataclass
class Console:
    """What the console needs: the officer desk, documents, the audit port, where things are."""

    api: OfficerApi
    documents: Documents
    audit: Audit
    issuer_url: str
    """The identity provider as the gateway reaches it (code exchange)."""
    issuer_public_url: str
    """The identity provider as an officer's browser reaches it (sign-in form)."""
    bootstrap: str
    customs_url: str | None = None
    http: aiohttp.ClientSession | None = field(default=None, repr=False)


CONSOLE: web.AppKey[Console] = web.AppKey("console", Console)
OFFICER: web.RequestKey[Officer] = web.RequestKey("officer", Officer)
Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


def render(request: web.Request, name: str, code: int = 200, **context: Any) -> web.Response:
    """A page from ``templates/name`` with the session's CSRF token."""
    token = session.session_token(request)
    html = TEMPLATES.get_template(name).render(
        csrf=session.csrf_token(token) if token else "",
        officer=request.get(OFFICER),
        **context,
    )
    return web.Response(text=html, status=code, content_type="text/html")


@web.middleware
async def guard(request: web.Request, handler: Handler) -> web.StreamResponse:
    """Sign-in for every page but the sign-in ones, CSRF for every post, safe headers on all."""
    console = request.app[CONSOLE]
    if request.match_info.route.name not in {"login", "callback", "static"}:
        try:
            officer = await console.api.officer(session.session_token(request), ROLE_OFFICER)
        except AuthRefused as refusal:
            if refusal.status == 401:
                raise web.HTTPSeeOther("/console/login") from None
            return _secured(render(request, "message.html", 403, kind="forbidden"), console)
        request[OFFICER] = officer
        if request.method == "POST":
            form = await request.post()
            if not session.csrf_ok(session.session_token(request) or "", form.get("csrf")):
                page = render(request, "message.html", 403, kind="csrf")
                return _secured(page, console)
    response = await handler(request)
    return _secured(response, console)


def _secured(response: web.StreamResponse, console: Console) -> web.StreamResponse:
    response.headers["Content-Security-Policy"] = (
        "default-src 'none'; style-src 'self'; img-src 'self'; "
        f"form-action 'self' {console.issuer_public_url}; frame-ancestors 'none'; base-uri 'none'"
    )
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Referrer-Policy"] = "no-referrer"
    response.headers.setdefault("Cache-Control", "no-store")
    return response


def _callback_url(request: web.Request) -> str:
    return f"{request.scheme}://{request.host}/console/callback"


async def login(request: web.Request) -> web.Response:
    """The sign-in page: a form that posts the credentials to the identity provider."""
    console = request.app[CONSOLE]
    state = session.new_state()
    response = render(
        request,
        "login.html",
        issuer=console.issuer_public_url,
        redirect_uri=_callback_url(request),
        state=state,
        failed=request.query.get("failed") == "1",
    )
    session.remember_state(response, state, secure=request.secure)
    return response


async def callback(request: web.Request) -> web.Response:
    """Back from the provider: exchange the code, check the token, open the session."""
    console = request.app[CONSOLE]
    if not session.state_ok(request, request.query.get("state", "")):
        return render(request, "message.html", 400, kind="state")
    code = request.query.get("code")
    if not code:
        raise web.HTTPSeeOther("/console/login?failed=1")
    assert console.http is not None  # opened on startup
    form = {
        "grant_type": "authorization_code",
        "code": code,
        "redirect_uri": _callback_url(request),
    }
    async with console.http.post(f"{console.issuer_url}/token", data=form) as reply:
        if reply.status != 200:
            raise web.HTTPSeeOther("/console/login?failed=1")
        issued = await reply.json()
    token = str(issued.get("access_token", ""))
    try:
        await console.api.officer(token, ROLE_OFFICER)
    except AuthRefused:
        return render(request, "message.html", 403, kind="forbidden")
    # A page, not a redirect: the next request starts on this origin, so the Strict cookie goes.
    response = render(request, "message.html", kind="signed-in")
    session.open_session(response, token, int(issued.get("expires_in", 900)), request.secure)
    return response


async def logout(request: web.Request) -> web.Response:
    """Forget the session."""
    response = web.HTTPSeeOther("/console/login")
    session.close_session(response)
    raise response


async def queue(request: web.Request) -> web.Response:
    """The referred applications, soonest deadline first, with their 24-hour clocks."""
    api = request.app[CONSOLE].api
    referrals = await api.queue()
    ids = [r.submission_id for r in referrals]
    try:
        states = await api.store.load(ids)
        found = [state.submission if state else None for state in states]
    except SealBroken:
        found = [await _submission(api, sid) for sid in ids]
    return render(request, "queue.html", rows=list(zip(referrals, found, strict=True)))


async def _submission(api: OfficerApi, sid: str) -> RegistrationSubmitted | None:
    """The submission of one queued application, ``None`` when it cannot be read.

    One at a time, once a batch failed: an application sealed under a retired
    key leaves a line without details instead of hiding the whole queue.
    """
    try:
        [state] = await api.store.load([sid])
    except SealBroken:
        log.warning("a queued application cannot be opened with the key ring")
        return None
    return state.submission if state else None


async def application(request: web.Request) -> web.Response:
    """One application: submission, agency answers, rules, Surat Kuasa, decide form."""
    console = request.app[CONSOLE]
    sid = request.match_info["submission_id"]
    officer = request[OFFICER]
    [state] = await console.api.store.load([sid])
    if state is None:
        return render(request, "message.html", 404, kind="unknown")
    await console.audit.record(OfficerAuditKind.VIEWED_APPLICATION, officer.subject, sid)
    [final] = await console.api.store.final_decisions([sid]) if state.final else [None]
    return render(
        request,
        "application.html",
        page=pages.application_page(state, console.api.clock(), final),
        reasons=pages.rejection_reasons(),
        sent=request.query.get("sent") == "1",
        error=None,
    )


async def power_of_attorney(request: web.Request) -> web.Response:
    """The Surat Kuasa as a download (R11); recorded before it is sent."""
    console = request.app[CONSOLE]
    sid = request.match_info["submission_id"]
    [state] = await console.api.store.load([sid])
    document = state.submission.attachments.power_of_attorney if state else None
    if document is None or not document.document_id:
        return render(request, "message.html", 404, kind="unknown")
    [stored] = await console.documents.describe([document.document_id])
    content = await console.documents.content(document.document_id)
    if stored is None or content is None:
        return render(request, "message.html", 404, kind="unknown")
    officer = request[OFFICER]
    await console.audit.record(OfficerAuditKind.DOWNLOADED_POWER_OF_ATTORNEY, officer.subject, sid)
    return web.Response(
        body=content,
        content_type=stored.media_type,
        headers={"Content-Disposition": f'attachment; filename="surat-kuasa-{quote(sid)}.pdf"'},
    )


async def decide(request: web.Request) -> web.Response:
    """The decide form: approve, or reject with catalogue reasons; same road as the API."""
    console = request.app[CONSOLE]
    sid = request.match_info["submission_id"]
    form = await request.post()
    body = {
        "outcome": str(form.get("outcome", "")),
        "note": str(form.get("note", "")).strip(),
        "reason_codes": [str(code) for code in form.getall("reason_codes", [])],
    }
    try:
        await console.api.decide(request[OFFICER], sid, body)
    except Refused as refusal:
        [state] = await console.api.store.load([sid])
        if state is None:
            return render(request, "message.html", 404, kind="unknown")
        return render(
            request,
            "application.html",
            refusal.status,
            page=pages.application_page(state, console.api.clock()),
            reasons=pages.rejection_reasons(),
            sent=False,
            error=refusal,
        )
    raise web.HTTPSeeOther(f"/console/applications/{quote(sid)}?sent=1")


async def dead_letter_list(request: web.Request) -> web.Response:
    """Every dead-letter topic, its counts and newest letters."""
    report = await dead_letters.overview(request.app[CONSOLE].bootstrap)
    return render(request, "dead_letters.html", report=report)


def _coordinates(request: web.Request) -> tuple[str, int, int]:
    info = request.match_info
    try:
        return info["topic"], int(info["partition"]), int(info["offset"])
    except ValueError:
        raise web.HTTPNotFound() from None


async def dead_letter(request: web.Request) -> web.Response:
    """One dead letter: every header, the value still sealed."""
    topic, partition, offset = _coordinates(request)
    report = await dead_letters.inspect(request.app[CONSOLE].bootstrap, topic, partition, offset)
    return render(
        request, "dead_letter.html", letter=report, topic=topic, partition=partition, offset=offset
    )


async def redrive(request: web.Request) -> web.Response:
    """Send one dead letter back to its topic, once."""
    topic, partition, offset = _coordinates(request)
    await dead_letters.redrive_one(request.app[CONSOLE].bootstrap, topic, partition, offset)
    raise web.HTTPSeeOther(f"/console/dead-letters/{quote(topic)}/{partition}/{offset}")


async def customs(request: web.Request) -> web.Response:
    """A customs application's lifecycle and its working-day deadlines (PER-21, C16)."""
    console = request.app[CONSOLE]
    sid = request.query.get("submission_id", "").strip()
    status: CustomsApplicationStatus | None = None
    missing = False
    if sid and console.customs_url and console.http is not None:
        url = f"{console.customs_url}/applications/{quote(sid, safe='')}"
        # The customs view asks for an officer's token: the signed-in officer's own.
        officer = {"Authorization": f"Bearer {session.session_token(request) or ''}"}
        async with console.http.get(url, headers=officer) as reply:
            if reply.status == 200:
                try:
                    status = CustomsApplicationStatus.model_validate_json(await reply.read())
                except ValidationError:
                    log.warning("customs answered an unreadable status for a submission")
            missing = status is None
    return render(
        request,
        "customs.html",
        sid=sid,
        status=status,
        missing=missing,
        configured=console.customs_url is not None,
    )


def make_app(console: Console) -> web.Application:
    """The console as an aiohttp sub-application (mounted at ``/console``)."""
    app = web.Application(middlewares=[guard])
    app[CONSOLE] = console

    async def open_http(_: web.Application) -> None:
        console.http = aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=10))

    async def close_http(_: web.Application) -> None:
        if console.http is not None:
            await console.http.close()
            await asyncio.sleep(0)

    app.on_startup.append(open_http)
    app.on_cleanup.append(close_http)
    app.router.add_get("/login", login, name="login")
    app.router.add_get("/callback", callback, name="callback")
    app.router.add_post("/logout", logout)
    app.router.add_get("/", queue)
    app.router.add_get("/applications/{submission_id}", application)
    app.router.add_get("/applications/{submission_id}/power-of-attorney", power_of_attorney)
    app.router.add_post("/applications/{submission_id}/decision", decide)
    app.router.add_get("/dead-letters", dead_letter_list)
    app.router.add_get("/dead-letters/{topic}/{partition}/{offset}", dead_letter)
    app.router.add_post("/dead-letters/{topic}/{partition}/{offset}/redrive", redrive)
    app.router.add_get("/customs", customs)
    app.router.add_static("/static", STATIC, name="static")
    return app
