"""End to end, only through Kafka: every example reaches its decision, approvals reach customs.

Every service runs as its own OS process (see ``devstack.stack``), on the real
broker and the real Redis server.
"""

import json
import shutil
import subprocess
import uuid
from pathlib import Path

from lxml import etree

from contracts import headers as h
from contracts import topics
from contracts.decision import RegistrationDecided
from contracts.xsd import CEISA_REGISTRATION_V1, load_schema, schema_path
from runtime.sealing import DeadLetterSeal
from simulators.registrations import EXPECTED_OUTCOMES, examples
from tests.kafka_io import collect, produce


def stamped_examples(run: str) -> dict[str, dict]:
    """The bundled examples with submission ids unique to this run."""
    out = {}
    for name, original in examples().items():
        payload = json.loads(json.dumps(original))
        payload["submission_id"] = f"{payload['submission_id']}-{run}"
        out[name] = payload
    return out


def decisions_by_id(records):
    return {r.key.decode(): r for r in records if r.topic == topics.REGISTRATION_DECIDED}


async def test_every_example_is_decided_once_and_approvals_become_valid_ceisa_xml(
    stack, tmp_path: Path
):
    run = uuid.uuid4().hex[:8]
    payloads = stamped_examples(run)
    ids = {p["submission_id"]: name for name, p in payloads.items()}
    await produce(
        stack.bootstrap_servers,
        topics.REGISTRATION_SUBMITTED,
        [
            (
                p["submission_id"].encode(),
                json.dumps(p).encode(),
                [(h.MESSAGE_ID, f"msg-{p['submission_id']}".encode())],
            )
            for p in payloads.values()
        ],
    )
    approved = {sid for sid, name in ids.items() if EXPECTED_OUTCOMES[name][0] == "APPROVED"}

    def complete(records):
        decided = decisions_by_id(records).keys() & ids.keys()
        xml = {r.key.decode() for r in records if r.topic == topics.CEISA_REGISTRATION}
        return decided == ids.keys() and approved <= xml

    records = await collect(
        stack.bootstrap_servers, [topics.REGISTRATION_DECIDED, topics.CEISA_REGISTRATION], complete
    )
    stack.check_alive()
    decided = {sid: r for sid, r in decisions_by_id(records).items() if sid in ids}
    assert decided.keys() == ids.keys()
    for sid, record in decided.items():
        decision = RegistrationDecided.model_validate_json(record.value)
        outcome, codes = EXPECTED_OUTCOMES[ids[sid]]
        assert (decision.outcome, [r.code for r in decision.reasons]) == (outcome, codes), sid
        headers = dict(record.headers)
        assert headers[h.CORRELATION_ID].decode() == sid
        assert headers[h.CAUSATION_ID] and headers[h.MESSAGE_ID]
        assert headers[h.MESSAGE_ID] != headers[h.CAUSATION_ID]
    xml_docs = [
        r for r in records if r.topic == topics.CEISA_REGISTRATION and r.key.decode() in approved
    ]
    assert {r.key.decode() for r in xml_docs} == approved
    assert_valid_for_xmllint_and_lxml(xml_docs, tmp_path)


def assert_valid_for_xmllint_and_lxml(records, tmp_path: Path):
    xmllint = shutil.which("xmllint")
    assert xmllint, "xmllint is installed by ./hub (libxml2-utils)"
    schema = load_schema(CEISA_REGISTRATION_V1)
    for index, record in enumerate(records):
        assert schema.validate(etree.fromstring(record.value))
        document = tmp_path / f"ceisa-{index}.xml"
        document.write_bytes(record.value)
        checked = subprocess.run(
            [
                xmllint,
                "--noout",
                "--nonet",
                "--schema",
                str(schema_path(CEISA_REGISTRATION_V1)),
                str(document),
            ],
            capture_output=True,
            text=True,
            check=False,
        )
        assert checked.returncode == 0, checked.stderr
        assert "validates" in checked.stderr


async def test_poison_submission_lands_on_dlq_with_context_and_the_next_is_processed(stack):
    run = uuid.uuid4().hex[:8]
    good = stamped_examples(run)["04-malformed-npwp.json"]
    poison_key = f"POISON-{run}".encode()
    await produce(
        stack.bootstrap_servers,
        topics.REGISTRATION_SUBMITTED,
        [
            (poison_key, b'{"submission_id": ', [(h.MESSAGE_ID, b"poison-" + run.encode())]),
            (good["submission_id"].encode(), json.dumps(good).encode(), []),
        ],
    )
    dlq = topics.dead_letter_topic(topics.REGISTRATION_SUBMITTED)

    def complete(records):
        return any(r.topic == dlq and r.key == poison_key for r in records) and good[
            "submission_id"
        ] in decisions_by_id(records)

    records = await collect(stack.bootstrap_servers, [dlq, topics.REGISTRATION_DECIDED], complete)
    [dead] = [r for r in records if r.topic == dlq and r.key == poison_key]
    headers = {k: v.decode() for k, v in dead.headers}
    seal = DeadLetterSeal(stack.infra.dlq_seal_key)
    assert seal.open(dead.value) == b'{"submission_id": '
    assert headers[h.DLQ_TOPIC] == topics.REGISTRATION_SUBMITTED
    assert headers[h.DLQ_OFFSET].isdigit() and headers[h.DLQ_PARTITION].isdigit()
    assert headers[h.DLQ_EXCEPTION_CLASS] == "runtime.errors.PoisonMessage"
    assert "json_invalid" in headers[h.DLQ_EXCEPTION_MESSAGE]
    assert headers[h.MESSAGE_ID] == f"poison-{run}"
    assert good["submission_id"] in decisions_by_id(records)
