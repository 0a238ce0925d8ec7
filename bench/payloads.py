"""Benchmark load: approvable registrations with submission ids unique to one run.

Why approvable only: every registration then takes the longest path (three
agency checks, a username, a decision and a CEISA document), and a decision
that is not APPROVED is a bug the benchmark must shout about.
"""

import json
from dataclasses import dataclass

from contracts import headers as h
from simulators.dataset import WORLD
from simulators.registrations import approvable


@dataclass(frozen=True)
class Submission:
    """One record ready to produce: id (also the key), JSON value, headers."""

    submission_id: str
    value: bytes
    headers: list[tuple[str, bytes]]


def submissions(run_id: str, phase: str, count: int) -> list[Submission]:
    """``count`` approvable submissions with ids ``BENCH-<run>-<phase>-<n>``, built up front.

    Built before the clock starts so JSON encoding never slows the producer.
    """
    out = []
    for index, (company, person) in enumerate(WORLD.iter_approvable(count)):
        sid = f"BENCH-{run_id}-{phase}-{index:06d}"
        value = json.dumps(approvable(sid, company, person), ensure_ascii=False).encode()
        out.append(Submission(sid, value, [(h.MESSAGE_ID, f"msg-{sid}".encode())]))
    return out
