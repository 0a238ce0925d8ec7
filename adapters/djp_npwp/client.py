"""The DJP client: one NPWP look-up per verification request."""

from adapters.djp_npwp import wire
from contracts.verification import AgencyAnswer, Check, VerificationRequested
from runtime.agency_http import AgencyHttp
from runtime.lookups import lookup_answer


class DjpNpwpClient:
    """Implements :class:`runtime.verifier.AgencyClient` for DJP."""

    check: str = Check.NPWP

    def __init__(self, http: AgencyHttp) -> None:
        self._http = http

    async def verify(self, request: VerificationRequested) -> AgencyAnswer:
        """Look the NPWP up; a registered NPWP is VERIFIED, active or not."""
        answer = await self._http.call("GET", wire.lookup_path(request.identifier))
        return lookup_answer(
            request,
            answer,
            agency="DJP",
            to_record=wire.to_record,
            attach=lambda record: {"npwp_record": record},
        )
