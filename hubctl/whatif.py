"""What-if: re-decide recorded submissions under the current rules and compare.

Why: before a rules release, integrators and INSW officers want to know which
past applications would now be decided differently, and why, without asking
an agency again or touching the running hub. So this module is pure: it works
on decoded records (:class:`~hubctl.history.HistoryRecord`) and calls the
gateway's own rule functions the way :mod:`gateway.handlers` does:

* the form (R1 to R12) is checked as of the day the submission was made
  (``submitted_at``, in UTC like the gateway's clock), never today, so a NIK
  or a date that was valid then stays valid;
* the Surat Kuasa's presence and digest in the document store (R11) cannot be
  re-checked offline: the recorded decision's document reasons are taken as
  given, and each comparison says when it did so;
* the agencies are not asked: their recorded answers (the last one per check,
  as the gateway keeps them) stand in for them;
* a decision made by an officer is not re-decided: no rule reproduces it.

Only the last recorded decision per submission is compared (a REFERRED
application re-checked later has two), by outcome and by reasons, each
reason written ``CODE(field)``. Nothing here reads names, NIKs or emails
into the comparison.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, date
from enum import StrEnum

from contracts import reasons as rc
from contracts import topics
from contracts.decision import RegistrationDecided
from contracts.reasons import Reason
from contracts.registration import RegistrationSubmitted
from contracts.verification import AgencyAnswer
from gateway.rules import RULES_VERSION
from gateway.rules.decide import Verdict
from gateway.rules.documents import StoredFacts
from gateway.rules.form import POWER_OF_ATTORNEY_MEDIA_TYPE
from gateway.rules.pipeline import SHIPPED_RULES, Rulebook
from hubctl.history import HistoryRecord
from runtime.codec import decode, parse_with
from runtime.errors import PoisonMessage

UNDECIDED = "UNDECIDED"
"""New outcome of a submission the current rules would send to agencies never asked."""

DOCUMENT_CODES = frozenset(
    {rc.POWER_OF_ATTORNEY_NOT_FOUND.code, rc.POWER_OF_ATTORNEY_HASH_MISMATCH.code}
)
"""Reasons found in the document store, not on the form: taken from the recorded decision."""

OFFICER_DECIDED = "decided by an officer"
NO_SUBMISSION = "submission not in the history"


class Status(StrEnum):
    """How a recorded decision fares under the current rules."""

    UNCHANGED = "unchanged"
    CHANGED = "changed"
    NOT_REDECIDED = "not re-decided"


@dataclass
class SubmissionHistory:
    """Everything recorded about one submission, folded as the gateway would see it."""

    submission_id: str
    submission: RegistrationSubmitted | None = None
    answers: dict[str, AgencyAnswer] = field(default_factory=dict)
    decision: RegistrationDecided | None = None


@dataclass(frozen=True)
class Comparison:
    """One submission's recorded decision next to its re-decision."""

    submission_id: str
    status: Status
    old_outcome: str
    new_outcome: str | None
    added: tuple[str, ...] = ()
    removed: tuple[str, ...] = ()
    recorded_rules_version: str = ""
    note: str = ""
    documents_as_given: bool = False


@dataclass(frozen=True)
class WhatIfReport:
    """Every comparison, plus what could not be compared and why."""

    current_rules_version: str
    comparisons: tuple[Comparison, ...]
    undecided: int = 0
    """Submissions with no recorded decision (still in progress when recorded)."""
    unreadable: Mapping[str, int] = field(default_factory=dict)
    """Records per topic whose value is not the contract's JSON (the gateway dead-letters them)."""

    @property
    def changed(self) -> list[Comparison]:
        """The comparisons whose outcome or reasons differ, by submission id."""
        return [c for c in self.comparisons if c.status is Status.CHANGED]

    def transitions(self) -> Counter[tuple[str, str]]:
        """Re-decided submissions by (recorded outcome, new outcome)."""
        return Counter(
            (c.old_outcome, c.new_outcome or UNDECIDED)
            for c in self.comparisons
            if c.status is not Status.NOT_REDECIDED
        )

    def not_redecided(self) -> Counter[str]:
        """Submissions left out of the comparison, by why."""
        return Counter(c.note for c in self.comparisons if c.status is Status.NOT_REDECIDED)

    def recorded_rules_versions(self) -> Counter[str]:
        """Rules versions the compared decisions were made under."""
        return Counter(c.recorded_rules_version for c in self.comparisons)

    def documents_as_given(self) -> int:
        """Re-decisions that took the recorded Surat Kuasa reasons as given."""
        return sum(c.documents_as_given for c in self.comparisons)


def what_if(records: Iterable[HistoryRecord], rules_version: str = RULES_VERSION) -> WhatIfReport:
    """Re-decide every recorded submission that has a recorded decision; see the module doc."""
    histories, unreadable, undecided = gather(records)
    comparisons = tuple(redecide(h) for _, h in sorted(histories.items()) if h.decision is not None)
    return WhatIfReport(rules_version, comparisons, undecided, unreadable)


def gather(
    records: Iterable[HistoryRecord],
) -> tuple[dict[str, SubmissionHistory], dict[str, int], int]:
    """Fold records into one history per submission id, in offset order.

    As the gateway: the first submission of an id wins, a later answer for the
    same check overwrites an earlier one, and the last decision is the one in
    force. A submission's records share its key, hence one partition per
    topic, so offset order is the order they were published in.
    """
    histories: dict[str, SubmissionHistory] = {}
    unreadable: Counter[str] = Counter()
    for record in sorted(records, key=lambda r: (r.topic, r.partition, r.offset)):
        try:
            _fold(histories, record)
        except PoisonMessage:
            unreadable[record.topic] += 1
    undecided = sum(
        1 for h in histories.values() if h.submission is not None and h.decision is None
    )
    return histories, dict(unreadable), undecided


def _fold(histories: dict[str, SubmissionHistory], record: HistoryRecord) -> None:
    raw = None if record.value is None else record.value.encode()
    if record.topic == topics.REGISTRATION_SUBMITTED:
        sub = decode(RegistrationSubmitted, raw)
        history = _history(histories, sub.submission_id)
        if history.submission is None:
            history.submission = sub
    elif record.topic == topics.VERIFICATION_COMPLETED:
        answer = parse_with(SHIPPED_RULES.agencies.decode_answer, raw, "agency answer")
        _history(histories, answer.submission_id).answers[answer.check] = answer
    elif record.topic == topics.REGISTRATION_DECIDED:
        decision = decode(RegistrationDecided, raw)
        _history(histories, decision.submission_id).decision = decision


def _history(histories: dict[str, SubmissionHistory], submission_id: str) -> SubmissionHistory:
    return histories.setdefault(submission_id, SubmissionHistory(submission_id))


def submission_day(sub: RegistrationSubmitted) -> date:
    """The UTC day a submission was made: the day its form is judged as of."""
    moment = sub.submitted_at
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC).date()


def reason_key(reason: Reason) -> str:
    """A reason as compared and reported: its code and the field it names, never a value."""
    return f"{reason.code}({reason.field})"


def redecide(history: SubmissionHistory, rulebook: Rulebook = SHIPPED_RULES) -> Comparison:
    """Re-decide one submission with a recorded decision and compare the two.

    It goes through the gateway's own pipeline (assess, then decide). The
    Surat Kuasa is taken as the recorded decision found it: matching the
    reference, unless the decision named a document-store reason.
    """
    old = history.decision
    if old is None:
        raise ValueError(f"{history.submission_id} has no recorded decision")
    sub = history.submission
    if sub is None:
        return _left_out(old, NO_SUBMISSION)
    if old.decided_by is not None:
        return _left_out(old, OFFICER_DECIDED)
    given = [r for r in old.reasons if r.code in DOCUMENT_CODES]
    assessment = rulebook.assess(sub, submission_day(sub), _documents_as_referenced(sub))
    if given:
        assessment = assessment.model_copy(
            update={"reasons": [*assessment.reasons, *given], "identifiers": {}, "unproven": []}
        )
    needed = assessment.checks_needed
    missing = [check for check in needed if check not in history.answers]
    if missing:
        return _without_answers(old, missing, rulebook, documents_as_given=bool(given))
    verdict = rulebook.decide(assessment, {check: history.answers[check] for check in needed})
    return compare(old, verdict, documents_as_given=bool(given))


def _documents_as_referenced(sub: RegistrationSubmitted) -> dict[str, StoredFacts]:
    """The document store as the submission references it (offline: it cannot be asked)."""
    ref = sub.attachments.power_of_attorney
    if ref is None or not ref.document_id:
        return {}
    return {ref.document_id: StoredFacts((ref.sha256 or "").lower(), POWER_OF_ATTORNEY_MEDIA_TYPE)}


def compare(
    old: RegistrationDecided, verdict: Verdict, *, documents_as_given: bool = False
) -> Comparison:
    """The recorded decision against a new verdict: outcome, reasons added and removed."""
    before = Counter(reason_key(r) for r in old.reasons)
    after = Counter(reason_key(r) for r in verdict.reasons)
    added = tuple(sorted((after - before).elements()))
    removed = tuple(sorted((before - after).elements()))
    same = verdict.outcome is old.outcome and not added and not removed
    return Comparison(
        submission_id=old.submission_id,
        status=Status.UNCHANGED if same else Status.CHANGED,
        old_outcome=old.outcome.value,
        new_outcome=verdict.outcome.value,
        added=added,
        removed=removed,
        recorded_rules_version=old.rules_version,
        note=_documents_note(documents_as_given),
        documents_as_given=documents_as_given,
    )


def _without_answers(
    old: RegistrationDecided, missing: list[str], rulebook: Rulebook, *, documents_as_given: bool
) -> Comparison:
    """The current rules need agency answers the history does not hold.

    When the recorded decision asked no agency (it failed on the form), the
    rules changed what reaches the agencies: that is a change, to UNDECIDED.
    Otherwise the history was cut short and the submission is left out.
    """
    agencies = ", ".join(rulebook.agencies.spec(check).agency for check in missing)
    if old.checks:
        return _left_out(old, f"answers missing from the history ({agencies})")
    return Comparison(
        submission_id=old.submission_id,
        status=Status.CHANGED,
        old_outcome=old.outcome.value,
        new_outcome=UNDECIDED,
        removed=tuple(sorted(reason_key(r) for r in old.reasons)),
        recorded_rules_version=old.rules_version,
        note=f"would now ask {agencies}; no recorded answers",
        documents_as_given=documents_as_given,
    )


def _left_out(old: RegistrationDecided, why: str) -> Comparison:
    return Comparison(
        submission_id=old.submission_id,
        status=Status.NOT_REDECIDED,
        old_outcome=old.outcome.value,
        new_outcome=None,
        recorded_rules_version=old.rules_version,
        note=why,
    )


def _documents_note(as_given: bool) -> str:
    return "Surat Kuasa reasons taken as recorded" if as_given else ""
