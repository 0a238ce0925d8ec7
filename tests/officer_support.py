"""A local identity provider (devstack's issuer) over real HTTP, for the officer tests."""

from contextlib import asynccontextmanager
from datetime import datetime

import aiohttp
from aiohttp import web

from devstack import issuer as idp
from gateway.officer_api import OfficerApi, make_app
from gateway.officer_auth import IdentityProvider, TokenVerifier
from gateway.ratelimit import RateLimit


@asynccontextmanager
async def running_issuer(console_url: str = "http://127.0.0.1:1"):
    """An issuer on a free port; yields it with its URL set to where it listens."""
    provider = idp.Issuer("http://placeholder", console_url)
    runner = web.AppRunner(idp.make_app(provider), access_log=None)
    await runner.setup()
    await web.TCPSite(runner, "127.0.0.1", 0).start()
    provider.url = f"http://127.0.0.1:{runner.addresses[0][1]}"
    try:
        yield provider
    finally:
        await runner.cleanup()


def verifier_for(provider: idp.Issuer) -> TokenVerifier:
    """A verifier trusting ``provider``'s JWKS, as the gateway is configured."""
    return TokenVerifier(
        IdentityProvider(provider.url, f"{provider.url}/.well-known/jwks.json", idp.AUDIENCE)
    )


async def password_token(http: aiohttp.ClientSession, url: str, username: str) -> str:
    """A token for test account ``username`` through the provider's token endpoint."""
    form = {
        "grant_type": "password",
        "username": username,
        "password": idp.ACCOUNTS[username].password,
    }
    async with http.post(f"{url}/token", data=form) as reply:
        assert reply.status == 200, await reply.text()
        return str((await reply.json())["access_token"])


def auth(token: str) -> dict[str, str]:
    """The ``Authorization`` header carrying ``token``."""
    return {"Authorization": f"Bearer {token}"}


async def problem_of(response: aiohttp.ClientResponse) -> dict:
    """The RFC 9457 problem body of ``response``, checked for its shape."""
    assert response.content_type == "application/problem+json"
    body: dict = await response.json()
    assert body["status"] == response.status and body["type"].startswith("https://")
    return body


def forged_token(provider: idp.Issuer, username: str = "ayu") -> str:
    """A token for ``username`` from the same issuer name and key id, signed by another key."""
    impostor = idp.Issuer(provider.url, "http://127.0.0.1:1")
    impostor.kid = provider.kid
    return impostor.token(idp.ACCOUNTS[username])


@asynccontextmanager
async def running_officer_api(publish, store, now: datetime):
    """The officers' API over HTTP on a free port, trusting a running issuer.

    Yields its base URL, a client session, a token per test account, and the issuer.
    """
    async with running_issuer() as provider:
        desk = OfficerApi(
            publish, store, verifier_for(provider), RateLimit(5, 40), clock=lambda: now
        )
        runner = web.AppRunner(make_app(desk), access_log=None)
        await runner.setup()
        await web.TCPSite(runner, "127.0.0.1", 0).start()
        base = f"http://127.0.0.1:{runner.addresses[0][1]}"
        try:
            async with aiohttp.ClientSession() as http:
                tokens = {n: await password_token(http, provider.url, n) for n in idp.ACCOUNTS}
                yield base, http, tokens, provider
        finally:
            await runner.cleanup()
