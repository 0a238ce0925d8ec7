"""What hubctl's ``dlq`` and ``replay`` commands share: exit statuses, refusals, Kafka clients.

Exit statuses: ``0`` done, ``2`` refused (a usage problem or an unsafe request,
such as re-driving a group that still has members, or a dead letter whose
seal does not open; nothing was changed), ``1`` failed (Kafka or a file said
no part-way). Tables go to stdout so they can be piped; progress bars and
errors go to stderr, one line each.

Every command connects as the principal its environment names
(``KAFKA_SASL_USERNAME``, normally ``operator``; see
:mod:`runtime.kafka_security`). Kafka is read the same way by every
command: ``read_committed`` (records of aborted or open transactions
never reach an operator), never committing unless told to, and with
aiokafka's own error logs silenced while a command runs (each failure
reaches the operator once, as the command's one line).
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import os
from collections.abc import AsyncIterator, Coroutine, Iterator
from contextlib import asynccontextmanager, contextmanager
from typing import Any

from aiokafka import AIOKafkaConsumer
from aiokafka.admin import AIOKafkaAdminClient
from aiokafka.errors import KafkaConnectionError, KafkaError
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.text import Text

from runtime.kafka_security import from_environment
from runtime.sealing import SealBroken

DEFAULT_BOOTSTRAP = "127.0.0.1:9092"
EXIT_OK = 0
EXIT_FAILED = 1
EXIT_REFUSED = 2
WIDE = 160
"""Table width when stdout is not a terminal: rows of ids must not wrap in a pipe or a log."""


BOOTSTRAP_HELP = (
    f"Kafka bootstrap servers (default: $KAFKA_BOOTSTRAP_SERVERS, else {DEFAULT_BOOTSTRAP})"
)


class Refused(Exception):
    """A request that must not run as asked; the message says why and what to do."""


class Failed(Exception):
    """A command that started but could not finish; the message says where it stopped."""


def bootstrap_servers(given: str | None) -> str:
    """``--bootstrap``, else ``KAFKA_BOOTSTRAP_SERVERS``, else the local default.

    Read when the command runs, not when the parser is built, so a test or a
    wrapper script that sets the variable late is still obeyed.
    """
    return given or os.environ.get("KAFKA_BOOTSTRAP_SERVERS") or DEFAULT_BOOTSTRAP


def add_bootstrap(parser: argparse._ActionsContainer, help_suffix: str = "") -> None:
    """The ``--bootstrap`` option every command has (resolved by :func:`bootstrap_servers`)."""
    parser.add_argument("--bootstrap", metavar="SERVERS", help=BOOTSTRAP_HELP + help_suffix)


def out() -> Console:
    """The console for results (stdout)."""
    console = Console(highlight=False, soft_wrap=False)
    if not console.is_terminal:
        console = Console(highlight=False, width=WIDE)
    return console


def err() -> Console:
    """The console for progress and errors (stderr)."""
    return Console(stderr=True, highlight=False, soft_wrap=True)


def progress() -> Progress:
    """One progress bar style for every command that walks through offsets."""
    return Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=err(),
        transient=False,
    )


def run(command: Coroutine[Any, Any, int]) -> int:
    """Run one command to its exit status, turning refusals and Kafka errors into one line."""
    try:
        with _quiet_client_logs():
            return asyncio.run(command)
    except Refused as refusal:
        return _say("refused", str(refusal), EXIT_REFUSED)
    except SealBroken as error:
        return _say("refused", f"SealBroken: {error}", EXIT_REFUSED)
    except Failed as failure:
        return _say("failed", str(failure), EXIT_FAILED)
    except KafkaConnectionError as error:
        return _say("failed", f"cannot reach Kafka: {error}", EXIT_FAILED)
    except (KafkaError, OSError) as error:
        return _say("failed", f"{type(error).__name__}: {error}", EXIT_FAILED)


def _say(verdict: str, message: str, status: int) -> int:
    err().print(Text.assemble((f"{verdict}: ", "bold red"), message))
    return status


@contextmanager
def _quiet_client_logs() -> Iterator[None]:
    """Silence aiokafka's own error logs while a command runs.

    Why: every failure it logs also reaches us as an exception, which the
    operator sees once, as one line; its retries and tracebacks are noise.
    """
    client = logging.getLogger("aiokafka")
    level = client.level
    client.setLevel(logging.CRITICAL)
    try:
        yield
    finally:
        client.setLevel(level)


@asynccontextmanager
async def admin_client(bootstrap: str) -> AsyncIterator[Any]:
    """An admin client for the duration of a command, as the environment's principal."""
    admin = AIOKafkaAdminClient(
        bootstrap_servers=bootstrap, client_id="hubctl", **from_environment(bootstrap)
    )
    await admin.start()
    try:
        yield admin
    finally:
        await admin.close()


@asynccontextmanager
async def reader(bootstrap: str, group_id: str | None = None) -> AsyncIterator[Any]:
    """A ``read_committed`` consumer that never commits unless told to.

    ``group_id`` is only given when re-driving a group (its offsets are
    committed explicitly); every other read is group-less.
    """
    consumer = AIOKafkaConsumer(
        bootstrap_servers=bootstrap,
        group_id=group_id,
        client_id="hubctl",
        enable_auto_commit=False,
        isolation_level="read_committed",
        auto_offset_reset="earliest",
        **from_environment(bootstrap),
    )
    try:
        await consumer.start()
        # Let the consumer's background task start: aiokafka 0.14's stop() raises
        # CancelledError when it cancels that task before it ever ran.
        await asyncio.sleep(0)
        yield consumer
    finally:
        await consumer.stop()  # also after a failed start: it holds a client
