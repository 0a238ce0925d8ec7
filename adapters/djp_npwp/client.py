"""The DJP client: one NPWP look-up per verification request."""

from adapters.djp_npwp import wire
from adapters.kit.http import AgencyHttp
from adapters.kit.lookups import lookup_answer
from contracts.verification import AgencyAnswer, Check, VerificationRequested


class DjpNpwpClient:
    """Implements :class:`adapters.kit.verifier.AgencyClient` for DJP."""

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
