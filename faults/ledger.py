"""The ledger: what a run must add up to, counted from what the hub published.

Pure functions over decoded records and mailbox entries, no Kafka and no
files, so the counting itself is unit-tested (``tests/unit/test_ledger.py``)
and a wrong count cannot hide behind I/O. :mod:`faults.observe` gathers the
inputs from a running stack.

The invariants, for a load where every registration is approvable:

* every submission ends with a final decision (APPROVED or REJECTED) or is
  dead-lettered; anything else is **lost**;
* one decision event per outcome and at most one final outcome per
  submission (a REFERRED followed by its APPROVED is two outcomes, not a
  duplicate);
* one email per decision id (the notifier's idempotency key; the mail carries
  it as ``X-INSW-Decision-Id`` and in its ``Message-ID``), one customs
  message per submission;
* no approvable registration is rejected;
* after settling, no hub consumer group has a data record left to process.
"""

from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field

FINAL_OUTCOMES = frozenset({"APPROVED", "REJECTED"})


@dataclass(frozen=True)
class Decision:
    """One record on ``insw.registration.decided.v1``, reduced to what the ledger counts."""

    submission_id: str
    decision_id: str
    outcome: str


@dataclass(frozen=True)
class Mail:
    """One message filed by the dev mailbox: the decision it is about, and its Message-ID."""

    decision_id: str | None
    message_id: str


@dataclass(frozen=True)
class DeadLetter:
    """One record on a ``*.dlq`` topic: its key (the submission id) and its error headers."""

    topic: str
    key: str | None
    errors: Mapping[str, str] = field(default_factory=dict)
    """The ``__connect.errors.*`` headers: where the record came from and why it failed."""


@dataclass(frozen=True)
class Observation:
    """Everything read back from one stack after (or during) a run."""

    submitted: frozenset[str]
    decisions: Sequence[Decision] = ()
    customs_keys: Sequence[str] = ()
    """Keys (submission ids) of the records on ``ceisa.registration.v1``."""
    mails: Sequence[Mail] = ()
    dead_letters: Sequence[DeadLetter] = ()
    lag: Mapping[str, int] | None = None
    """Per hub consumer group, data records after its committed offsets; None: unknown."""


@dataclass(frozen=True)
class Ledger:
    """The counts of one run, and the invariants they break."""

    submitted: int
    decided: int
    approved: int
    rejected: int
    referred: int
    """Submissions that were REFERRED at some point (an agency outage's mark)."""
    lost: tuple[str, ...]
    duplicate_decisions: int
    duplicate_emails: int
    duplicate_customs: int
    approvals_without_one_customs: int
    approvals_without_one_email: int
    dead_letters: tuple[DeadLetter, ...]
    dead_lettered_undecided: int
    lag: Mapping[str, int] | None

    @property
    def lag_total(self) -> int | None:
        """Records left unprocessed over every hub group; None when lag could not be read."""
        return None if self.lag is None else sum(self.lag.values())

    def figures(self) -> dict[str, int | None]:
        """The counts by name, for one-line summaries and comparisons."""
        return {
            "submitted": self.submitted,
            "decided": self.decided,
            "lost": len(self.lost),
            "duplicate_decisions": self.duplicate_decisions,
            "duplicate_emails": self.duplicate_emails,
            "duplicate_customs": self.duplicate_customs,
            "approvals_without_one_customs": self.approvals_without_one_customs,
            "approvals_without_one_email": self.approvals_without_one_email,
            "rejected": self.rejected,
            "referred": self.referred,
            "dead_letters": len(self.dead_letters),
            "lag": self.lag_total,
        }

    @property
    def recovered(self) -> bool:
        """Every submission decided or dead-lettered, and every group caught up."""
        return not self.lost and self.lag_total == 0

    def violations(self) -> list[str]:
        """One sentence per broken invariant; empty when the run adds up."""
        found = []
        if self.lost:
            found.append(f"{len(self.lost)} submission(s) lost, e.g. {', '.join(self.lost[:3])}")
        for count, what in (
            (self.duplicate_decisions, "duplicate decision event(s)"),
            (self.duplicate_emails, "duplicate email(s)"),
            (self.duplicate_customs, "duplicate customs message(s)"),
            (self.approvals_without_one_customs, "approval(s) without exactly one customs message"),
            (self.approvals_without_one_email, "approval(s) without exactly one email"),
            (self.rejected, "approvable registration(s) rejected"),
        ):
            if count:
                found.append(f"{count} {what}")
        if self.lag is None:
            found.append("consumer lag could not be read")
        elif any(self.lag.values()):
            lagging = ", ".join(f"{g}={n}" for g, n in sorted(self.lag.items()) if n)
            found.append(f"consumer lag after settling: {lagging}")
        return found


def duplicate_decisions(decisions: Iterable[Decision]) -> int:
    """Repeated events per (submission, outcome), plus every final outcome after the first.

    REFERRED then APPROVED is the normal story of an agency outage and counts 0;
    APPROVED twice counts 1; APPROVED and REJECTED for one submission counts 1.
    """
    per_outcome = Counter((d.submission_id, d.outcome) for d in decisions)
    repeats = sum(n - 1 for n in per_outcome.values())
    finals = Counter(sid for sid, outcome in per_outcome if outcome in FINAL_OUTCOMES)
    return repeats + sum(n - 1 for n in finals.values())


def duplicates(keys: Iterable[str]) -> int:
    """How many items repeat an earlier one."""
    return sum(n - 1 for n in Counter(keys).values())


def tally(seen: Observation) -> Ledger:
    """Count ``seen`` for the run's submissions; records of other submissions are ignored."""
    ours = seen.submitted
    decisions = [d for d in seen.decisions if d.submission_id in ours]
    outcomes: dict[str, set[str]] = defaultdict(set)
    approval_ids: dict[str, set[str]] = defaultdict(set)
    for decision in decisions:
        outcomes[decision.submission_id].add(decision.outcome)
        if decision.outcome == "APPROVED":
            approval_ids[decision.submission_id].add(decision.decision_id)
    decided = {sid for sid, found in outcomes.items() if found & FINAL_OUTCOMES}
    rejected = {sid for sid, found in outcomes.items() if "REJECTED" in found}

    our_decision_ids = {d.decision_id for d in decisions}
    mails = [m.decision_id for m in seen.mails if m.decision_id in our_decision_ids]
    mails_per_decision: Counter[str | None] = Counter(mails)
    customs = [key for key in seen.customs_keys if key in ours]
    customs_per_submission = Counter(customs)

    dead = tuple(seen.dead_letters)
    dead_lettered = {d.key for d in dead if d.key in ours}
    lost = tuple(sorted(ours - decided - dead_lettered))
    return Ledger(
        submitted=len(ours),
        decided=len(decided),
        approved=len(approval_ids),
        rejected=len(rejected),
        referred=sum(1 for found in outcomes.values() if "REFERRED" in found),
        lost=lost,
        duplicate_decisions=duplicate_decisions(decisions),
        duplicate_emails=sum(n - 1 for n in mails_per_decision.values()),
        duplicate_customs=duplicates(customs),
        approvals_without_one_customs=sum(
            1 for sid in approval_ids if customs_per_submission[sid] != 1
        ),
        approvals_without_one_email=sum(
            1
            for ids in approval_ids.values()
            if sum(mails_per_decision[decision_id] for decision_id in ids) != 1
        ),
        dead_letters=dead,
        dead_lettered_undecided=len(dead_lettered - decided),
        lag=None if seen.lag is None else dict(seen.lag),
    )
