"""The OSS client: one NIB inquiry per verification request."""

from adapters.oss_nib import wire
from contracts.verification import (
    Check,
    CheckOutcome,
    VerificationCompleted,
    VerificationRequested,
)
from runtime.agency_http import AgencyHttp, AgencyUnavailable


class OssNibClient:
    """Implements :class:`runtime.verifier.AgencyClient` for OSS."""

    check = Check.NIB

    def __init__(self, http: AgencyHttp) -> None:
        self._http = http

    async def verify(self, request: VerificationRequested) -> VerificationCompleted:
        """Look the NIB up; a found NIB is VERIFIED and carries its record."""
        answer = await self._http.call("GET", wire.inquiry_path(request.identifier))
        done = VerificationCompleted
        sid = request.submission_id
        if answer.status == 404:
            return done(submission_id=sid, check=self.check, outcome=CheckOutcome.NOT_FOUND)
        if answer.status == 400:
            return done(
                submission_id=sid,
                check=self.check,
                outcome=CheckOutcome.INVALID,
                detail="OSS refused the NIB format",
            )
        record = wire.to_record(answer.body) if answer.status == 200 else None
        if record is None:
            raise AgencyUnavailable(f"OSS answered HTTP {answer.status} with an unusable body")
        return done(
            submission_id=sid, check=self.check, outcome=CheckOutcome.VERIFIED, nib_record=record
        )
