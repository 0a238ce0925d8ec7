"""``hubctl dlq``: list, inspect and re-drive dead letters (the ``T.dlq`` topics).

A dead letter's value is sealed (it holds personal data); only ``inspect
--show-value`` and ``redrive`` open it, with ``DLQ_SEAL_KEY``. Re-drive is
exactly-once: the consumer group ``insw-hubctl-dlq-redrive`` records on each
``.dlq`` partition what was sent back, and every send commits that progress in
the same Kafka transaction, so no dead letter is re-driven twice.

Exit status: 0 done, 2 refused (bad arguments, unknown topic, missing or wrong
key, malformed dead letter; nothing was sent), 1 Kafka failed.
"""

import argparse
from collections.abc import Callable

from hubctl import console
from hubctl.dlq_kafka import DlqCluster
from hubctl.dlq_letters import dlq_name, seal_from_env
from hubctl.dlq_output import Listing, emit, inspection, inspection_text, list_report, list_text
from hubctl.dlq_redrive import redrive

DEFAULT_LIMIT = 50


def register(commands: "argparse._SubParsersAction[argparse.ArgumentParser]") -> None:
    """Add ``dlq list|inspect|redrive`` to the ``hubctl`` command line."""
    dlq = commands.add_parser(
        "dlq", help="dead letters: list, inspect, re-drive", description=__doc__
    )
    actions = dlq.add_subparsers(dest="action", required=True)

    listing = _command(actions, "list", "dead letters of every .dlq topic, or of one", run_list)
    listing.add_argument("--topic", help="a .dlq topic (or the topic it guards); default: all")
    listing.add_argument(
        "--limit", type=_count, default=DEFAULT_LIMIT, help="newest N per topic (0: all)"
    )

    inspect = _command(actions, "inspect", "one dead letter with every header", run_inspect)
    inspect.add_argument("topic", help="the .dlq topic")
    inspect.add_argument("partition", type=_count)
    inspect.add_argument("offset", type=_count)
    inspect.add_argument(
        "--show-value", action="store_true", help="open the value with DLQ_SEAL_KEY"
    )

    redrive = _command(
        actions, "redrive", "send dead letters back to their topic, once", run_redrive
    )
    redrive.add_argument("--topic", required=True, help="the .dlq topic")
    redrive.add_argument("--partition", type=_count, help="with --offset: one dead letter")
    redrive.add_argument("--offset", type=_count, help="with --partition: one dead letter")
    redrive.add_argument("--all", action="store_true", help="everything not yet re-driven")
    redrive.add_argument("--force", action="store_true", help="send one already re-driven again")
    redrive.add_argument("--dry-run", action="store_true", help="print what would be sent")


def _command(
    actions: "argparse._SubParsersAction[argparse.ArgumentParser]",
    name: str,
    summary: str,
    run: Callable[[argparse.Namespace], int],
) -> argparse.ArgumentParser:
    """A sub-command with the options every dead-letter command shares."""
    parser = actions.add_parser(name, help=summary, description=summary)
    console.add_bootstrap(parser)
    parser.add_argument("--json", action="store_true", help="machine-readable output")
    parser.set_defaults(run=run)
    return parser


def _count(text: str) -> int:
    """A partition, offset or limit: a whole number, never negative."""
    try:
        number = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a whole number: {text!r}") from None
    if number < 0:
        raise argparse.ArgumentTypeError(f"must not be negative: {number}")
    return number


def run_list(args: argparse.Namespace) -> int:
    """``dlq list``."""
    return console.run(_list(_resolved(args)))


def run_inspect(args: argparse.Namespace) -> int:
    """``dlq inspect``."""
    return console.run(_inspect(_resolved(args)))


def run_redrive(args: argparse.Namespace) -> int:
    """``dlq redrive``."""
    return console.run(redrive(_resolved(args)))


def _resolved(args: argparse.Namespace) -> argparse.Namespace:
    """``--bootstrap`` resolved when the command runs (:func:`hubctl.console.bootstrap_servers`)."""
    args.bootstrap = console.bootstrap_servers(args.bootstrap)
    return args


async def _list(args: argparse.Namespace) -> int:
    """Read every chosen ``.dlq`` topic whole; show the newest rows and every count."""
    async with DlqCluster(args.bootstrap) as cluster:
        topics = [dlq_name(args.topic)] if args.topic else await cluster.dead_letter_topics()
        listings = [await listing(cluster, topic) for topic in topics]
    report = list_report(listings, args.limit)
    emit(report, list_text(report), args.json)
    return 0


async def listing(cluster: DlqCluster, topic: str) -> Listing:
    """One topic's dead letters with the re-drive group's progress on it."""
    bounds = await cluster.bounds(topic, await cluster.require(topic))
    return Listing(topic, await cluster.read(topic, bounds), await cluster.progress(topic, bounds))


async def _inspect(args: argparse.Namespace) -> int:
    """Show one dead letter; open its value only on request, and only with the key."""
    seal = seal_from_env() if args.show_value else None
    async with DlqCluster(args.bootstrap) as cluster:
        letter = await cluster.read_one(args.topic, args.partition, args.offset)
        bounds = await cluster.bounds(args.topic, [args.partition])
        progress = (await cluster.progress(args.topic, bounds))[args.partition]
    opened = letter.open_value(seal) if seal else None
    report = inspection(letter, progress.redriven(letter.offset), opened, shown=seal is not None)
    emit(report, inspection_text(report, opened), args.json)
    return 0
