"""R16 usernames: six uppercase hexadecimal characters, unique, stable per submission.

Candidates are derived from the submission id, so a redelivered decision asks
for the same name again and gets it back: the claim is idempotent. A clash
with another submission moves on to the next candidate.
"""

import hashlib
from collections.abc import Sequence

from gateway.store import RegistrationStore

MAX_ATTEMPTS = 32


def candidate(submission_id: str, attempt: int) -> str:
    """The ``attempt``-th username candidate for a submission (e.g. ``4C7ADA``)."""
    digest = hashlib.sha256(f"{submission_id}:{attempt}".encode()).hexdigest()
    return digest[:6].upper()


async def allocate(store: RegistrationStore, submission_ids: Sequence[str]) -> dict[str, str]:
    """A unique username for each submission id, claimed in the store in batches."""
    allocated: dict[str, str] = {}
    pending = list(dict.fromkeys(submission_ids))
    for attempt in range(MAX_ATTEMPTS):
        if not pending:
            break
        names = [(candidate(sid, attempt), sid) for sid in pending]
        won = await store.claim_username(names)
        for (name, sid), ok in zip(names, won, strict=True):
            if ok:
                allocated[sid] = name
        pending = [sid for sid in pending if sid not in allocated]
    if pending:
        raise RuntimeError(f"no free username after {MAX_ATTEMPTS} attempts")
    return allocated
