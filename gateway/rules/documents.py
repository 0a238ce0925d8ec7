"""R11 at the document store: the Surat Kuasa a submission points to must exist, unchanged.

The form only carries a claim check (document id, SHA-256, media type). The
gateway looks the id up in the hub's document store and passes what it found
here; this rule compares, it does no I/O.
"""

from dataclasses import dataclass

from contracts import reasons as rc
from contracts.reasons import Reason
from contracts.registration import DocumentRef
from gateway.rules.form import POWER_OF_ATTORNEY_MEDIA_TYPE, well_formed_reference

FIELD = "attachments.power_of_attorney"


@dataclass(frozen=True, slots=True)
class StoredFacts:
    """What the document store holds about one document: its digest and media type."""

    sha256: str
    media_type: str


def document_reasons(reference: DocumentRef | None, stored: StoredFacts | None) -> list[Reason]:
    """Why the referenced document cannot be trusted; empty when it resolves and matches.

    An incomplete or malformed reference is already a form reason (R11); it
    is not repeated here as a missing document or a digest mismatch.
    """
    if reference is None or not well_formed_reference(reference):
        return []
    if stored is None:
        return [rc.POWER_OF_ATTORNEY_NOT_FOUND.at(FIELD)]
    if stored.sha256 != (reference.sha256 or "").lower():
        return [rc.POWER_OF_ATTORNEY_HASH_MISMATCH.at(f"{FIELD}.sha256")]
    if stored.media_type.strip().lower() != POWER_OF_ATTORNEY_MEDIA_TYPE:
        return [rc.POWER_OF_ATTORNEY_NOT_PDF.at(f"{FIELD}.media_type")]
    return []
