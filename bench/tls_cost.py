"""``python -m bench --tls-cost``: what SASL_SSL + ACLs cost the hub, as a ratio.

Why a run of its own: the figure that matters is authenticated vs the same
hub without TLS, SASL and authorization, on the same machine within minutes.
Each mode gets a fresh broker and Redis (the mode is a broker setting), the
same services, the same load; the development switch
(``KAFKA_SECURITY_PROTOCOL=PLAINTEXT``) gives the baseline. Keep ``--n`` and
``--half-n`` small: the machine is shared, and two short phases side by side
say more than one long one measured while someone else's tests run. The
low phase (``--low-n`` at ``--low-rate``) is the hub-vs-raw comparison's and
is skipped here: it would add minutes to each mode for a latency the
comparison already gives.
"""

import argparse
import asyncio
import os
import time
from typing import Any

import uvloop

from bench.machine import facts
from bench.phases import loud, say
from bench.report import Reports, cpu_table, table, write_json
from bench.run import Run
from devstack.infra import Infrastructure, restore_env
from runtime.kafka_security import PLAINTEXT, SASL_SSL

MODES = (SASL_SSL, PLAINTEXT)
"""Authenticated first, then the baseline."""
NOT_INHERITED = ("KAFKA_BOOTSTRAP_SERVERS", "REDIS_URL", "KAFKA_SECURITY_PROTOCOL")


def _measure(protocol: str, args: argparse.Namespace) -> tuple[Run, str, str]:
    """One mode on its own broker: returns the run, the broker's description and any failure."""
    env = {k: v for k, v in os.environ.items() if k not in NOT_INHERITED}
    env["KAFKA_SECURITY_PROTOCOL"] = protocol
    infra = Infrastructure(env=env)
    say(f"{protocol}: starting Kafka and Redis")
    infra.start()
    previous = infra.export_admin_env()
    run = Run(infra, args)
    failure = ""
    try:
        with asyncio.Runner(loop_factory=uvloop.new_event_loop) as runner:
            runner.run(asyncio.wait_for(run.hub(), args.timeout))
    except TimeoutError:
        failure = f"{protocol}: the run exceeded --timeout {args.timeout:.0f}s"
    except Exception as error:
        failure = f"{protocol}: {type(error).__name__}: {error}"
    finally:
        description = infra.describe_kafka()
        infra.stop()
        restore_env(previous, infra.exported_env)
    return run, description, failure


def main(args: argparse.Namespace, command: str) -> int:
    """Both modes, then the table (SASL_SSL/PLAINTEXT ratio) and the JSON; 1 on any error."""
    started = time.strftime("%Y%m%dT%H%M%S")
    args = argparse.Namespace(**{**vars(args), "low_n": 0})
    reports: Reports = {}
    errors: list[str] = []
    brokers: dict[str, str] = {}
    for protocol in MODES:
        run, brokers[protocol], failure = _measure(protocol, args)
        reports[protocol] = run.reports.get("hub", {})
        errors += [e for r in reports[protocol].values() for e in r.errors]
        if failure:
            loud(failure)
            errors.append(failure)
    machine = facts(" / ".join(brokers.values()))
    document: dict[str, Any] = {
        "command": command,
        "started": started,
        "machine": machine,
        "options": {k: str(v) for k, v in vars(args).items()},
        "errors": errors,
    }
    path = write_json(args.out / f"{started}-tls-cost.json", document, reports)
    print(f"\ncommand: {command}")
    for key, value in machine.items():
        print(f"{key:>24}: {value}")
    print(f"\n{table(reports, SASL_SSL, PLAINTEXT)}\n\n{cpu_table(reports)}\n")
    print(
        "ratio = SASL_SSL / PLAINTEXT: below 1 for throughput and above 1 for latency is "
        "the cost of TLS + SCRAM + ACLs"
    )
    print(f"results: {path}")
    if errors:
        print(f"\nFAILED: {len(errors)} error(s), see above")
        return 1
    return 0
