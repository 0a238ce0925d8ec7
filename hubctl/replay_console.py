"""What every replay command shares at the terminal: output, refusals, exit statuses.

Exit statuses: ``0`` done, ``2`` refused (a usage problem or an unsafe request,
such as re-driving a group that still has members; nothing was changed), ``1``
failed (Kafka or a file said no part-way). Tables go to stdout so they can be
piped; progress bars and errors go to stderr.
"""

from __future__ import annotations

import asyncio
import os
from collections.abc import Coroutine
from typing import Any

from aiokafka.errors import KafkaError
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.text import Text

DEFAULT_BOOTSTRAP = "127.0.0.1:9092"
EXIT_OK = 0
EXIT_FAILED = 1
EXIT_REFUSED = 2
WIDE = 160
"""Table width when stdout is not a terminal: rows of ids must not wrap in a pipe or a log."""


class ReplayRefused(Exception):
    """A replay that must not run as asked; the message says why and what to do."""


class ReplayFailed(Exception):
    """A replay that started but could not finish; the message says where it stopped."""


def bootstrap_servers(given: str | None) -> str:
    """``--bootstrap``, else ``KAFKA_BOOTSTRAP_SERVERS``, else the local default.

    Read when the command runs, not when the parser is built, so a test or a
    wrapper script that sets the variable late is still obeyed.
    """
    return given or os.environ.get("KAFKA_BOOTSTRAP_SERVERS") or DEFAULT_BOOTSTRAP


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
    """Run one command to its exit status, turning refusals and Kafka errors into messages."""
    try:
        return asyncio.run(command)
    except ReplayRefused as refusal:
        err().print(Text.assemble(("refused: ", "bold red"), str(refusal)))
        return EXIT_REFUSED
    except ReplayFailed as failure:
        err().print(Text.assemble(("failed: ", "bold red"), str(failure)))
        return EXIT_FAILED
    except (KafkaError, OSError) as error:
        err().print(Text.assemble(("failed: ", "bold red"), f"{type(error).__name__}: {error}"))
        return EXIT_FAILED
