"""Dead letters for the console: list, inspect and re-drive, through hubctl's own functions.

Why reuse hubctl: re-drive is exactly-once only because hubctl commits its
progress in the same Kafka transaction as the send; a second implementation
would have to get that right again. The console never opens a sealed value:
it shows the headers and the hub's error text, which name fields, not data.
"""

import argparse
from typing import Any

from hubctl.dlq import listing
from hubctl.dlq_kafka import DlqCluster
from hubctl.dlq_output import inspection, list_report
from hubctl.dlq_redrive import redrive

NEWEST = 50
"""Dead letters shown per topic."""


async def overview(bootstrap: str) -> dict[str, Any]:
    """Every ``.dlq`` topic with its counts and newest letters (hubctl's report)."""
    async with DlqCluster(bootstrap) as cluster:
        found = [await listing(cluster, t) for t in await cluster.dead_letter_topics()]
    return list_report(found, NEWEST)


async def inspect(bootstrap: str, topic: str, partition: int, offset: int) -> dict[str, Any]:
    """One dead letter with its headers; its value stays sealed."""
    async with DlqCluster(bootstrap) as cluster:
        letter = await cluster.read_one(topic, partition, offset)
        bounds = await cluster.bounds(topic, [partition])
        progress = (await cluster.progress(topic, bounds))[partition]
    return inspection(letter, progress.redriven(letter.offset), None, shown=False)


async def redrive_one(bootstrap: str, topic: str, partition: int, offset: int) -> None:
    """Send one dead letter back to its topic, once (hubctl ``dlq redrive``)."""
    args = argparse.Namespace(
        bootstrap=bootstrap,
        topic=topic,
        partition=partition,
        offset=offset,
        all=False,
        force=False,
        dry_run=False,
        json=True,
    )
    await redrive(args)
