"""End to end: every example ends with its email in the dev mailbox, exactly once, even on replay.

The notifier and the dev SMTP mailbox run as their own processes in the stack
(see ``devstack.stack``); the test drives the hub only through Kafka, reads the
mailbox directory, and uses the emailed link over HTTP like an applicant.
Replay: a second notifier process with a fresh consumer group reads the whole
notification topic from the beginning; the Redis idempotency record must stop
every resend.
"""

import asyncio
import json
import sys
import uuid
from urllib.parse import parse_qs, urlsplit

import aiohttp

from contracts import headers as h
from contracts import signers, topics
from contracts.decision import RegistrationDecided
from devstack.lag import pending_records
from devstack.mailbox import read_mailbox
from devstack.net import LOOPBACK, free_port
from devstack.processes import ProcessGroup, ServiceSpec
from notifier.emails import DECISION_HEADER
from simulators.registrations import EXPECTED_OUTCOMES, examples
from tests.kafka_io import collect, produce

MAIL_TIMEOUT_S = 60.0


def stamped(run: str) -> dict[str, dict]:
    """The bundled examples with submission ids and addresses unique to this run."""
    out = {}
    for name, original in examples().items():
        payload = json.loads(json.dumps(original))
        sid = f"{payload['submission_id']}-{run}"
        payload["submission_id"] = sid
        payload["applicant"]["email"] = f"applicant.{sid.lower()}@example.co.id"
        out[name] = payload
    return out


def mails_by_decision(stack) -> dict[str, list]:
    found: dict[str, list] = {}
    for mail in read_mailbox(stack.mailbox_dir):
        found.setdefault(str(mail[DECISION_HEADER]), []).append(mail)
    return found


async def wait_for_mails(stack, decision_ids: set[str]) -> dict[str, list]:
    loop = asyncio.get_running_loop()
    deadline = loop.time() + MAIL_TIMEOUT_S
    while loop.time() < deadline:
        found = mails_by_decision(stack)
        if decision_ids <= found.keys():
            return found
        stack.check_alive()
        await asyncio.sleep(0.2)
    return mails_by_decision(stack)


def text_of(mail) -> str:
    return str(mail.get_body(("plain",)).get_content())


async def decide_examples(stack, run: str):
    """Submit the stamped examples; return (payload, decision) per example name."""
    payloads = stamped(run)
    await produce(
        stack.bootstrap_servers,
        topics.REGISTRATION_SUBMITTED,
        [
            (
                p["submission_id"].encode(),
                json.dumps(p).encode(),
                [(h.MESSAGE_ID, b"m-" + p["submission_id"].encode())],
            )
            for p in payloads.values()
        ],
    )
    ids = {p["submission_id"] for p in payloads.values()}

    def complete(records):
        return ids <= {r.key.decode() for r in records}

    records = await collect(stack.bootstrap_servers, [topics.REGISTRATION_DECIDED], complete)
    decisions = {
        r.key.decode(): RegistrationDecided.model_validate_json(r.value)
        for r in records
        if r.key.decode() in ids
    }
    return {name: (p, decisions[p["submission_id"]]) for name, p in payloads.items()}


async def test_r14_r15_every_example_gets_its_email_exactly_once_even_after_replay(stack):
    run = uuid.uuid4().hex[:8]
    decided = await decide_examples(stack, run)
    expected = {d.decision_id for _, d in decided.values() if d.outcome != "REFERRED"}
    found = await wait_for_mails(stack, expected)

    for name, (payload, decision) in decided.items():
        outcome, codes = EXPECTED_OUTCOMES[name]
        assert (decision.outcome, [r.code for r in decision.reasons]) == (outcome, codes), name
        if outcome == "REFERRED":
            assert decision.decision_id not in found  # an officer decides; then the email
            continue
        [mail] = found[decision.decision_id]
        assert mail["From"].addresses[0].addr_spec == "noreply@insw.go.id"
        assert mail["To"].addresses[0].addr_spec == payload["applicant"]["email"]
        text = text_of(mail)
        if outcome == "APPROVED":
            assert "Registrasi Anda telah disetujui." in text
            assert "Your registration has been approved." in text
            assert text.count(f"Username: {decision.username}") == 2
            assert f"{stack.notifier_url}/accounts/password?token=" in text
        else:
            assert "Registrasi Anda ditolak." in text
            for reason in decision.reasons:
                assert reason.text_id in text and reason.text_en in text, name

    replay_log = await replay_notifications(stack, run)
    for decision_id in expected:
        assert f"decision {decision_id}: email already sent, skipped" in replay_log
    again = mails_by_decision(stack)
    assert {d: len(again[d]) for d in expected} == {d: 1 for d in expected}


async def replay_notifications(stack, run: str) -> str:
    """Run a second notifier with a fresh group over the whole topic, until it has caught up."""
    group_id = f"insw-notifier-replay-{run}"
    spec = ServiceSpec(
        name=f"notifier-replay-{run}",
        argv=(sys.executable, "-m", "notifier"),
        env={
            "KAFKA_BOOTSTRAP_SERVERS": stack.bootstrap_servers,
            "REDIS_URL": stack.redis_url,
            "NOTIFIER_GROUP_ID": group_id,
            # The notifier signs its audit entries: a second instance holds the same key.
            "HUB_SIGNING_KEY": stack.infra.signing_keys[signers.NOTIFIER].secret_text(),
            "NOTIFIER_HTTP_PORT": str(free_port()),
            "SMTP_HOST": LOOPBACK,
            "SMTP_PORT": str(stack.ports["mailbox"]),
            "PYTHONUNBUFFERED": "1",
        },
    )
    group = ProcessGroup()
    replay = group.start(spec)
    try:
        await wait_caught_up(stack.bootstrap_servers, group_id, replay)
    finally:
        group.stop_all()
    return replay.log_path.read_text()


async def wait_caught_up(bootstrap: str, group_id: str, process) -> None:
    """Until ``group_id`` has processed every record of the notification topic."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + MAIL_TIMEOUT_S
    while loop.time() < deadline:
        assert process.alive(), process.tail()
        pending = await pending_records(bootstrap, group_id, [topics.NOTIFICATION_REQUESTED])
        if not any(pending.values()):
            return
        await asyncio.sleep(0.3)
    raise AssertionError(f"replay group {group_id} did not catch up:\n{process.tail()}")


async def test_r18_the_emailed_link_sets_the_password_once(stack):
    run = uuid.uuid4().hex[:8]
    decided = await decide_examples(stack, run)
    _, decision = decided["01-company-approved.json"]
    [mail] = (await wait_for_mails(stack, {decision.decision_id}))[decision.decision_id]
    link = text_of(mail).split("Confirm here: ")[1].split()[0]
    token = parse_qs(urlsplit(link).query)["token"][0]
    url = f"{stack.notifier_url}/accounts/password"
    async with aiohttp.ClientSession() as session:
        async with session.post(url, json={"token": token, "password": "rahasia#1"}) as weak:
            assert weak.status == 400
            assert (await weak.json())["errors"][0]["code"] == "PASSWORD_NEEDS_CAPITAL"
        async with session.post(url, json={"token": token, "password": "Rahasia#1"}) as ok:
            assert ok.status == 200
            assert (await ok.json())["username"] == decision.username
        async with session.post(url, json={"token": token, "password": "Rahasia#1"}) as used:
            assert used.status == 410
