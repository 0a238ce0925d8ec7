"""Building and validating ``ceisa.registration.v1`` documents (pure, no I/O).

The document id is derived from the decision id, and every value comes from
the decision, so a redelivered decision yields a byte-identical document that
customs can recognise as the same message.
"""

from lxml import etree

from contracts.decision import RegistrationDecided
from contracts.xml_messages import REGISTRATION
from contracts.xml_validation import XmlInvalid, explain
from contracts.xml_validation import validate as validate_with_lxml
from runtime.errors import PoisonMessage

SCHEMA_VERSION = "1.0"
FUNCTION_ORIGINAL = "9"
_NS = f"{{{REGISTRATION.namespace()}}}"


def _add(parent: etree._Element, name: str, text: str | None = None) -> etree._Element:
    element = etree.SubElement(parent, _NS + name)
    if text is not None:
        element.text = text
    return element


def build_application(decision: RegistrationDecided, sender: str) -> bytes:
    """The registration application for an approved decision, validated, as UTF-8 XML."""
    summary = decision.registration
    if summary is None:
        raise PoisonMessage("approved decision without registration summary")
    root = etree.Element(
        _NS + "RegistrationApplication",
        nsmap={None: REGISTRATION.namespace()},
    )
    header = _add(root, "Header")
    _add(header, "SchemaVersion", SCHEMA_VERSION)
    _add(header, "MessageId", f"CEISA-REG-{decision.decision_id}")
    _add(header, "FunctionCode", FUNCTION_ORIGINAL)
    _add(header, "IssuedAt", decision.decided_at.isoformat())
    _add(header, "Sender", sender)
    _add(header, "SubmissionId", decision.submission_id)
    _add(header, "DecisionId", decision.decision_id)
    _add(header, "RulesVersion", decision.rules_version)
    organisation = _add(root, "Organisation")
    _add(organisation, "TraderType", summary.trader_type)
    _add(organisation, "Name", summary.organisation_name)
    if summary.nib:
        _add(organisation, "Nib", summary.nib)
    if summary.npwp:
        _add(organisation, "Npwp", summary.npwp)
    _add(organisation, "Address", summary.address)
    activities = _add(root, "Activities")
    for activity in summary.business_types:
        _add(activities, "Activity", activity)
    applicant = _add(root, "Applicant")
    _add(applicant, "Name", summary.applicant_name)
    _add(applicant, "Position", summary.applicant_position)
    documents = _add(root, "Documents")
    document = _add(documents, "Document")
    document.set("type", "SURAT_KUASA")
    _add(document, "DocumentId", summary.power_of_attorney_id)
    _add(document, "Sha256", summary.power_of_attorney_sha256)
    _customs_data(root, decision)
    validate(root)
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8")


def _customs_data(root: etree._Element, decision: RegistrationDecided) -> None:
    """C5: a PPJK's customs expert and a carrier's transport means, when the form gave them."""
    summary = decision.registration
    assert summary is not None  # checked by the caller
    if summary.customs_expert is not None:
        expert = _add(root, "CustomsExpert")
        _add(expert, "CertificateNumber", summary.customs_expert.certificate_number)
    if summary.transport_means:
        listed = _add(root, "TransportMeansList")
        for means in summary.transport_means:
            item = _add(listed, "TransportMeans")
            _add(item, "Mode", means.mode)
            _add(item, "Identifier", means.identifier)
            if means.name:
                _add(item, "Name", means.name)


def validate(root: etree._Element) -> None:
    """Raise :class:`PoisonMessage` naming the failing elements if the XSD refuses ``root``.

    lxml decides (microseconds, every document); only on failure does
    xmlschema explain, with readable paths. Neither quotes values, which may
    be personal data.
    """
    schema = REGISTRATION.schema()
    try:
        validate_with_lxml(root, schema)
    except XmlInvalid as error:
        reasons = explain(root, schema) or error.errors
        raise PoisonMessage(f"ceisa.registration.v1 invalid: {'; '.join(reasons)}") from None
