"""The AHU adapter: the whole of it is this client; the agency kit does the rest."""

from urllib.parse import quote

from adapters.kit.http import AgencyHttp
from adapters.kit.lookups import lookup_answer
from contracts.verification import AgencyAnswer, VerificationRequested


class AhuClient:
    """Implements the agency client protocol for AHU."""

    check: str = "AHU"

    def __init__(self, http: AgencyHttp) -> None:
        self._http = http

    async def verify(self, request: VerificationRequested) -> AgencyAnswer:
        """A registered name is VERIFIED; an unknown one NOT_FOUND."""
        answer = await self._http.call("GET", f"/ahu/v1/entities?name={quote(request.identifier)}")
        return lookup_answer(
            request,
            answer,
            agency="AHU",
            to_record=lambda body: body if isinstance(body, dict) else None,
            attach=lambda record: {},
        )
