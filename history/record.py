"""Record the bundled history by running the real hub: ``python -m history.record``.

Why the real hub and not hand-written decisions: the bundle is what a
what-if over it is checked against, so its decisions must be the gateway's
own, made by the processes ``./hub run`` starts, on their own Kafka and
Redis. Steps:

1. start Kafka and Redis (never a cluster named by the environment) and
   the decision path of the hub (simulators, adapters, gateway);
2. submit the first wave of :mod:`history.stories` (and one record that is
   not JSON) and wait until each has a decision (final or REFERRED);
3. make Dukcapil answer 503 for three applicants, submit them, wait for
   their referral, lift the fault and wait for the re-check to approve them;
4. let officers decide two referrals (one approval, one rejection);
5. export the three history topics with ``hubctl replay export``'s reader,
   and print the what-if over the result (it must report no change).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import sys
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

import aiohttp
from aiokafka import AIOKafkaConsumer, AIOKafkaProducer

from contracts import headers as h
from contracts import topics
from devstack.infra import Infrastructure
from devstack.net import LOOPBACK
from devstack.stack import Stack, decision_path_specs
from history.stories import Plan, Story, plan
from hubctl.history import read_history, write_history
from hubctl.replay_export import read_topics
from hubctl.replay_whatif import print_report
from hubctl.whatif import what_if
from runtime.kafka_security import from_environment

BUNDLE = Path(__file__).resolve().parent / "registrations-2026-11.jsonl.gz"
WAIT_SECONDS = 180.0
HUB_SETTINGS = {"RECHECK_DELAY_SECONDS": "2"}
"""Re-check an unavailable agency after 2 s, not 30 s: the outage wave ends in seconds."""
FINAL = frozenset({"APPROVED", "REJECTED"})


class Decisions:
    """Every decision on the decided topic, as it arrives: outcomes per submission id."""

    def __init__(self, bootstrap: str) -> None:
        self._bootstrap = bootstrap
        self.outcomes: dict[str, list[str]] = {}
        self._consumer: Any = None

    async def start(self) -> None:
        """Read the decided topic from its start (the stack's topics are new)."""
        self._consumer = AIOKafkaConsumer(
            topics.REGISTRATION_DECIDED,
            bootstrap_servers=self._bootstrap,
            group_id=None,
            auto_offset_reset="earliest",
            isolation_level="read_committed",
            **from_environment(),
        )
        await self._consumer.start()

    async def stop(self) -> None:
        """Leave the topic."""
        if self._consumer is not None:
            await self._consumer.stop()

    async def until(self, done: Callable[[dict[str, list[str]]], bool], what: str) -> None:
        """Keep reading until ``done(outcomes)``; fail loudly after :data:`WAIT_SECONDS`."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + WAIT_SECONDS
        while not done(self.outcomes):
            if loop.time() > deadline:
                raise TimeoutError(f"waited {WAIT_SECONDS:.0f}s for {what}")
            for records in (await self._consumer.getmany(timeout_ms=500)).values():
                for record in records:
                    decision = json.loads(record.value)
                    self.outcomes.setdefault(decision["submission_id"], []).append(
                        decision["outcome"]
                    )


def _ids(stories: Iterable[Story]) -> set[str]:
    return {s.payload["submission_id"] for s in stories}


async def submit(bootstrap: str, stories: list[Story]) -> None:
    """Publish the stories as a partner portal would (key: submission id)."""
    producer = AIOKafkaProducer(
        bootstrap_servers=bootstrap, acks="all", enable_idempotence=True, **from_environment()
    )
    await producer.start()
    try:
        sent = []
        for story in stories:
            sid = story.payload["submission_id"]
            value = json.dumps(story.payload, ensure_ascii=False).encode()
            headers = [(h.MESSAGE_ID, f"portal-{sid}".encode()), (h.CORRELATION_ID, sid.encode())]
            sent.append(
                await producer.send(
                    topics.REGISTRATION_SUBMITTED, value, key=sid.encode(), headers=headers
                )
            )
        await asyncio.gather(*sent)
    finally:
        await producer.stop()


async def submit_poison(bootstrap: str) -> None:
    """Publish one record that is not JSON, as a broken portal might.

    The gateway dead-letters it and the history keeps it: a what-if must count
    it as unreadable rather than fail.
    """
    producer = AIOKafkaProducer(bootstrap_servers=bootstrap, acks="all", **from_environment())
    await producer.start()
    try:
        await producer.send_and_wait(
            topics.REGISTRATION_SUBMITTED, b"{not json", key=b"H2611-POISON"
        )
    finally:
        await producer.stop()


async def dukcapil_down_for(base_url: str, niks: list[str]) -> None:
    """Make the Dukcapil simulator answer 503 for these NIKs (empty: lift every fault)."""
    async with aiohttp.ClientSession() as http:
        if niks:
            faults = {"overrides": {nik: {"status": 503} for nik in niks}}
            async with http.post(f"{base_url}/admin/faults", json=faults) as response:
                response.raise_for_status()
        else:
            async with http.delete(f"{base_url}/admin/faults") as response:
                response.raise_for_status()


async def officer_decides(base_url: str, sid: str, outcome: str, reason_codes: list[str]) -> None:
    """Decide a referred application over the officers' HTTP endpoint."""
    body = {
        "outcome": outcome,
        "officer_id": "officer-17",
        "note": "Checked with the agency by phone",
        "reason_codes": reason_codes,
    }
    async with (
        aiohttp.ClientSession() as http,
        http.post(f"{base_url}/referrals/{sid}/decision", json=body) as response,
    ):
        response.raise_for_status()


async def record(stack: Stack, story_plan: Plan, out: Path) -> int:
    """Drive the hub through the plan, then export; returns how many records were written."""
    bootstrap = stack.bootstrap_servers
    decisions = Decisions(bootstrap)
    await decisions.start()
    try:
        await _first_wave(bootstrap, decisions, story_plan)
        await _outage_wave(stack, decisions, story_plan)
        await _officers(stack, decisions, story_plan)
    finally:
        await decisions.stop()
    return write_history(out, await read_topics(bootstrap))


async def _first_wave(bootstrap: str, decisions: Decisions, story_plan: Plan) -> None:
    wanted = _ids(story_plan.first)
    await submit(bootstrap, story_plan.first)
    await submit_poison(bootstrap)
    await decisions.until(lambda seen: wanted <= seen.keys(), f"{len(wanted)} first decisions")
    _say(f"first wave: {len(wanted)} submissions decided")


async def _outage_wave(stack: Stack, decisions: Decisions, story_plan: Plan) -> None:
    dukcapil = f"http://{LOOPBACK}:{stack.ports['dukcapil']}"
    wanted = _ids(story_plan.outage)
    niks = [s.payload["applicant"]["identity"]["number"] for s in story_plan.outage]
    await dukcapil_down_for(dukcapil, niks)
    await submit(stack.bootstrap_servers, story_plan.outage)
    await decisions.until(
        lambda seen: all("REFERRED" in seen.get(sid, []) for sid in wanted), "outage referrals"
    )
    await dukcapil_down_for(dukcapil, [])
    await decisions.until(
        lambda seen: all(seen[sid][-1] in FINAL for sid in wanted), "re-checked decisions"
    )
    _say(f"outage wave: {len(wanted)} referred, then decided on re-check")


async def _officers(stack: Stack, decisions: Decisions, story_plan: Plan) -> None:
    officers = f"http://{LOOPBACK}:{stack.ports['officers']}"
    await officer_decides(officers, story_plan.officer_approves, "APPROVED", [])
    await officer_decides(officers, story_plan.officer_rejects, "REJECTED", ["NPWP_NIB_MISMATCH"])
    wanted = {story_plan.officer_approves, story_plan.officer_rejects}
    await decisions.until(
        lambda seen: all(seen[sid][-1] in FINAL for sid in wanted), "officers' decisions"
    )
    _say("officers decided two referrals")


def _say(line: str) -> None:
    print(f"history.record: {line}", file=sys.stderr, flush=True)


def main(argv: list[str] | None = None) -> int:
    """Start a private hub, record, export, and show the what-if over the result."""
    parser = argparse.ArgumentParser(prog="python -m history.record", description=__doc__)
    parser.add_argument("--out", type=Path, default=BUNDLE, help=f"default: {BUNDLE}")
    out: Path = parser.parse_args(argv).out
    os.environ.update(HUB_SETTINGS)
    story_plan = plan()
    with Infrastructure(env={}) as infra:
        infra.export_admin_env()  # the recorder's own clients act as the superuser
        with Stack(infra, specs=decision_path_specs) as stack:
            _say(infra.describe_kafka())
            written = asyncio.run(record(stack, story_plan, out))
            stack.check_alive()
    _say(f"wrote {written} records to {out} ({out.stat().st_size} bytes)")
    print_report(what_if(read_history(out)))  # over the file itself, as integrators will
    return 0


if __name__ == "__main__":
    sys.exit(main())
