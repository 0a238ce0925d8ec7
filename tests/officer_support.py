"""A local identity provider (devstack's issuer) over real HTTP, for the officer tests."""

from contextlib import asynccontextmanager

import aiohttp
from aiohttp import web

from devstack import issuer as idp
from gateway.officer_auth import IdentityProvider, TokenVerifier


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
