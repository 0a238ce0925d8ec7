"""Personal data of a run rests only where SECURITY.md says, and sealed wherever it is kept.

Drives the bundled examples, a passport applicant, one registration through
the HTTP intake (its Surat Kuasa names the applicant) and one poison record
through the whole stack, waits until they are decided and emailed, then
greps, for every applicant name, NIK, passport number and email of the run:

* every service's log: nothing, ever (nor the stack's secrets, Redis password
  included);
* every key and value in Redis (SCAN + dump): nothing in clear; what the hub
  keeps is sealed with the at-rest key ring or named by a keyed hash;
* every record on every Kafka topic, aborted ones included: only on the
  topics listed in :data:`DOCUMENTED_PLACES`, each with the reason it may
  carry personal data (SECURITY.md, "Personal data at rest (issue 12)").
"""

import json
import uuid
from urllib.parse import urlsplit

import aiohttp
from redis.asyncio import Redis

from contracts import topics
from contracts.agencies import DUKCAPIL_NIK
from contracts.decision import RegistrationDecided
from contracts.topics import retry_topic
from devstack.stack import portal_key
from tests.e2e.test_emails import wait_for_mails
from tests.e2e.test_registration_path import decisions_by_id, stamped_examples
from tests.kafka_io import collect, produce, read_everything
from tests.redis_dump import dump, leaks

PUBLIC_V1 = {
    topics.REGISTRATION_SUBMITTED: "the form as portals write it (applicant name, NIK, email)",
    topics.REGISTRATION_DECIDED: "registration summary: applicant_name, for customs",
    topics.CEISA_REGISTRATION: "the customs application names the applicant (XSD v1)",
}
INTERNAL = {
    DUKCAPIL_NIK.request_topic: "NIK and full name, to the Dukcapil adapter",
    topics.VERIFICATION_COMPLETED: "agency records: responsible persons' names and NIK",
    topics.NOTIFICATION_REQUESTED: "the applicant's name and email, to the notifier",
}
DOCUMENTED_PLACES = {
    **PUBLIC_V1,
    **INTERNAL,
    **{retry_topic(topic): f"a parked retry of {topic}" for topic in {**PUBLIC_V1, **INTERNAL}},
}
"""Topics that may carry personal data in clear, and why; SECURITY.md keeps the same list.

Public v1 topics cannot change without breaking their consumers; the
internal ones are not sealed yet (SECURITY.md says why and what is next).
Every topic carries it protected in transit by TLS (issue 11). Dead-letter
topics are not listed: their values are sealed.
"""

NOT_THE_HUBS = ("test.",)
"""Topic prefixes of integration tests (tests/conftest.py ``topic_prefix``): not hub records."""


def personal_data(payloads) -> tuple[set[str], set[str]]:
    """(identities and names, emails) of the applicants in ``payloads``."""
    people, emails = set(), set()
    for payload in payloads:
        applicant = payload["applicant"]
        name = applicant["full_name"]
        people |= {name, name.upper(), applicant["identity"]["number"]}
        emails.add(applicant["email"])
    return people, emails


def passport_applicant(template: dict, run: str) -> dict:
    """A copy of an example whose applicant identifies with a passport unique to this run."""
    payload: dict = json.loads(json.dumps(template))
    payload["submission_id"] = f"PASSPORT-{run}"
    payload["applicant"]["identity"] = {"kind": "PASSPORT", "number": f"X{run.upper()}"}
    payload["applicant"]["full_name"] = f"Passport Holder {run.upper()}"
    return payload


async def submit_through_intake(stack, template: dict, run: str) -> tuple[dict, str]:
    """One registration over HTTP, with a Surat Kuasa that names the applicant; its id."""
    body = json.loads(json.dumps(template))
    for hub_field in ("submission_id", "submitted_at", "attachments"):
        body.pop(hub_field)
    body["applicant"]["full_name"] = f"Intake Applicant {run.upper()}"
    applicant = body["applicant"]
    pdf = f"%PDF-1.7\n% Surat Kuasa {applicant['full_name']} NIK {applicant['identity']['number']}"
    return body, await post_to_intake(stack, body, (pdf + "\n%%EOF\n").encode(), f"grep-{run}")


async def post_to_intake(stack, body: dict, pdf: bytes, idempotency_key: str) -> str:
    """POST one registration form and its Surat Kuasa to the intake (201); its submission id."""
    data = aiohttp.FormData()
    data.add_field("submission", json.dumps(body), content_type="application/json")
    data.add_field("power_of_attorney", pdf, filename="kuasa.pdf", content_type="application/pdf")
    url = f"http://127.0.0.1:{stack.ports['intake']}/registrations"
    async with (
        aiohttp.ClientSession() as http,
        http.post(
            url,
            data=data,
            headers={
                "Idempotency-Key": idempotency_key,
                "Authorization": f"Bearer {portal_key(stack.ports)}",
            },
        ) as response,
    ):
        assert response.status == 201, await response.text()
        return str((await response.json())["submission_id"])


def kafka_leaks(records, secrets: set[str]) -> set[tuple[str, str]]:
    """(topic, secret) for personal data in a record outside the documented places.

    A sandbox copy (``sandbox.<name>.<topic>``, hubctl) is judged as its topic.
    """
    found = set()
    for record in records:
        topic = record.topic
        if topic.startswith(NOT_THE_HUBS):
            continue
        origin = topic.split(".", 2)[2] if topic.startswith("sandbox.") else topic
        if origin in DOCUMENTED_PLACES:
            continue
        text = b"\n".join(
            [record.key or b"", record.value or b"", *(v or b"" for _, v in record.headers)]
        ).decode(errors="replace")
        found |= {(topic, secret) for secret in secrets if secret in text}
    return found


async def test_no_name_nik_or_passport_of_a_run_rests_outside_the_documented_places(stack):
    run = uuid.uuid4().hex[:8]
    examples = list(stamped_examples(run).values())
    payloads = [*examples, passport_applicant(examples[0], run)]
    poison = dict(payloads[0], submitted_at="not a time")  # dead-lettered, personal data inside
    await produce(
        stack.bootstrap_servers,
        topics.REGISTRATION_SUBMITTED,
        [(p["submission_id"].encode(), json.dumps(p).encode(), []) for p in payloads]
        + [(b"POISON-" + run.encode(), json.dumps(poison).encode(), [])],
    )
    through_intake, intake_id = await submit_through_intake(stack, examples[0], run)
    ids = {p["submission_id"] for p in payloads} | {intake_id}
    records = await collect(
        stack.bootstrap_servers,
        [topics.REGISTRATION_DECIDED],
        lambda found: ids <= decisions_by_id(found).keys(),
    )
    decided = decisions_by_id(records)
    assert ids <= decided.keys()
    emailed = {
        RegistrationDecided.model_validate_json(decided[sid].value).decision_id for sid in ids
    }
    await wait_for_mails(stack, emailed)  # the notifier has handled names and addresses too
    stack.check_alive()
    people, emails = personal_data([*payloads, through_intake])
    assert len(people) >= 10 and len(emails) >= 5

    logs = {proc.name: proc.log_path.read_text(errors="replace") for proc in stack.group.processes}
    assert logs, "the stack's services write logs"
    broker = stack.infra.kafka.process if stack.infra.kafka is not None else None
    if broker is not None:  # the broker's log too: it was given every Kafka password
        logs["kafka broker"] = broker.log_path.read_text(errors="replace")
    stack_secrets = {
        urlsplit(stack.redis_url).password or "",
        *stack.infra.secrets.values(),
        *stack.infra.kafka_passwords.values(),  # issue 11: one per principal
    }
    assert all(stack_secrets)
    in_logs = {
        (name, s)
        for name, text in logs.items()
        for s in people | emails | stack_secrets
        if s in text
    }

    redis = Redis.from_url(stack.redis_url)
    try:
        dumped = await dump(redis)
    finally:
        await redis.aclose()
    assert any(key.startswith("insw:agency-answer:") for key in dumped), "the cache was used"
    assert any(key.startswith("insw:doc:") for key in dumped), "the Surat Kuasa was stored"
    in_redis = leaks(dumped, people | emails)

    everything = await read_everything(stack.bootstrap_servers)
    assert {topics.VERIFICATION_COMPLETED, topics.NOTIFICATION_REQUESTED} <= {
        r.topic for r in everything
    }
    on_kafka = kafka_leaks(everything, people)

    assert {"logs": in_logs, "redis": in_redis, "kafka": on_kafka} == {
        "logs": set(),
        "redis": set(),
        "kafka": set(),
    }
