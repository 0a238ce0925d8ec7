"""An agency down for a while: REFERRED, never approved blind; decided once it recovers.

Driven only through Kafka (and the simulator's fault switch): DJP answers 503
to everything, the applications are referred; DJP recovers, the gateway's
automatic re-check asks again and each application gets exactly one final
decision, with nothing lost.
"""

import json
import uuid
from collections import defaultdict

import aiohttp

from contracts import topics
from contracts.decision import RegistrationDecided
from simulators.dataset import WORLD
from simulators.registrations import approvable
from tests.kafka_io import collect, produce


async def set_djp_faults(stack, faults: dict | None) -> None:
    url = f"http://127.0.0.1:{stack.ports['djp']}/admin/faults"
    async with aiohttp.ClientSession() as http:
        request = http.post(url, json=faults) if faults else http.delete(url)
        async with request as response:
            assert response.status == 200, await response.text()


def decisions_for(records, ids) -> dict[str, list[RegistrationDecided]]:
    found = defaultdict(list)
    for record in records:
        if record.topic == topics.REGISTRATION_DECIDED and record.key.decode() in ids:
            found[record.key.decode()].append(RegistrationDecided.model_validate_json(record.value))
    return found


async def test_agency_outage_refers_then_recheck_decides_each_application_once(stack):
    run = uuid.uuid4().hex[:8]
    pairs = list(WORLD.iter_approvable(3))
    payloads = [approvable(f"OUTAGE-{run}-{i}", c, p) for i, (c, p) in enumerate(pairs)]
    ids = {p["submission_id"] for p in payloads}
    await set_djp_faults(stack, {"error_rate": 1.0})
    try:
        await produce(
            stack.bootstrap_servers,
            topics.REGISTRATION_SUBMITTED,
            [(p["submission_id"].encode(), json.dumps(p).encode(), []) for p in payloads],
        )

        def all_referred(records):
            found = decisions_for(records, ids)
            return ids <= {
                sid for sid, ds in found.items() if any(d.outcome == "REFERRED" for d in ds)
            }

        records = await collect(
            stack.bootstrap_servers, [topics.REGISTRATION_DECIDED], all_referred, timeout=60
        )
        assert all_referred(records), "every application is referred while DJP is down"
    finally:
        await set_djp_faults(stack, None)

    def all_final(records):
        found = decisions_for(records, ids)
        return ids <= {sid for sid, ds in found.items() if any(d.outcome == "APPROVED" for d in ds)}

    records = await collect(
        stack.bootstrap_servers, [topics.REGISTRATION_DECIDED], all_final, timeout=90
    )
    stack.check_alive()
    found = decisions_for(records, ids)
    for sid in ids:
        outcomes = [d.outcome.value for d in found[sid]]
        referred = [d for d in found[sid] if d.outcome == "REFERRED"]
        assert referred and referred[0].reasons[0].code == "AGENCY_UNAVAILABLE"
        assert referred[0].deadline_at is not None
        # Exactly one final decision, never an approval before DJP answered.
        assert outcomes.count("APPROVED") == 1 and "REJECTED" not in outcomes, outcomes
        assert outcomes.index("APPROVED") > outcomes.index("REFERRED")
        assert len({d.decision_id for d in found[sid]}) == 2
