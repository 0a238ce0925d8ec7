"""Personal data never appears raw in a service's log, even while it is being processed.

Drives the bundled examples and one poison record through the whole stack,
waits until they are decided and emailed, then reads every service's log:
no applicant name, population NIK or email address may be there.
"""

import json
import uuid

from contracts import topics
from contracts.decision import RegistrationDecided
from tests.e2e.test_emails import wait_for_mails
from tests.e2e.test_registration_path import decisions_by_id, stamped_examples
from tests.kafka_io import collect, produce


def personal_data(payloads) -> set[str]:
    found = set()
    for payload in payloads:
        applicant = payload["applicant"]
        name = applicant["full_name"]
        found |= {name, name.upper(), applicant["identity"]["number"], applicant["email"]}
    return found


async def test_no_name_nik_or_email_of_a_processed_registration_reaches_a_log(stack):
    run = uuid.uuid4().hex[:8]
    payloads = list(stamped_examples(run).values())
    ids = {p["submission_id"] for p in payloads}
    poison = dict(payloads[0], submitted_at="not a time")  # dead-lettered, personal data inside
    await produce(
        stack.bootstrap_servers,
        topics.REGISTRATION_SUBMITTED,
        [(p["submission_id"].encode(), json.dumps(p).encode(), []) for p in payloads]
        + [(b"POISON-" + run.encode(), json.dumps(poison).encode(), [])],
    )
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
    secrets = personal_data(payloads)
    assert len(secrets) >= 10
    logs = {proc.name: proc.log_path.read_text(errors="replace") for proc in stack.group.processes}
    assert logs, "the stack's services write logs"
    leaks = {(name, secret) for name, text in logs.items() for secret in secrets if secret in text}
    assert leaks == set()
