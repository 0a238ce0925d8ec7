"""Reading an agency's answer to a look-up the same way for every agency.

OSS and DJP (and any agency that answers "here is the record" or "no such
record") follow one convention: 404 is NOT_FOUND, 400 is the agency refusing
the request (INVALID), a 200 whose body maps to a record is VERIFIED, and
anything else is an agency that could not give a usable answer.
"""

from collections.abc import Callable
from typing import Any, TypeVar

from adapters.kit.http import AgencyUnavailable, HttpAnswer
from contracts.agencies import answer_for
from contracts.verification import AgencyAnswer, CheckOutcome, VerificationRequested

R = TypeVar("R")


def lookup_answer(
    request: VerificationRequested,
    answer: HttpAnswer,
    *,
    agency: str,
    to_record: Callable[[Any], R | None],
    attach: Callable[[R], dict[str, Any]],
) -> AgencyAnswer:
    """The verification result for one look-up answer; raise AgencyUnavailable if unusable.

    ``attach`` names the contract field the record goes into (e.g. ``nib_record``).
    """
    if answer.status == 404:
        return answer_for(request, outcome=CheckOutcome.NOT_FOUND)
    if answer.status == 400:
        return answer_for(
            request, outcome=CheckOutcome.INVALID, detail=f"{agency} refused the request format"
        )
    record = to_record(answer.body) if answer.status == 200 else None
    if record is None:
        raise AgencyUnavailable(f"{agency} answered HTTP {answer.status} with an unusable body")
    return answer_for(request, outcome=CheckOutcome.VERIFIED, **attach(record))
