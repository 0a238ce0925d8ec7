"""R16 to R19: setting the password with a link, and resending a link, over fakes."""

from datetime import timedelta
from urllib.parse import parse_qs, urlsplit

import pytest

from notifier.accounts import AccountError, Accounts, ResendOutcome
from notifier.mailer import MailRefused, MailUnavailable, MemoryMailer
from notifier.passwords import verify_password
from notifier.store import TokenStatus
from notifier.store_memory import MemoryActivationStore
from notifier.tokens import Tokens


class World:
    def __init__(self) -> None:
        self.store = MemoryActivationStore()
        self.mailer = MemoryMailer()
        self.tokens = Tokens(self.store, base_url="https://insw.example", ttl=timedelta(hours=1))
        self.accounts = Accounts(self.tokens, self.store, self.mailer, sender="noreply@insw.go.id")

    async def approved(self, username="4C7ADA", email="budi@example.co.id") -> str:
        link = await self.tokens.issue(username, email)
        return parse_qs(urlsplit(link.url).query)["token"][0]


@pytest.fixture
def world():
    return World()


def refusal(raised) -> tuple[int, list[tuple[str, str, str]]]:
    error = raised.value
    return error.status, [(r.code, r.rule, r.field) for r in error.reasons]


async def test_r18_password_is_set_once_and_kept_as_argon2id(world):
    token = await world.approved()
    assert await world.accounts.set_password(token, "Rahasia#1") == "4C7ADA"
    stored = world.store.accounts["4C7ADA"].password_hash
    assert stored is not None and verify_password(stored, "Rahasia#1")
    with pytest.raises(AccountError) as raised:
        await world.accounts.set_password(token, "Rahasia#2")
    assert refusal(raised) == (410, [("TOKEN_USED", "R19", "token")])


async def test_r18_password_needs_a_digit_and_the_token_survives_the_refusal(world):
    token = await world.approved()
    with pytest.raises(AccountError) as raised:
        await world.accounts.set_password(token, "Rahasia#")
    assert refusal(raised) == (400, [("PASSWORD_NEEDS_DIGIT", "R18", "password")])
    assert await world.accounts.set_password(token, "Rahasia#1") == "4C7ADA"


async def test_r19_unknown_token_is_named(world):
    with pytest.raises(AccountError) as raised:
        await world.accounts.set_password("nope", "Rahasia#1")
    assert refusal(raised) == (400, [("TOKEN_INVALID", "R14", "token")])


async def test_r19_resend_goes_to_the_same_email_and_kills_the_old_link(world):
    old = await world.approved()
    await world.accounts.resend("4C7ADA")
    [message] = world.mailer.sent
    assert message["To"].addresses[0].addr_spec == "budi@example.co.id"
    with pytest.raises(AccountError) as raised:
        await world.accounts.set_password(old, "Rahasia#1")
    assert refusal(raised) == (410, [("TOKEN_SUPERSEDED", "R19", "token")])
    text = message.get_body(preferencelist=("plain",)).get_content()
    new = parse_qs(urlsplit(text.split("Confirm here: ")[1].split()[0]).query)["token"][0]
    assert await world.accounts.set_password(new, "Rahasia#1") == "4C7ADA"


async def test_r16_resend_refuses_a_malformed_username(world):
    with pytest.raises(AccountError) as raised:
        await world.accounts.resend("4c7ada")
    assert refusal(raised) == (400, [("USERNAME_FORMAT", "R16", "username")])
    assert world.mailer.sent == []


async def test_r19_resend_for_an_unknown_or_activated_account_sends_nothing(world):
    assert await world.accounts.resend("ABCDEF") is ResendOutcome.NO_ACCOUNT
    await world.accounts.set_password(await world.approved(), "Rahasia#1")
    assert await world.accounts.resend("4C7ADA") is ResendOutcome.ALREADY_ACTIVE
    assert world.mailer.sent == []


async def test_r19_resend_to_a_refused_address_is_an_outcome_and_the_live_link_still_works(world):
    live = await world.approved()

    async def refuse(message):
        raise MailRefused("smtp: recipient refused ([550])")

    world.mailer.send = refuse
    assert await world.accounts.resend("4C7ADA") is ResendOutcome.EMAIL_REFUSED
    assert await world.accounts.set_password(live, "Rahasia#1") == "4C7ADA"


async def test_r19_the_live_link_stays_valid_until_smtp_accepts_the_new_one(world):
    """Issue 12: each resend used to void the live link before SMTP had taken the new email."""
    live = await world.approved()
    world.mailer.down = True
    with pytest.raises(MailUnavailable):
        await world.accounts.resend("4C7ADA")
    assert await world.accounts.token_status(live) is TokenStatus.VALID
    world.mailer.down = False
    assert await world.accounts.resend("4C7ADA") is ResendOutcome.SENT
    assert await world.accounts.token_status(live) is TokenStatus.SUPERSEDED
