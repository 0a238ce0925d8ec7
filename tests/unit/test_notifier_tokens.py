"""R14, R16, R19: confirmation tokens are random, single use, expiring and stored as hashes."""

from datetime import UTC, datetime, timedelta
from urllib.parse import parse_qs, urlsplit

from notifier.store import TokenStatus
from notifier.store_memory import MemoryActivationStore
from notifier.tokens import Tokens, new_token, token_hash


class Clock:
    def __init__(self) -> None:
        self.now = datetime(2026, 11, 21, 3, 0, tzinfo=UTC)

    def __call__(self) -> datetime:
        return self.now


def make(ttl=timedelta(hours=24)):
    store, clock = MemoryActivationStore(), Clock()
    tokens = Tokens(store, base_url="https://insw.example/", ttl=ttl, clock=clock)
    return tokens, store, clock


def token_of(url: str) -> str:
    return parse_qs(urlsplit(url).query)["token"][0]


def test_r14_tokens_are_random_and_long():
    seen = {new_token() for _ in range(200)}
    assert len(seen) == 200 and all(len(t) == 43 for t in seen)


async def test_r14_link_points_to_the_password_page_and_only_the_hash_is_stored():
    tokens, store, clock = make()
    link = await tokens.issue("4C7ADA", "budi@example.co.id")
    assert link.url.startswith("https://insw.example/accounts/password?token=")
    assert link.expires_at == clock.now + timedelta(hours=24)
    token = token_of(link.url)
    assert token not in store.tokens and token_hash(token) in store.tokens
    assert (await tokens.check(token)).status is TokenStatus.VALID


async def test_r19_token_is_single_use():
    tokens, _, _ = make()
    token = token_of((await tokens.issue("4C7ADA", "budi@example.co.id")).url)
    first = await tokens.redeem(token, "$argon2id$h")
    assert (first.status, first.username) == (TokenStatus.VALID, "4C7ADA")
    assert (await tokens.redeem(token, "$argon2id$h")).status is TokenStatus.USED


async def test_r19_token_expires():
    tokens, _, clock = make(ttl=timedelta(minutes=30))
    token = token_of((await tokens.issue("4C7ADA", "budi@example.co.id")).url)
    clock.now += timedelta(minutes=29, seconds=59)
    assert (await tokens.check(token)).status is TokenStatus.VALID
    clock.now += timedelta(seconds=1)
    assert (await tokens.redeem(token, "$argon2id$h")).status is TokenStatus.EXPIRED


async def test_r19_a_new_link_invalidates_every_older_link():
    tokens, _, _ = make()
    old = [token_of((await tokens.issue("4C7ADA", "b@example.co.id")).url) for _ in range(3)]
    new = token_of((await tokens.issue("4C7ADA", "b@example.co.id")).url)
    for token in old:
        assert (await tokens.redeem(token, "h")).status is TokenStatus.SUPERSEDED
    assert (await tokens.redeem(new, "h")).status is TokenStatus.VALID


async def test_a_malformed_token_is_unknown_without_a_lookup():
    tokens, _, _ = make()
    for token in ("", "short", "x" * 43 + "!", "../../etc"):
        assert (await tokens.check(token)).status is TokenStatus.UNKNOWN
