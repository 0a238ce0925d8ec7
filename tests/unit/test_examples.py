"""The bundled examples: in step with the simulated world, and decided as the README says."""

import json
from datetime import UTC, datetime

import pytest

from contracts.registration import RegistrationSubmitted
from gateway.rules.form import check_form
from simulators.registrations import EXAMPLES_DIR, EXPECTED_OUTCOMES, examples


def test_example_files_match_the_world_they_describe():
    generated = examples()
    on_disk = {p.name: json.loads(p.read_text()) for p in EXAMPLES_DIR.glob("*.json")}
    assert on_disk == generated, "run: python -m simulators write-examples"
    assert set(on_disk) == set(EXPECTED_OUTCOMES)


@pytest.mark.parametrize("name", sorted(EXPECTED_OUTCOMES))
def test_only_format_rejections_fail_the_form(name):
    sub = RegistrationSubmitted.model_validate(examples()[name])
    reasons = [r.code for r in check_form(sub, datetime.now(UTC).date()).reasons]
    _, codes = EXPECTED_OUTCOMES[name]
    expected_on_form = codes if codes and codes[0].endswith("_FORMAT") else []
    assert reasons == expected_on_form
