"""The Dukcapil client: one match-flag verification per request."""

from adapters.dukcapil import wire
from adapters.kit.http import AgencyHttp, AgencyUnavailable
from contracts.agencies import answer_for
from contracts.verification import AgencyAnswer, Check, CheckOutcome, VerificationRequested


class DukcapilClient:
    """Implements :class:`adapters.kit.verifier.AgencyClient` for Dukcapil."""

    check: str = Check.NIK

    def __init__(self, http: AgencyHttp) -> None:
        self._http = http

    async def verify(self, request: VerificationRequested) -> AgencyAnswer:
        """VERIFIED when NIK and name both match; MISMATCH names the element that differs."""
        body = wire.verify_body(request.identifier, request.full_name or "")
        answer = await self._http.call("POST", wire.VERIFY_PATH, body)
        if answer.status == 404:
            return answer_for(request, outcome=CheckOutcome.NOT_FOUND)
        if answer.status == 400:
            return answer_for(
                request, outcome=CheckOutcome.INVALID, detail="Dukcapil refused the request"
            )
        match = wire.to_match(answer.body) if answer.status == 200 else None
        if match is None:
            raise AgencyUnavailable(f"Dukcapil answered HTTP {answer.status} unusably")
        if not match.nik_found:
            outcome, detail = CheckOutcome.NOT_FOUND, None
        elif not match.name_matches:
            outcome, detail = CheckOutcome.MISMATCH, "differs: nama_lgkp"
        else:
            outcome, detail = CheckOutcome.VERIFIED, None
        return answer_for(request, outcome=outcome, detail=detail, nik_match=match)
