"""A broker of its own for the single-client benchmarks (``consume_cost``, ``broker_floor``).

Why shared: both measure the broker's CPU with nothing else connected, so
both start a fresh devstack stack, act as its superuser (they create their
own topics and groups) and need the broker JVM's pid; one place keeps them
starting and stopping it the same way.
"""

from collections.abc import Iterator
from contextlib import contextmanager

from devstack.infra import Infrastructure


@contextmanager
def lone_broker() -> Iterator[tuple[str, int | None]]:
    """Start devstack's Kafka (and Redis); yield the bootstrap servers and the broker's pid."""
    infra = Infrastructure(topics=[])
    infra.start()
    infra.export_admin_env()
    pids = [p.pid for p in infra.processes() if p.pid is not None and "kafka" in p.name]
    try:
        print(infra.describe_kafka(), flush=True)
        yield infra.bootstrap_servers, (pids[0] if pids else None)
    finally:
        infra.stop()
