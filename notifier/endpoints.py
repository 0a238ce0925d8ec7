"""The account endpoints over HTTP (aiohttp), served inside the notifier process.

* ``GET  /accounts/password?token=…``: the page the email links to: a form, or
  "Token Expired" with the resend form;
* ``POST /accounts/password`` {token, password}: set the password (R18), use the token up;
* ``POST /accounts/{username}/activation-link``: a new link to the email on file (R19),
  rate limited, one answer whatever the username (:mod:`notifier.resend`);
* ``POST /accounts/activation-link`` {username}: the same, from the "Kirim Ulang Email"
  form of the Token Expired page (an HTML form cannot put the username in the path);
* ``POST /operator/accounts/{username}/email`` {email, operator_id}: operators only
  (``Authorization: Bearer`` the ``NOTIFIER_OPERATOR_TOKEN``; absent when it is
  unset), JSON only, written to the audit trail first: the one way to change the
  email on file (issue 11);
* ``GET  /health``.

Every refusal is JSON ``{"errors": [{code, rule, field, text_id, text_en}]}``,
the same shape as a decision's reasons. Access logs are off: the query string
of the page carries the token.
"""

import hmac
import html
import json
import logging
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from typing import Any

from aiohttp import web

from contracts.audit import AuditKind
from contracts.reasons import Reason, ReasonCode
from notifier.accounts import AccountError, Accounts, change_email
from notifier.resend import ANSWER, Resends
from notifier.store import ActivationStore, TokenStatus
from runtime import tracing
from runtime.audit import audit_event
from runtime.errors import TransientFailure
from runtime.rate_limit import RateLimits
from runtime.records import Outbound

log = logging.getLogger(__name__)

ACCOUNTS: web.AppKey[Accounts] = web.AppKey("accounts", Accounts)
RESENDS: web.AppKey[Resends] = web.AppKey("resends", Resends)


@dataclass(frozen=True)
class OperatorDesk:
    """What the operators' endpoint needs: their shared token, the store, the audit publisher."""

    token: str
    store: ActivationStore
    publish: Callable[[Sequence[Outbound]], Awaitable[None]]


OPERATORS: web.AppKey[OperatorDesk] = web.AppKey("operators", OperatorDesk)
NOT_AUTHORISED = ReasonCode(
    "NOT_AUTHORISED",
    "API",
    "Hanya operator INSW yang berwenang.",
    "Only an authorised INSW operator may do this.",
)

BODY_NOT_JSON = ReasonCode(
    "BODY_NOT_JSON",
    "API",
    "Isi permintaan harus berupa objek JSON.",
    "The request body must be a JSON object.",
)
FIELD_REQUIRED = ReasonCode(
    "FIELD_REQUIRED",
    "API",
    "Kolom ini wajib diisi (teks).",
    "This field is required (a string).",
)
UNAVAILABLE = ReasonCode(
    "SERVICE_UNAVAILABLE",
    "API",
    "Layanan sementara tidak tersedia; coba lagi nanti.",
    "The service is temporarily unavailable; try again later.",
)

HTTP_REFUSED = ReasonCode(
    "HTTP_REFUSED",
    "API",
    "Alamat atau metode permintaan tidak dilayani.",
    "This address or request method is not served.",
)
INTERNAL = ReasonCode(
    "INTERNAL",
    "API",
    "Kesalahan internal; coba lagi nanti.",
    "Internal error; try again later.",
)


def _errors(
    status: int, reasons: list[Reason], headers: dict[str, str] | None = None
) -> web.Response:
    return web.json_response(
        {"errors": [r.model_dump() for r in reasons]},
        status=status,
        dumps=_dumps,
        headers=headers,
    )


def _dumps(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False)


async def _fields(request: web.Request, names: tuple[str, ...]) -> dict[str, str]:
    """The named string fields of a JSON (or HTML form) body, or an :class:`AccountError`."""
    body: Any
    try:  # both raise ValueError (UnicodeDecodeError too) on bytes that are not their format
        if request.content_type == "application/x-www-form-urlencoded":
            body = dict(await request.post())
        else:
            body = await request.json()
    except ValueError:
        body = None
    if not isinstance(body, dict):
        raise AccountError(400, [BODY_NOT_JSON.at("<body>")])
    missing = [n for n in names if not isinstance(body.get(n), str) or not body[n]]
    if missing:
        raise AccountError(400, [FIELD_REQUIRED.at(name) for name in missing])
    return {name: body[name] for name in names}


async def set_password(request: web.Request) -> web.Response:
    """``POST /accounts/password``."""
    fields = await _fields(request, ("token", "password"))
    username = await request.app[ACCOUNTS].set_password(fields["token"], fields["password"])
    return web.json_response({"username": username, "activated": True})


async def resend_link(request: web.Request) -> web.Response:
    """``POST /accounts/{username}/activation-link``: see :mod:`notifier.resend`."""
    await request.app[RESENDS].request(request.match_info["username"], request.remote or "")
    return web.json_response(ANSWER, status=202, dumps=_dumps)


async def resend_link_form(request: web.Request) -> web.Response:
    """``POST /accounts/activation-link``: the expired page's resend form (R19, manual §6.2).

    A form post gets a page back (the applicant is in a browser); a JSON post
    gets the same JSON as the path form. The new link goes to the email on
    file, never to an address typed here; the answer never tells whether the
    username exists (:mod:`notifier.resend`).
    """
    fields = await _fields(request, ("username",))
    # The same rate limits and the same answer whatever the username as the path form.
    await request.app[RESENDS].request(fields["username"], request.remote or "")
    if request.content_type != "application/x-www-form-urlencoded":
        return web.json_response(ANSWER, status=202, dumps=_dumps)
    body = (
        "<h1>Permintaan diterima / Request received</h1><p>Jika akun ini menunggu password, "
        "tautan baru dikirim ke alamat email yang terdaftar. / If this account is waiting for "
        "its password, a new link goes to the registered email address.</p>"
    )
    return _page(body, status=202)


RESEND_FORM = (
    '<form method="post" action="/accounts/activation-link">'
    '<label for="username">Username</label>'
    '<input id="username" name="username" required pattern="[0-9A-F]{6}" maxlength="6" '
    'autocomplete="username">'
    '<button type="submit">Kirim Ulang Email / Resend Email</button></form>'
)
"""Manual §6.2: on "Token Expired" the applicant uses "Kirim Ulang Email" to get a new link."""


def _page(body: str, status: int = 200) -> web.Response:
    page = f'<!doctype html><html lang="id"><body>{body}</body></html>'
    return web.Response(text=page, content_type="text/html", status=status)


async def change_email_on_file(request: web.Request) -> web.Response:
    """``POST /operator/accounts/{username}/email``: authenticated, audited, JSON only."""
    desk = request.app[OPERATORS]
    given = request.headers.get("Authorization", "")
    if not hmac.compare_digest(given.encode(), f"Bearer {desk.token}".encode()):
        raise AccountError(401, [NOT_AUTHORISED.at("Authorization")])
    if request.content_type != "application/json":
        raise AccountError(415, [BODY_NOT_JSON.at("<body>")])
    fields = await _fields(request, ("email", "operator_id"))
    username = request.match_info["username"]
    event = audit_event(
        AuditKind.ACCOUNT_EMAIL_CHANGED,
        username,
        actor=fields["operator_id"][:100],
        cause=None,
        details={"username": username[:6], "action": "change-email"},
    )
    await desk.publish([event])  # recorded before it happens: never an unaudited change
    await change_email(desk.store, username, fields["email"])
    return web.json_response({"username": username, "changed": True})


async def password_page(request: web.Request) -> web.Response:
    """``GET /accounts/password?token=…``: where the email's link lands."""
    token = request.query.get("token", "")
    status = await request.app[ACCOUNTS].token_status(token)
    if status is TokenStatus.VALID:
        body = (
            "<h1>Pasang password / Set your password</h1>"
            '<form method="post" action="/accounts/password">'
            f'<input type="hidden" name="token" value="{html.escape(token)}">'
            '<input type="password" name="password" required minlength="6">'
            '<button type="submit">Simpan / Save</button></form>'
            "<p>Minimal 6 karakter, 1 simbol, 1 angka, 1 huruf kapital. / At least 6 "
            "characters, one symbol, one digit, one capital letter.</p>"
        )
    else:
        body = (
            "<h1>Token Expired</h1><p>Tautan ini tidak berlaku lagi. Gunakan Kirim Ulang Email "
            "dengan username Anda: tautan baru dikirim ke alamat email yang sama. / This link "
            "no longer works. Use Resend Email with your username: a new link goes to "
            "the same email address.</p>" + RESEND_FORM
        )
    return _page(body)


async def health(_: web.Request) -> web.Response:
    """``GET /health``: the process serves HTTP."""
    return web.json_response({"status": "ok"})


@web.middleware
async def _refusals(request: web.Request, handler: Any) -> web.StreamResponse:
    """Turn refusals and outages into the JSON error shape; never echo input."""
    try:
        response: web.StreamResponse = await handler(request)
    except AccountError as error:
        return _errors(error.status, error.reasons, error.headers)
    except TransientFailure as error:
        log.warning("%s %s: unavailable (%s)", request.method, request.path, type(error).__name__)
        return _errors(503, [UNAVAILABLE.at("<service>")], {"Retry-After": "5"})
    except web.HTTPException as error:  # aiohttp's own 404/405/413: same shape, same status
        if error.status < 400:
            raise
        return _errors(error.status, [HTTP_REFUSED.at("<request>")])
    except Exception as error:  # a bug: answer in shape, log the class only, never input
        log.error("%s %s: unexpected %s", request.method, request.path, type(error).__name__)
        return _errors(500, [INTERNAL.at("<service>")])
    return response


def make_app(
    accounts: Accounts, limits: RateLimits, operators: OperatorDesk | None = None
) -> web.Application:
    """The aiohttp application for the account endpoints (the operators' one when given)."""
    app = web.Application(middlewares=[tracing.middleware, _refusals], client_max_size=64 * 1024)
    app[ACCOUNTS] = accounts
    resends = app[RESENDS] = Resends(accounts, limits)

    async def drain(_: web.Application) -> None:
        await resends.drain()

    app.on_shutdown.append(drain)
    if operators is not None:
        app[OPERATORS] = operators
        app.router.add_post("/operator/accounts/{username}/email", change_email_on_file)
    app.router.add_get("/health", health)
    app.router.add_get("/accounts/password", password_page)
    app.router.add_post("/accounts/password", set_password)
    app.router.add_post("/accounts/activation-link", resend_link_form)
    app.router.add_post("/accounts/{username}/activation-link", resend_link)
    return app


class HttpServer:
    """Starts and stops the account endpoints with the service's lifecycle."""

    def __init__(self, app: web.Application, host: str, port: int) -> None:
        self._runner = web.AppRunner(app, access_log=None)
        self._host = host
        self._port = port

    async def start(self) -> None:
        """Listen on ``host:port``."""
        await self._runner.setup()
        await web.TCPSite(self._runner, self._host, self._port).start()
        log.info("account endpoints on http://%s:%d", self._host, self._port)

    async def stop(self) -> None:
        """Stop listening and close open connections."""
        await self._runner.cleanup()
