"""End to end (issue 11 part 5): only an officer with a valid token decides a referral.

The whole hub runs as processes, with devstack's identity provider; the test
asks the provider for tokens like an officer's tool would, calls the gateway's
officer endpoint over HTTP and reads the decision from Kafka.
"""

import asyncio
import uuid

import aiohttp

from contracts import topics
from contracts.decision import RegistrationDecided
from devstack import issuer as idp
from tests.e2e.referrals import decisions_of, submit_referral
from tests.kafka_io import collect


async def token_for(http: aiohttp.ClientSession, issuer: str, username: str) -> str:
    form = {
        "grant_type": "password",
        "username": username,
        "password": idp.ACCOUNTS[username].password,
    }
    async with http.post(f"{issuer}/token", data=form) as reply:
        assert reply.status == 200
        return str((await reply.json())["access_token"])


async def test_r13_only_an_officer_with_a_valid_token_decides_and_is_named(stack):
    run = uuid.uuid4().hex[:8]
    payload, _ = await submit_referral(stack, run)
    sid = payload["submission_id"]
    officers = f"http://127.0.0.1:{stack.ports['officers']}"
    issuer = f"http://127.0.0.1:{stack.ports['issuer']}"
    url = f"{officers}/referrals/{sid}/decision"
    body = {"outcome": "APPROVED", "note": "Akta yayasan dan NPWP pengurus diperiksa"}
    async with aiohttp.ClientSession() as http:
        async with http.get(f"{officers}/referrals") as response:
            assert response.status == 401
        async with http.post(url, json=body) as response:
            assert response.status == 401
            assert (await response.json())["rule"] == "TOKEN_MISSING"
        wrong_role = await token_for(http, issuer, "citra")
        headers = {"Authorization": f"Bearer {wrong_role}"}
        async with http.post(url, json=body, headers=headers) as response:
            assert response.status == 403
            assert (await response.json())["rule"] == "ROLE_MISSING"

        # Neither refused call reached the hub: nothing but the referral is decided.
        await asyncio.sleep(2)
        records = await collect(
            stack.bootstrap_servers, [topics.REGISTRATION_DECIDED], lambda _: False, timeout=3
        )
        mine = [
            RegistrationDecided.model_validate_json(r.value).outcome
            for r in records
            if r.key == sid.encode()
        ]
        assert mine == ["REFERRED"]

        officer = await token_for(http, issuer, "ayu")
        headers = {"Authorization": f"Bearer {officer}"}
        async with http.get(f"{officers}/referrals", headers=headers) as response:
            queue = (await response.json())["referrals"]
        [line] = [r for r in queue if r["submission_id"] == sid]
        assert 0 < line["seconds_left"] <= 24 * 3600 and not line["overdue"]
        async with http.post(url, json=body, headers=headers) as response:
            assert response.status == 202
    [approved] = await decisions_of(stack, sid, "APPROVED")
    assert approved.decided_by == idp.ACCOUNTS["ayu"].subject
