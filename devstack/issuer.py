"""``python -m devstack.issuer``: a local stand-in for the INSW identity provider (a tool).

Why: officers authenticate with JWTs the gateway verifies against the
provider's JWKS (issue 11); the developer stack and the tests need a provider
that behaves like one without the real INSW SSO. OIDC-ish, not OIDC:

* ``GET /.well-known/openid-configuration`` and ``GET /.well-known/jwks.json``;
* ``POST /login`` (form: ``username``, ``password``, ``redirect_uri``,
  ``state``), the target of the console's sign-in page: redirects to the
  console's callback with a one-time code (60 s), or with ``error``;
* ``POST /token`` (form): ``grant_type=authorization_code`` (the console
  exchanges its code) or ``grant_type=password`` (scripts and tests).

The RS256 key pair is generated when the process starts, so every stack has
its own and a token of one stack means nothing to another. The accounts are
test accounts with published passwords: development only; production points
``OFFICER_ISSUER_URL`` at the real provider.
"""

import argparse
import asyncio
import hmac
import json
import secrets
import signal
import time
from dataclasses import dataclass

import jwt
from aiohttp import web
from cryptography.hazmat.primitives.asymmetric import rsa

from runtime.ops import health

AUDIENCE = "insw-officer-desk"
TOKEN_SECONDS = 3600
CODE_SECONDS = 60
CALLBACK_PATH = "/console/callback"


@dataclass(frozen=True)
class Account:
    """A test officer: the password, the subject tokens carry, its name and roles."""

    password: str
    subject: str
    name: str
    roles: tuple[str, ...]


ACCOUNTS = {
    "ayu": Account("ayu-dev-password", "officer-0001", "Ayu Lestari", ("officer",)),
    "bima": Account("bima-dev-password", "officer-0002", "Bima Saputra", ("officer", "supervisor")),
    "citra": Account("citra-dev-password", "auditor-0003", "Citra Dewi", ("auditor",)),
    "portal": Account("portal-dev-password", "integrator-0004", "Portal Mitra", ("integrator",)),
}
"""Test accounts: ``ayu`` decides, ``bima`` also supervises, ``citra`` has no officer role,
``portal`` is a partner portal's integrator account (reads customs statuses, decides nothing)."""


class Issuer:
    """Signs officers' tokens with a key pair of its own and publishes the public half."""

    def __init__(self, url: str, console_url: str, accounts: dict[str, Account] = ACCOUNTS) -> None:
        self.url = url.rstrip("/")
        self.callback = console_url.rstrip("/") + CALLBACK_PATH
        self.accounts = accounts
        self._key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        self.kid = secrets.token_hex(8)
        self._codes: dict[str, tuple[str, float]] = {}

    def jwks(self) -> dict[str, object]:
        """The public key set (JWKS)."""
        public = json.loads(jwt.algorithms.RSAAlgorithm.to_jwk(self._key.public_key()))
        return {"keys": [{**public, "kid": self.kid, "use": "sig", "alg": "RS256"}]}

    def check(self, username: str, password: str) -> Account | None:
        """The account these credentials open, compared in constant time."""
        account = self.accounts.get(username)
        if account is None or not hmac.compare_digest(account.password, password):
            return None
        return account

    def token(self, account: Account) -> str:
        """A signed access token for ``account``."""
        now = int(time.time())
        claims = {
            "iss": self.url,
            "aud": AUDIENCE,
            "sub": account.subject,
            "name": account.name,
            "roles": list(account.roles),
            "iat": now,
            "exp": now + TOKEN_SECONDS,
            "jti": secrets.token_hex(8),
        }
        return jwt.encode(claims, self._key, algorithm="RS256", headers={"kid": self.kid})

    def code_for(self, account: Account) -> str:
        """A one-time code the console exchanges for a token."""
        code = secrets.token_urlsafe(24)
        self._codes[code] = (account.subject, time.monotonic() + CODE_SECONDS)
        return code

    def redeem(self, code: str) -> Account | None:
        """The account a fresh, unused code was issued for; the code is used up."""
        subject, until = self._codes.pop(code, ("", 0.0))
        if time.monotonic() > until:
            return None
        return next((a for a in self.accounts.values() if a.subject == subject), None)


ISSUER: web.AppKey[Issuer] = web.AppKey("issuer", Issuer)


async def discovery(request: web.Request) -> web.Response:
    """``GET /.well-known/openid-configuration``."""
    url = request.app[ISSUER].url
    return web.json_response(
        {
            "issuer": url,
            "jwks_uri": f"{url}/.well-known/jwks.json",
            "token_endpoint": f"{url}/token",
            "authorization_endpoint": f"{url}/login",
            "id_token_signing_alg_values_supported": ["RS256"],
        }
    )


async def jwks(request: web.Request) -> web.Response:
    """``GET /.well-known/jwks.json``."""
    return web.json_response(request.app[ISSUER].jwks())


async def login(request: web.Request) -> web.Response:
    """``POST /login``: credentials from the console's sign-in page; back with a code."""
    issuer = request.app[ISSUER]
    form = await request.post()
    if str(form.get("redirect_uri", "")) != issuer.callback:
        return web.json_response({"error": "invalid_request"}, status=400)
    state = str(form.get("state", ""))
    account = issuer.check(str(form.get("username", "")), str(form.get("password", "")))
    if account is None:
        raise web.HTTPSeeOther(f"{issuer.callback}?error=access_denied&state={state}")
    raise web.HTTPSeeOther(f"{issuer.callback}?code={issuer.code_for(account)}&state={state}")


async def token(request: web.Request) -> web.Response:
    """``POST /token``: an access token for a code or for credentials."""
    issuer = request.app[ISSUER]
    form = await request.post()
    grant = form.get("grant_type")
    if grant == "authorization_code":
        account = (
            issuer.redeem(str(form.get("code", "")))
            if form.get("redirect_uri") == issuer.callback
            else None
        )
    elif grant == "password":
        account = issuer.check(str(form.get("username", "")), str(form.get("password", "")))
    else:
        return web.json_response({"error": "unsupported_grant_type"}, status=400)
    if account is None:
        return web.json_response({"error": "invalid_grant"}, status=400)
    return web.json_response(
        {"access_token": issuer.token(account), "token_type": "Bearer", "expires_in": TOKEN_SECONDS}
    )


def make_app(issuer: Issuer) -> web.Application:
    """The issuer's HTTP application."""
    app = web.Application()
    app[ISSUER] = issuer
    app.router.add_get("/.well-known/openid-configuration", discovery)
    app.router.add_get("/.well-known/jwks.json", jwks)
    app.router.add_post("/login", login)
    app.router.add_post("/token", token)
    app.router.add_get("/health", health)
    return app


async def serve(host: str, port: int, issuer: Issuer) -> None:
    """Serve until SIGINT or SIGTERM."""
    runner = web.AppRunner(make_app(issuer), access_log=None)
    await runner.setup()
    await web.TCPSite(runner, host, port).start()
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)
    print(f"issuer: {issuer.url} (key {issuer.kid})", flush=True)
    await stop.wait()
    await runner.cleanup()


def main() -> None:
    """``--host``, ``--port``; ``ISSUER_URL`` and ``CONSOLE_URL`` from the environment."""
    import os

    parser = argparse.ArgumentParser(prog="python -m devstack.issuer")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8190)
    args = parser.parse_args()
    url = os.environ.get("ISSUER_URL", f"http://127.0.0.1:{args.port}")
    console = os.environ.get("CONSOLE_URL", "http://127.0.0.1:8180")
    asyncio.run(serve(args.host, args.port, Issuer(url, console)))


if __name__ == "__main__":
    main()
