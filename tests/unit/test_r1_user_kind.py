"""R1 (manual §5.1 step 2): the submission records "Jenis Pengguna", the user kind.

The field is optional so that messages produced before it existed still read.
"""

import json
from pathlib import Path

from contracts.registration import RegistrationSubmitted
from tests.support import submission_dict

DOC = Path(__file__).resolve().parents[2] / "docs" / "asyncapi.json"


def test_r1_user_kind_is_recorded_as_chosen():
    payload = submission_dict(request={"purpose": "TRANSAKSI", "user_kind": "Pelaku Usaha"})
    sub = RegistrationSubmitted.model_validate(payload)
    assert sub.request.user_kind == "Pelaku Usaha"
    again = RegistrationSubmitted.model_validate_json(sub.model_dump_json())
    assert again.request.user_kind == "Pelaku Usaha"


def test_r1_a_message_without_user_kind_still_reads():
    sub = RegistrationSubmitted.model_validate(submission_dict())
    assert sub.request.user_kind is None and sub.request.purpose == "TRANSAKSI"


def test_r1_user_kind_is_in_the_published_contract():
    schemas = json.loads(DOC.read_text())["components"]["schemas"]
    [request] = [s for name, s in schemas.items() if name.endswith("RequestInfo")]
    assert "user_kind" in request["properties"]
    assert "user_kind" not in request.get("required", [])
