"""Benchmark load: approvable registrations with submission ids unique to one run.

Why approvable only: every registration then takes the longest path (three
agency checks, a username, a decision and a CEISA document), and a decision
that is not APPROVED is a bug the benchmark must shout about.

Why submitted now: the 24-hour promise (R13) runs from ``submitted_at``. The
examples' fixed date is days old, so every benchmark application would be
overdue on arrival and the gateway's deadline watcher would load each one
and flag it: work a fresh submission never causes in production (stop 22's
profile found it at about a tenth of the gateway's busy time at full load).
"""

import json
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone

from contracts import headers as h
from simulators.dataset import WORLD
from simulators.registrations import approvable


@dataclass(frozen=True)
class Submission:
    """One record ready to produce: id (also the key), JSON value, headers."""

    submission_id: str
    value: bytes
    headers: list[tuple[str, bytes]]


WIB = timezone(timedelta(hours=7))
"""Western Indonesia Time, as the partner portals stamp a submission."""


def submitted_now(clock: datetime | None = None) -> str:
    """An ISO-8601 ``submitted_at`` for this second in WIB (the promise starts now)."""
    return (clock or datetime.now(WIB)).astimezone(WIB).replace(microsecond=0).isoformat()


def submissions(
    run_id: str, phase: str, count: int, submitted_at: str | None = None
) -> list[Submission]:
    """``count`` approvable submissions with ids ``BENCH-<run>-<phase>-<n>``, built up front.

    Built before the clock starts so JSON encoding never slows the producer;
    all stamped ``submitted_at`` (default: now), consent given at the same time.
    """
    stamp = submitted_at or submitted_now()
    out = []
    for index, (company, person) in enumerate(WORLD.iter_approvable(count)):
        sid = f"BENCH-{run_id}-{phase}-{index:06d}"
        payload = approvable(sid, company, person)
        payload["submitted_at"] = stamp
        payload["consent"] = {**payload["consent"], "accepted_at": stamp}
        value = json.dumps(payload, ensure_ascii=False).encode()
        out.append(Submission(sid, value, [(h.MESSAGE_ID, f"msg-{sid}".encode())]))
    return out
