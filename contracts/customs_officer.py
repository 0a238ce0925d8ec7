"""``customs.officer-command.v1``: what a customs officer records in the customs process.

Two acts PER-21/BC/2011 gives a customs office, recorded through the hub:

* :class:`RecordManualRegistration` (C13, Art. 11-12): an exporter brought
  the registration form and documents to the office by hand; the hub issues
  the Attachment V receipt to CEISA and opens the office's 1-working-day clock;
* :class:`ApproveInterimImport` (C14, Art. 40): the head of the office
  approved one import notification for an importer without a customs id.

Like officers' decisions on referred applications, these are decision
inputs: a record must be signed by the officers' desk or the gateway (the
channel's signers), and ``officer_id`` is the authenticated officer's staff
id, not a name. Dates are calendar dates in Indonesia. No personal data.
"""

from datetime import date
from typing import Annotated, Literal

from pydantic import Field

from contracts.customs import SupportingDocument, _Command

_ID = r"^[A-Za-z0-9._:-]+$"


class _OfficerCommand(_Command):
    """A trader command's id and submission, plus who records it and where."""

    officer_id: str = Field(
        min_length=1,
        max_length=64,
        pattern=r"^[A-Za-z0-9._-]+$",
        description="Staff identifier of the authenticated officer (not a name)",
    )
    office_code: str = Field(
        min_length=1, max_length=64, pattern=_ID, description="The customs office acting"
    )


class RecordManualRegistration(_OfficerCommand):
    """An exporter registered by hand at the office (C13, Art. 2(3), 11-12)."""

    kind: Literal["RECORD_MANUAL_REGISTRATION"] = "RECORD_MANUAL_REGISTRATION"
    received_on: date = Field(description="Day the office received form and documents")
    activities: list[Literal["EKSPORTIR"]] = Field(
        min_length=1, max_length=1, description="Exporting only: the manual channel's scope"
    )
    documents: list[SupportingDocument] = Field(
        min_length=1, max_length=20, description="The Art. 6(2) documents, by reference"
    )


class ApproveInterimImport(_OfficerCommand):
    """The head of the office approved one import notification without a customs id (C14)."""

    kind: Literal["APPROVE_INTERIM_IMPORT"] = "APPROVE_INTERIM_IMPORT"
    approved_on: date
    import_notification: str = Field(
        min_length=1, max_length=64, pattern=_ID, description="The one notification served"
    )


OfficerCommand = Annotated[
    RecordManualRegistration | ApproveInterimImport,
    Field(discriminator="kind"),
]
"""``customs.officer-command.v1``: one officer act per record, keyed by submission id."""
