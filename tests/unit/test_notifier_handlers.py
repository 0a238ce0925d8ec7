"""The notifier's consume handler over fakes: one email per decision id, whatever happens."""

import asyncio
from datetime import UTC, datetime, timedelta

import pytest

from contracts import reasons as catalogue
from contracts.notification import NotificationRequested
from notifier.emails import DECISION_HEADER
from notifier.handlers import Notifier
from notifier.mailer import MailRefused, MemoryMailer
from notifier.store import Claim
from notifier.store_memory import MemoryActivationStore, MemoryMailLedger
from notifier.tokens import Tokens
from runtime.errors import TransientFailure
from runtime.records import Inbound


def request(outcome="APPROVED", decision_id="d1", **overrides) -> NotificationRequested:
    fields = dict(
        decision_id=decision_id,
        submission_id="SUB-1",
        outcome=outcome,
        reasons=[catalogue.NPWP_FORMAT.at("organisation.npwp")] if outcome == "REJECTED" else [],
        username="4C7ADA" if outcome == "APPROVED" else None,
        applicant_name="Budi Santoso",
        email="budi@example.co.id",
        organisation_name="PT Contoh",
    )
    fields.update(overrides)
    return NotificationRequested.model_validate(fields)


def record(value: NotificationRequested | bytes, offset=0) -> Inbound:
    raw = value if isinstance(value, bytes) else value.model_dump_json().encode()
    return Inbound("insw.notification.requested.v1", 0, offset, b"SUB-1", raw)


class World:
    def __init__(self) -> None:
        self.ledger = MemoryMailLedger()
        self.store = MemoryActivationStore()
        self.mailer = MemoryMailer()
        tokens = Tokens(self.store, base_url="https://insw.example", ttl=timedelta(hours=24))
        self.notifier = Notifier(
            self.ledger,
            tokens,
            self.mailer,
            sender="noreply@insw.go.id",
            lease=timedelta(minutes=2),
            clock=lambda: datetime(2026, 11, 21, tzinfo=UTC),
        )


@pytest.fixture
def world():
    return World()


async def test_r14_approval_is_sent_once_with_a_token_for_the_username(world):
    result = await world.notifier.on_requests([record(request())])
    assert result.dead == [] and result.outbound == []
    [message] = world.mailer.sent
    assert message[DECISION_HEADER] == "d1"
    assert message["From"].addresses[0].addr_spec == "noreply@insw.go.id"
    account = await world.store.account("4C7ADA")
    assert account is not None and account.email == "budi@example.co.id"
    assert world.ledger.records["d1"][0] == "sent"


async def test_r15_rejection_is_sent_with_its_reasons(world):
    await world.notifier.on_requests([record(request("REJECTED"))])
    [message] = world.mailer.sent
    text = message.get_body(preferencelist=("plain",)).get_content()
    assert catalogue.NPWP_FORMAT.text_id in text and catalogue.NPWP_FORMAT.text_en in text


async def test_r13_referred_sends_nothing_and_claims_nothing(world):
    await world.notifier.on_requests([record(request("REFERRED"))])
    assert world.mailer.sent == [] and world.ledger.records == {}


async def test_redelivery_and_replay_send_nothing_twice(world):
    batch = [record(request()), record(request("REJECTED", decision_id="d2"), 1)]
    await world.notifier.on_requests(batch)
    await world.notifier.on_requests(batch)  # redelivery
    await world.notifier.on_requests(batch + batch)  # replay, duplicates in one batch
    assert sorted(m[DECISION_HEADER] for m in world.mailer.sent) == ["d1", "d2"]


async def test_smtp_outage_is_transient_then_recovery_sends_exactly_once(world):
    world.mailer.down = True
    with pytest.raises(TransientFailure):
        await world.notifier.on_requests([record(request())])
    assert world.mailer.sent == [] and "d1" not in world.ledger.records  # lease released
    world.mailer.down = False
    await world.notifier.on_requests([record(request())])
    await world.notifier.on_requests([record(request())])
    assert [m[DECISION_HEADER] for m in world.mailer.sent] == ["d1"]


async def test_a_lease_held_by_another_attempt_is_retried_not_skipped(world):
    await world.ledger.claim("d1", "other-instance", 60_000)
    with pytest.raises(TransientFailure):
        await world.notifier.on_requests([record(request())])
    assert world.mailer.sent == []


async def test_a_failed_sent_mark_is_retried_without_sending_again(world):
    real_mark = world.ledger.mark_sent

    async def broken(decision_id):
        raise TransientFailure("redis: ConnectionError")

    world.ledger.mark_sent = broken
    with pytest.raises(TransientFailure):
        await world.notifier.on_requests([record(request())])
    world.ledger.mark_sent = real_mark
    await world.notifier.on_requests([record(request())])
    assert len(world.mailer.sent) == 1
    assert await world.ledger.claim("d1", "x", 1000) is Claim.SENT


@pytest.mark.parametrize(
    ("value", "field"),
    [
        (b"not json", "json_invalid"),
        (request(email="budi.example.co.id").model_dump_json().encode(), "email"),
        (request(username=None).model_dump_json().encode(), "username"),
        (request(username="4c7ada").model_dump_json().encode(), "username"),
    ],
)
async def test_poison_requests_are_dead_lettered_without_personal_data(world, value, field):
    result = await world.notifier.on_requests([record(value)])
    [(_, error)] = result.dead
    assert field in str(error)
    assert "budi" not in str(error).lower() and "4c7ada" not in str(error).lower()
    assert world.mailer.sent == [] and world.ledger.records == {}


async def test_a_refused_recipient_is_dead_lettered_and_the_lease_released(world):
    async def refuse(message):
        raise MailRefused("smtp: recipient refused ([550])")

    world.mailer.send = refuse
    result = await world.notifier.on_requests([record(request())])
    assert [type(e) for _, e in result.dead] == [MailRefused]
    assert "d1" not in world.ledger.records


async def test_logs_name_decision_ids_never_names_or_addresses(world, caplog):
    caplog.set_level("DEBUG")
    await world.notifier.on_requests([record(request()), record(request("REJECTED", "d2"), 1)])
    await world.notifier.on_requests([record(request())])
    logged = caplog.text.lower()
    assert "d1" in logged and "d2" in logged
    for secret in ("budi", "example.co.id", "pt contoh"):
        assert secret not in logged


async def test_a_lease_this_process_could_not_release_does_not_hold_the_email_back(world):
    """Redis down during the release: the next attempt sends at once, not after the lease."""
    world.mailer.down = True
    real_release = world.ledger.release

    async def redis_down(decision_id, owner):
        raise TransientFailure("redis: ConnectionError")

    world.ledger.release = redis_down
    with pytest.raises(TransientFailure):
        await world.notifier.on_requests([record(request())])
    assert world.ledger.records["d1"][0] != "sent"  # the lease is still there
    world.ledger.release = real_release
    world.mailer.down = False
    await world.notifier.on_requests([record(request())])
    assert [m[DECISION_HEADER] for m in world.mailer.sent] == ["d1"]


async def test_one_decision_is_never_sent_by_two_attempts_of_this_process_at_once(world):
    gate = asyncio.Event()
    real_send = world.mailer.send

    async def slow_send(message):
        await gate.wait()
        await real_send(message)

    world.mailer.send = slow_send
    first = asyncio.create_task(world.notifier.on_requests([record(request())]))
    await asyncio.sleep(0)  # the first attempt holds the lease and waits on SMTP
    with pytest.raises(TransientFailure):
        await world.notifier.on_requests([record(request())])  # the retry subscriber, say
    gate.set()
    await first
    assert [m[DECISION_HEADER] for m in world.mailer.sent] == ["d1"]


@pytest.mark.parametrize("activated", [False, True], ids=["link-pending", "password-set"])
async def test_an_approval_for_an_existing_username_with_another_email_takes_nothing_over(
    world, activated
):
    """Issue 11: the victim's username with the attacker's email: no link, email kept."""
    await world.notifier.on_requests([record(request())])
    if activated:
        [token] = list(world.store.tokens)
        await world.store.redeem(token, 0, "argon2-hash")
    world.mailer.sent.clear()
    forged = request(decision_id="d-forged", email="attacker@example.com")
    result = await world.notifier.on_requests([record(forged, 1)])
    [(_, error)] = result.dead
    expected = "ACCOUNT_ACTIVE" if activated else "EMAIL_NOT_ON_FILE"
    assert expected in str(error) and "attacker" not in str(error)
    assert world.mailer.sent == []
    account = await world.store.account("4C7ADA")
    assert account is not None and account.email == "budi@example.co.id"
    assert world.ledger.records.get("d-forged") is None  # the lease was released


async def test_no_new_link_for_an_account_whose_password_is_set_even_to_its_own_email(world):
    await world.notifier.on_requests([record(request())])
    [token] = list(world.store.tokens)
    await world.store.redeem(token, 0, "argon2-hash")
    world.mailer.sent.clear()
    result = await world.notifier.on_requests([record(request(decision_id="d2"), 1)])
    assert "ACCOUNT_ACTIVE" in str(result.dead[0][1]) and world.mailer.sent == []
