"""R11 at the document store: the Surat Kuasa a submission points to must exist, unchanged.

The form only carries a claim check (document id and SHA-256). The gateway
looks the id up in the hub's document store and passes what it found here;
this rule compares, it does no I/O.
"""

from contracts import reasons as rc
from contracts.reasons import Reason
from contracts.registration import DocumentRef
from gateway.rules.form import well_formed_reference

FIELD = "attachments.power_of_attorney"


def document_reasons(reference: DocumentRef | None, stored_sha256: str | None) -> list[Reason]:
    """Why the referenced document cannot be trusted; empty when it resolves and matches.

    An incomplete or malformed reference is already a form reason (R11); it
    is not repeated here as a missing document or a digest mismatch.
    """
    if reference is None or not well_formed_reference(reference):
        return []
    if stored_sha256 is None:
        return [rc.POWER_OF_ATTORNEY_NOT_FOUND.at(FIELD)]
    if stored_sha256 != (reference.sha256 or "").lower():
        return [rc.POWER_OF_ATTORNEY_HASH_MISMATCH.at(f"{FIELD}.sha256")]
    return []
