"""The decision pipeline as one object: the agencies, their judges and the rule catalogue.

Why an object: the gateway's handlers, officers' decisions, re-checks and
hubctl's what-if all decide with the same three steps (assess, decide,
explain). Giving each of them one :class:`Rulebook` keeps them from drifting
apart, and lets a test decide with an extra agency or an extra rule without
touching the product.
"""

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date

from contracts.agencies import SHIPPED, Agencies
from contracts.decision import RuleResult
from contracts.registration import RegistrationSubmitted
from contracts.rules import RULES, RuleSpec
from contracts.verification import AgencyAnswer
from gateway.rules.agency import JUDGES, Judge
from gateway.rules.assess import Assessment, FormRule, assess
from gateway.rules.decide import Verdict, decide
from gateway.rules.documents import StoredFacts
from gateway.rules.explain import explain


@dataclass(frozen=True)
class Rulebook:
    """Everything a decision depends on besides the submission and the answers."""

    agencies: Agencies = SHIPPED
    judges: Mapping[str, Judge] = field(default_factory=lambda: dict(JUDGES))
    catalogue: tuple[RuleSpec, ...] = RULES
    extra_rules: tuple[FormRule, ...] = ()

    def assess(
        self, sub: RegistrationSubmitted, today: date, documents: Mapping[str, StoredFacts]
    ) -> Assessment:
        """See :func:`gateway.rules.assess.assess`."""
        return assess(sub, today, documents, self.agencies, self.extra_rules)

    def decide(self, assessment: Assessment, answers: Mapping[str, AgencyAnswer]) -> Verdict:
        """See :func:`gateway.rules.decide.decide`."""
        return decide(assessment, answers, self.agencies, self.judges)

    def explain(
        self, verdict: Verdict, assessment: Assessment, answers: Mapping[str, AgencyAnswer]
    ) -> list[RuleResult]:
        """See :func:`gateway.rules.explain.explain`."""
        return explain(verdict, assessment, answers, self.agencies, self.catalogue)


SHIPPED_RULES = Rulebook()
"""The rulebook the hub runs with."""
