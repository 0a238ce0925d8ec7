"""C5 (PER-21 Art. 15(3)-(4)): a PPJK's customs expert and a carrier's transport means.

From the form (checked, with a reason naming field and rule) through the
decision's summary to the CEISA registration XML; the new XSD elements are
optional, so the v1 schemas stay backward compatible (``devstack.xml_compat``)
with the ones before this change (commit ``BASE``).
"""

from pathlib import Path

import pytest

from adapters.ceisa.documents import build_application
from contracts.decision import RegistrationSummary
from contracts.registration import CustomsExpert, TransportMeans
from contracts.xml_messages import REGISTRATION, TTP_RK
from contracts.xml_reader import read_customs_document
from contracts.xsd import schema_path
from devstack.xml_compat import check_compatible
from gateway.rules.customs_data import normalised_means, valid_identifier
from gateway.rules.form import check_form
from tests.support import TODAY, submission
from tests.unit.test_ceisa_documents import _decision

PUBLISHED = Path(__file__).resolve().parents[1] / "samples" / "published_xsd"
"""The v1 schemas as published before the PER-21 articles changed them (from commit
53f3765), kept as files so the check needs no git history (a shallow clone has none)."""
FULLWIDTH = "IMO" + "".join(chr(0xFF10 + int(d)) for d in "9074729")
REPO = Path(__file__).resolve().parents[2]
CARRIER = {"mode": "SEA", "identifier": "IMO 9074729", "name": "KM Contoh Bahari"}


def reasons(**organisation):
    sub = submission()
    org = sub.organisation.model_copy(update=organisation)
    return [
        (r.code, r.rule, r.field)
        for r in check_form(sub.model_copy(update={"organisation": org}), TODAY).reasons
    ]


def test_a_ppjk_with_its_expert_and_a_carrier_with_its_vessel_pass():
    assert (
        reasons(
            business_types=["PPJK", "PENGANGKUT"],
            customs_expert=CustomsExpert(certificate_number="sak-12/2019"),
            transport_means=[TransportMeans(**CARRIER)],
        )
        == []
    )


@pytest.mark.parametrize(
    ("organisation", "expected"),
    [
        (
            {
                "business_types": ["IMPORTIR"],
                "customs_expert": CustomsExpert(certificate_number="SAK-1"),
            },
            ("CUSTOMS_EXPERT_NOT_PPJK", "R6", "organisation.customs_expert"),
        ),
        (
            {"business_types": ["PPJK"], "customs_expert": CustomsExpert(certificate_number="")},
            (
                "CUSTOMS_EXPERT_CERTIFICATE_FORMAT",
                "R6",
                "organisation.customs_expert.certificate_number",
            ),
        ),
        (
            {
                "business_types": ["PPJK"],
                "customs_expert": CustomsExpert(certificate_number="SAK-١٢٣"),
            },
            (
                "CUSTOMS_EXPERT_CERTIFICATE_FORMAT",
                "R6",
                "organisation.customs_expert.certificate_number",
            ),
        ),
        (
            {"business_types": ["EKSPORTIR"], "transport_means": [TransportMeans(**CARRIER)]},
            ("TRANSPORT_MEANS_NOT_CARRIER", "R6", "organisation.transport_means"),
        ),
        (
            {
                "business_types": ["PENGANGKUT"],
                "transport_means": [TransportMeans(mode="SPACE", identifier="X1")],
            },
            ("TRANSPORT_MODE_UNKNOWN", "R6", "organisation.transport_means[0].mode"),
        ),
        (
            {
                "business_types": ["PENGANGKUT"],
                "transport_means": [TransportMeans(mode="SEA", identifier="IMO 9074728")],
            },
            ("TRANSPORT_MEANS_ID_FORMAT", "R6", "organisation.transport_means[0].identifier"),
        ),
        (
            {
                "business_types": ["PENGANGKUT"],
                "transport_means": [TransportMeans(**CARRIER), TransportMeans(**CARRIER)],
            },
            ("TRANSPORT_MEANS_DUPLICATE", "R6", "organisation.transport_means[1].identifier"),
        ),
        (
            {
                "business_types": ["PENGANGKUT"],
                "transport_means": [
                    TransportMeans(mode="AIR", identifier="PK-GMA", name="x" * 101)
                ],
            },
            ("TRANSPORT_MEANS_NAME_FORMAT", "R6", "organisation.transport_means[0].name"),
        ),
        (
            {
                "business_types": ["PENGANGKUT"],
                "transport_means": [
                    TransportMeans(mode="LAND", identifier=f"B-{n}-XY") for n in range(21)
                ],
            },
            ("TRANSPORT_MEANS_TOO_MANY", "R6", "organisation.transport_means"),
        ),
    ],
)
def test_each_malformed_or_misplaced_value_is_named_with_its_field_and_rule(organisation, expected):
    assert reasons(**organisation) == [expected]


@pytest.mark.parametrize(
    ("mode", "identifier", "valid"),
    [
        ("SEA", "IMO9074729", True),  # 9*7+0*6+7*5+4*4+7*3+2*2 = 139: check digit 9
        ("SEA", "IMO9074720", False),
        ("SEA", "9074729", False),  # the IMO prefix is part of the number
        ("SEA", FULLWIDTH, False),  # fullwidth digits are not ASCII digits
        ("AIR", "PK-GMA", True),
        ("AIR", "PK GMA", False),  # the caller compacts spaces away first
    ],
)
def test_vessels_need_a_valid_imo_number(mode, identifier, valid):
    assert valid_identifier(mode, identifier) is valid


def test_the_registration_xml_carries_the_expert_and_transport_means_normalised():
    decision = _decision(
        business_types=["PPJK", "PENGANGKUT"],
        customs_expert={"certificate_number": "SAK-12/2019"},
        transport_means=[t.model_dump() for t in normalised_means([TransportMeans(**CARRIER)])],
    )
    document = read_customs_document(build_application(decision, "INSW"))
    ns = {"r": REGISTRATION.namespace()}
    root = document.root
    assert root.xpath("r:CustomsExpert/r:CertificateNumber/text()", namespaces=ns) == [
        "SAK-12/2019"
    ]
    means = root.findall(f"{{{REGISTRATION.namespace()}}}TransportMeansList/*")
    assert [[c.text for c in m] for m in means] == [["SEA", "IMO9074729", "KM Contoh Bahari"]]


def test_a_registration_without_them_is_unchanged():
    document = build_application(_decision(), "INSW")
    assert b"CustomsExpert" not in document and b"TransportMeans" not in document
    assert RegistrationSummary.model_fields["customs_expert"].default is None


@pytest.mark.parametrize("message", [REGISTRATION, TTP_RK], ids=lambda m: m.name)
def test_the_changed_v1_schemas_stay_compatible_with_the_published_ones(tmp_path, message):
    for name in (message.schema(), "ceisa/v1/common.xsd"):
        published = (PUBLISHED / name).read_bytes()
        (tmp_path / Path(name).name).write_bytes(published)
    old = tmp_path / Path(message.schema()).name
    assert old.read_bytes() != schema_path(message.schema()).read_bytes()  # it did change
    check_compatible(old, schema_path(message.schema()))
