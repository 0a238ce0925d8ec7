"""The OSS client: one NIB inquiry per verification request."""

from adapters.kit.http import AgencyHttp
from adapters.kit.lookups import lookup_answer
from adapters.oss_nib import wire
from contracts.verification import AgencyAnswer, Check, VerificationRequested


class OssNibClient:
    """Implements :class:`adapters.kit.verifier.AgencyClient` for OSS."""

    check: str = Check.NIB

    def __init__(self, http: AgencyHttp) -> None:
        self._http = http

    async def verify(self, request: VerificationRequested) -> AgencyAnswer:
        """Look the NIB up; a found NIB is VERIFIED and carries its record."""
        answer = await self._http.call("GET", wire.inquiry_path(request.identifier))
        return lookup_answer(
            request,
            answer,
            agency="OSS",
            to_record=wire.to_record,
            attach=lambda record: {"nib_record": record},
        )
