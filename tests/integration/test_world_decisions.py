"""The gateway's rules and the adapters' clients against the simulated agencies over HTTP.

Every approvable (company, person) pair of the simulated world must be
approved, and every named fixture must be decided as its name says. This is
where a disagreement between the rules, the wire mappings and the data set
shows up (it once rejected sole proprietors' personal NPWPs).
"""

import json

import pytest

from adapters.djp_npwp.client import DjpNpwpClient
from adapters.dukcapil.client import DukcapilClient
from adapters.kit.http import AgencyHttp
from adapters.oss_nib.client import OssNibClient
from contracts import topics
from contracts.decision import RegistrationDecided
from contracts.verification import VerificationRequested
from gateway.handlers import Gateway
from gateway.store_memory import MemoryRegistrationStore
from runtime.codec import decode, encode
from runtime.records import Inbound
from simulators.dataset import WORLD
from simulators.registrations import approvable, registration
from tests.support import example_documents, results_of, submissions_of

FIXTURE_OUTCOMES = {
    "approved_company": ("APPROVED", []),
    "titled_responsible_person": ("APPROVED", []),
    "not_responsible_person": ("REJECTED", ["APPLICANT_NOT_RESPONSIBLE_PERSON"]),
    "frozen_nib": ("REJECTED", ["NIB_NOT_ACTIVE"]),
    "revoked_nib": ("REJECTED", ["NIB_NOT_ACTIVE"]),
    "npwp_not_active": ("REJECTED", ["NPWP_NOT_ACTIVE"]),
    "npwp_unknown": ("REJECTED", ["NPWP_NOT_FOUND"]),
    "dukcapil_name_mismatch": ("REJECTED", ["NIK_NOT_VERIFIED"]),
    "nik_not_in_dukcapil": ("REJECTED", ["NIK_NOT_VERIFIED"]),
    "npwp_name_mismatch": ("REFERRED", ["NPWP_NAME_DIFFERS"]),
    "nib_not_yet_active": ("REFERRED", ["NIB_NOT_YET_ACTIVE"]),
}


@pytest.fixture
async def decide_over_http(urls):
    https = {name: AgencyHttp(url) for name, url in urls.items()}
    for http in https.values():
        await http.start()
    clients = {
        c.check: c
        for c in (
            OssNibClient(https["oss"]),
            DjpNpwpClient(https["djp"]),
            DukcapilClient(https["dukcapil"]),
        )
    }
    gateway = Gateway(MemoryRegistrationStore(), example_documents())

    async def decide(payload: dict) -> RegistrationDecided:
        record = Inbound(topics.REGISTRATION_SUBMITTED, 0, 0, None, json.dumps(payload).encode())
        asked = await submissions_of(gateway)([record])
        answers: list[Inbound] = []
        for out in asked.outbound:
            if out.topic == topics.REGISTRATION_DECIDED:
                return RegistrationDecided.model_validate_json(out.value or b"")
            request = decode(VerificationRequested, out.value)
            answer = await clients[request.check].verify(request)
            answers.append(
                Inbound(topics.VERIFICATION_COMPLETED, 0, len(answers), None, encode(answer))
            )
        result = await results_of(gateway)(answers)
        [decided] = [o for o in result.outbound if o.topic == topics.REGISTRATION_DECIDED]
        return RegistrationDecided.model_validate_json(decided.value or b"")

    yield decide
    for http in https.values():
        await http.close()


async def test_every_approvable_pair_is_approved(decide_over_http):
    pairs = WORLD.approvable()
    assert len(pairs) >= 30
    refused = {}
    for index, (company, person) in enumerate(pairs):
        decision = await decide_over_http(approvable(f"W-{index}", company, person))
        if decision.outcome != "APPROVED":
            refused[company.nib] = [r.code for r in decision.reasons]
    assert refused == {}


@pytest.mark.parametrize("name", sorted(FIXTURE_OUTCOMES))
async def test_named_fixture_is_decided_as_named(decide_over_http, name):
    case = WORLD.fixture(name)
    who, person = case.responsible, case.person
    assert who is not None or person is not None
    name_on_form = who.name if who else person.full_name.title()  # type: ignore[union-attr]
    nik = who.identity_number if who else person.nik  # type: ignore[union-attr]
    decision = await decide_over_http(registration(f"F-{name}", case.company, name_on_form, nik))
    assert (decision.outcome, [r.code for r in decision.reasons]) == FIXTURE_OUTCOMES[name]
