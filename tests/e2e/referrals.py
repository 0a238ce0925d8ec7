"""Helpers for the officer end-to-end tests: put a referred application into a running stack."""

import json
from datetime import UTC, datetime

from contracts import headers as h
from contracts import topics
from contracts.decision import RegistrationDecided
from simulators.registrations import examples
from tests.kafka_io import collect, produce

REFERRED_EXAMPLE = "03-foundation-without-nib-npwp.json"
"""A foundation without NIB and NPWP: no agency can prove it, so officers decide (R13)."""


async def submit_referral(stack, run: str) -> tuple[dict, RegistrationDecided]:
    """Submit the referred example under a fresh id; return it and its REFERRED decision."""
    payload = json.loads(json.dumps(examples()[REFERRED_EXAMPLE]))
    sid = f"{payload['submission_id']}-{run}"
    payload["submission_id"] = sid
    payload["applicant"]["email"] = f"applicant.{sid.lower()}@example.co.id"
    # Submitted now: R13's 24 hours run from submission, and officers see time left.
    payload["submitted_at"] = datetime.now(UTC).isoformat()
    message = [(h.MESSAGE_ID, f"m-{sid}".encode())]
    await produce(
        stack.bootstrap_servers,
        topics.REGISTRATION_SUBMITTED,
        [(sid.encode(), json.dumps(payload).encode(), message)],
    )
    [referred] = await decisions_of(stack, sid, "REFERRED")
    return payload, referred


async def decisions_of(stack, sid: str, outcome: str, timeout: float = 60.0):
    """The decisions of ``sid`` once one with ``outcome`` is on the decided topic."""

    def mine(records):
        return [
            RegistrationDecided.model_validate_json(r.value)
            for r in records
            if r.key == sid.encode()
        ]

    records = await collect(
        stack.bootstrap_servers,
        [topics.REGISTRATION_DECIDED],
        lambda found: any(d.outcome == outcome for d in mine(found)),
        timeout=timeout,
    )
    found = mine(records)
    assert any(d.outcome == outcome for d in found), f"no {outcome} decision for {sid}"
    return [d for d in found if d.outcome == outcome]
