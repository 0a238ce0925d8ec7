"""The DJP client: one NPWP look-up per verification request."""

from adapters.djp_npwp import wire
from contracts.verification import (
    Check,
    CheckOutcome,
    VerificationCompleted,
    VerificationRequested,
)
from runtime.agency_http import AgencyHttp, AgencyUnavailable


class DjpNpwpClient:
    """Implements :class:`runtime.verifier.AgencyClient` for DJP."""

    check = Check.NPWP

    def __init__(self, http: AgencyHttp) -> None:
        self._http = http

    async def verify(self, request: VerificationRequested) -> VerificationCompleted:
        """Look the NPWP up; a registered NPWP is VERIFIED, active or not."""
        answer = await self._http.call("GET", wire.lookup_path(request.identifier))
        done = VerificationCompleted
        sid = request.submission_id
        if answer.status == 404:
            return done(submission_id=sid, check=self.check, outcome=CheckOutcome.NOT_FOUND)
        if answer.status == 400:
            return done(
                submission_id=sid,
                check=self.check,
                outcome=CheckOutcome.INVALID,
                detail="DJP refused the NPWP format",
            )
        record = wire.to_record(answer.body) if answer.status == 200 else None
        if record is None:
            raise AgencyUnavailable(f"DJP answered HTTP {answer.status} with an unusable body")
        return done(
            submission_id=sid, check=self.check, outcome=CheckOutcome.VERIFIED, npwp_record=record
        )
