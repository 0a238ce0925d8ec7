"""Console sessions: the identity provider's token in a cookie, and CSRF tokens for forms.

Why the token itself: the session is exactly as good as the provider says,
expires when the token does, and needs no server-side store. The cookie is
``HttpOnly`` (no script reads it) and ``SameSite=Strict`` (no other site's
page sends it). Every form carries a CSRF token derived from the session
token, so a forged post without it is refused even if a browser sent the
cookie; an attacker who cannot read the cookie cannot compute it.
"""

import hashlib
import hmac
import secrets

from aiohttp import web

SESSION_COOKIE = "insw_console"
STATE_COOKIE = "insw_console_state"
PATH = "/console"


def session_token(request: web.Request) -> str | None:
    """The identity provider token of this browser's session, if any."""
    return request.cookies.get(SESSION_COOKIE) or None


def csrf_token(session: str) -> str:
    """The CSRF token of forms in ``session``."""
    return hashlib.sha256(b"insw-console-csrf\x00" + session.encode()).hexdigest()


def csrf_ok(session: str, sent: object) -> bool:
    """``sent`` is the session's CSRF token (compared in constant time)."""
    return isinstance(sent, str) and hmac.compare_digest(csrf_token(session), sent)


def new_state() -> str:
    """A fresh, unguessable ``state`` for one sign-in (ties the callback to this browser)."""
    return secrets.token_urlsafe(24)


def remember_state(response: web.StreamResponse, state: str, secure: bool) -> None:
    """Keep ``state`` in a short-lived cookie until the provider sends the browser back."""
    # Lax, not Strict: the provider's redirect back must carry it.
    response.set_cookie(
        STATE_COOKIE, state, max_age=600, path=PATH, httponly=True, samesite="Lax", secure=secure
    )


def state_ok(request: web.Request, sent: str) -> bool:
    """The callback's ``state`` is the one this browser started with."""
    mine = request.cookies.get(STATE_COOKIE, "")
    return bool(mine) and hmac.compare_digest(mine, sent)


def open_session(response: web.StreamResponse, token: str, max_age: int, secure: bool) -> None:
    """Keep ``token`` as this browser's session."""
    response.set_cookie(
        SESSION_COOKIE,
        token,
        max_age=max_age,
        path=PATH,
        httponly=True,
        samesite="Strict",
        secure=secure,
    )
    response.del_cookie(STATE_COOKIE, path=PATH)


def close_session(response: web.StreamResponse) -> None:
    """Forget this browser's session."""
    response.del_cookie(SESSION_COOKIE, path=PATH)
