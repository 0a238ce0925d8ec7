"""The agencies the hub asks, as data: one :class:`AgencySpec` row per check.

Why data: the gateway, the decision explanation, the topic list, devstack,
compose and the fault suite all need to know which agencies exist. Each of
them loops over :data:`AGENCIES` instead of naming OSS, DJP and Dukcapil, so a
new agency is its adapter folder, one row here, its rule and its simulator.

A row says which submission field the agency verifies (the identifier it is
asked about), which rules of the manual its answer settles, where it is asked
and what its answer looks like. Everything else about asking (request ids,
lineage, retries) is the same for every agency.
"""

import json
import operator
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from functools import reduce
from typing import Annotated, Any

from pydantic import Field, PydanticUserError, TypeAdapter, ValidationError

from contracts.verification import (
    AgencyAnswer,
    Check,
    NibAnswer,
    NikAnswer,
    NpwpAnswer,
    VerificationRequested,
)


@dataclass(frozen=True, slots=True)
class AgencySpec:
    """One agency check: who answers, about which field, settling which rules."""

    check: str
    """The check's name on the wire (``NIB``); unique among the specs."""
    agency: str
    """The agency that owns the identifier, as decisions name it (``OSS``)."""
    request_topic: str
    """Where the gateway asks; the adapter answers on the shared completed topic."""
    field: str
    """The submission field whose value the agency is asked about (``organisation.nib``)."""
    settles: tuple[str, ...]
    """The rules of the manual the answer settles (``R3``, ``R8``)."""
    answer: type[AgencyAnswer] = AgencyAnswer
    """The answer model; :class:`AgencyAnswer` when the agency only gives an outcome."""
    adapter: str = ""
    """The adapter's Python package, run as ``python -m <adapter>``."""
    service: str = ""
    """The adapter's service name, also its consumer group."""
    simulator: str = ""
    """The local simulator's name (``python -m simulators <name>``)."""
    base_url_env: str = ""
    """The environment variable holding the agency's base URL for its adapter."""
    simulator_port: int = 0
    """The local simulator's default port (``0``: any free one)."""
    sends_name: bool = False
    """The agency matches the applicant's name together with the identifier."""
    signer: str = ""
    """The principal whose key signs this check's answers (its adapter); see runtime.signing.

    The gateway accepts an answer for this check only when signed by this
    signer, so an adapter cannot answer for another agency.
    """

    @property
    def env_prefix(self) -> str:
        """The prefix of the adapter's settings (``OSS`` for ``OSS_BASE_URL``)."""
        return self.base_url_env.removesuffix("_BASE_URL")


OSS_NIB = AgencySpec(
    check=Check.NIB,
    agency="OSS",
    request_topic="insw.verification.nib.requested.v1",
    field="organisation.nib",
    settles=("R3", "R8"),
    answer=NibAnswer,
    adapter="adapters.oss_nib",
    service="insw-adapter-oss-nib",
    signer="adapter-oss-nib",
    simulator="oss",
    base_url_env="OSS_BASE_URL",
    simulator_port=8101,
)
DJP_NPWP = AgencySpec(
    check=Check.NPWP,
    agency="DJP",
    request_topic="insw.verification.npwp.requested.v1",
    field="organisation.npwp",
    settles=("R4",),
    answer=NpwpAnswer,
    adapter="adapters.djp_npwp",
    service="insw-adapter-djp-npwp",
    signer="adapter-djp-npwp",
    simulator="djp",
    base_url_env="DJP_BASE_URL",
    simulator_port=8102,
)
DUKCAPIL_NIK = AgencySpec(
    check=Check.NIK,
    agency="DUKCAPIL",
    request_topic="insw.verification.nik.requested.v1",
    field="applicant.identity.number",
    settles=("R9",),
    answer=NikAnswer,
    adapter="adapters.dukcapil",
    service="insw-adapter-dukcapil",
    signer="adapter-dukcapil",
    simulator="dukcapil",
    base_url_env="DUKCAPIL_BASE_URL",
    simulator_port=8103,
    sends_name=True,
)

AGENCIES: tuple[AgencySpec, ...] = (OSS_NIB, DJP_NPWP, DUKCAPIL_NIK)
"""The agencies the hub ships with, in the order decisions list their checks."""


class Agencies:
    """A set of specs looked up by check; the gateway is given one, tests give their own."""

    def __init__(self, specs: Iterable[AgencySpec] = AGENCIES) -> None:
        self.specs: tuple[AgencySpec, ...] = tuple(specs)
        self._by_check: Mapping[str, AgencySpec] = {s.check: s for s in self.specs}
        if len(self._by_check) != len(self.specs):
            raise ValueError("two agency specs share a check")
        self._union = _answer_union(self.specs)

    def __contains__(self, check: object) -> bool:
        return check in self._by_check

    def spec(self, check: str) -> AgencySpec:
        """The spec of ``check``; ``KeyError`` for a check no agency owns."""
        return self._by_check[check]

    def order(self, check: str) -> int:
        """Where ``check`` sorts among the specs (decisions list checks in spec order)."""
        return self.specs.index(self._by_check[check]) if check in self._by_check else len(self)

    def __len__(self) -> int:
        return len(self.specs)

    def answer_model(self, check: str) -> type[AgencyAnswer]:
        """The model of ``check``'s answers (the base model for an unknown check)."""
        spec = self._by_check.get(check)
        return spec.answer if spec is not None else AgencyAnswer

    def decode_answer(self, value: bytes) -> AgencyAnswer:
        """Parse an answer with its own agency's model, chosen by its ``check``.

        Raises ``ValueError`` (a :class:`~pydantic.ValidationError` or a plain
        one naming the check) for an answer no registered agency gives.
        """
        if self._union is not None:
            try:  # the common case, in one pass of pydantic's JSON parser
                answer: AgencyAnswer = self._union.validate_json(value)
                spec = self._by_check.get(answer.check)
                if spec is not None and type(answer) is spec.answer:
                    return answer
            except ValidationError:
                pass  # refused again below, with the errors callers have always seen
        data = json.loads(value)
        check = data.get("check") if isinstance(data, dict) else None
        if not isinstance(check, str) or check not in self._by_check:
            raise ValueError(f"check: no agency answers {str(check)[:16]!r}")
        return self._by_check[check].answer.model_validate(data)

    def signers(self) -> frozenset[str]:
        """Every agency's answer signer: who may write on the completed channel."""
        return frozenset(s.signer for s in self.specs if s.signer)

    def request_topics(self) -> frozenset[str]:
        """Every agency's request topic: where the gateway asks its questions."""
        return frozenset(s.request_topic for s in self.specs)


def _answer_union(specs: Sequence[AgencySpec]) -> TypeAdapter[Any] | None:
    """The agencies' answer models as one union told apart by ``check``, when they allow it.

    Why: decoding an answer is on the gateway's hot path (each answer as it
    arrives and again from the store when its application is decided); one
    validation of the JSON bytes costs half of parsing then validating the
    dict. ``None`` when some model's ``check`` is not a literal tag (a test's
    agency answering with the base model): then answers are decoded the plain way.
    """
    models = tuple(dict.fromkeys(spec.answer for spec in specs))
    if len(models) < 2:
        return None
    try:
        tagged: Any = Annotated[reduce(operator.or_, models), Field(discriminator="check")]
        return TypeAdapter(tagged)
    except PydanticUserError:
        return None


SHIPPED = Agencies()
"""The shipped agencies, for code that is not given a set of its own."""


def answer_for(request: VerificationRequested, **fields: object) -> AgencyAnswer:
    """An answer to ``request`` in its agency's model, echoing the question's identifier and id."""
    model = SHIPPED.answer_model(request.check)
    return model.model_validate(
        {
            "submission_id": request.submission_id,
            "check": request.check,
            "identifier": request.identifier,
            "request_id": request.request_id,
            **fields,
        }
    )


__all__ = [
    "AGENCIES",
    "DJP_NPWP",
    "DUKCAPIL_NIK",
    "OSS_NIB",
    "SHIPPED",
    "Agencies",
    "AgencySpec",
    "answer_for",
]
