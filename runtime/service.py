"""Starting a hub service: its Kafka side, logging and the event loop.

Every service is built the same way at its composition root: a
:class:`HubService` (its consume loops, :mod:`runtime.kafka_loop`, plus the
:class:`Outbox` that publishes what handlers return), subscribers registered
through it, and :func:`run`. The FastStream app owns the lifecycle (signals,
hooks); nothing connects before it starts.
"""

import asyncio
import faulthandler
import logging
import signal
import sys
from collections.abc import Awaitable, Callable, Iterable, Sequence
from typing import Literal, TypeVar

import uvloop
from aiohttp import web
from faststream import FastStream
from faststream.kafka import KafkaBroker

from contracts.channels import Channel, by_topic, channels
from contracts.topics import retry_topic
from runtime import checkpoints, collector, logs, ops, tracing, transactions
from runtime.at_least_once import AtLeastOnceOutbox, PerBatchDelivery, RepeatsDropped
from runtime.audit import AuditChain, OutputStage, kafka_head_reader, signed_by
from runtime.binding import subscribe
from runtime.consumer import DEFAULT_BACKOFF, Backoff, BatchHandler, BatchPump, FailurePolicy
from runtime.kafka_loop import Connection, ConsumeLoop, FetchTuning
from runtime.kafka_security import bootstrap_list
from runtime.outbox import Outbox
from runtime.records import Outbound
from runtime.retry import RetryPolicy
from runtime.retry_consumer import subscribe_retries
from runtime.settings import InfraSettings
from runtime.signing import SigningKey, TrustedKeys, signer_for, verified
from runtime.transactions import TransactionalOutbox
from runtime.typed import TypedHandler, typed

log = logging.getLogger(__name__)
T = TypeVar("T")

Hook = Callable[[], Awaitable[None]]
Delivery = Literal["exactly-once", "at-least-once"] | RepeatsDropped
"""How a subscription's outputs and offsets are committed (see :meth:`HubService.subscribe`)."""


class HubService:
    """One service's consume loops and producers, started and stopped together.

    Each subscription publishes through a transactional producer of its own
    (see :mod:`runtime.transactions`); ``outbox`` is for what a service
    publishes outside any consumed batch (timers, HTTP endpoints).
    """

    def __init__(
        self,
        settings: InfraSettings,
        *,
        name: str,
        signer: str | None = None,
        redis: bool = True,
    ) -> None:
        """``signer``: the principal this process signs as (:mod:`contracts.signers`), if any.

        A signing service refuses to start without its key outside development.
        ``redis``: whether it needs Redis (then ``/ready`` checks it, as it checks Kafka).
        """
        self.name = name
        tracing.configure(name)
        self._settings = settings
        self._security = settings.kafka_options()  # refuses a client without its principal
        self._trusted: TrustedKeys | None = None
        self.key: SigningKey | None = (
            settings.signing_key(self.trusted, signer) if signer is not None else None
        )
        self._sign = signer_for(self.key, channels())
        self._publish_stage = self._stage(f"{name}.{settings.hub_instance_id}.outbox")
        self._publishing = asyncio.Lock()
        # FastStream's app runs the lifecycle (signals, hooks) and wants a broker;
        # it consumes nothing: the consume loops below do (runtime.kafka_loop).
        self.broker = KafkaBroker(
            bootstrap_list(settings.kafka_bootstrap_servers),
            client_id=name,
            logger=logging.getLogger(name),
            security=settings.kafka_security(),
        )
        self._connection = Connection(settings.kafka_bootstrap_servers, name, self._security)
        self._tuning = FetchTuning(
            settings.batch_max_records,
            settings.kafka_fetch_min_bytes,
            settings.kafka_fetch_max_wait_ms,
        )
        self._loops: list[ConsumeLoop] = []
        self.outbox = Outbox(
            settings.kafka_bootstrap_servers, client_id=name, security=self._security
        )
        self.seal = settings.dead_letter_seal()
        self.retry = RetryPolicy(settings.retry_delays_seconds)
        self._fault = checkpoints.installed()
        self._producers: list[TransactionalOutbox | AtLeastOnceOutbox] = []
        """Every producer a subscription commits with; started and stopped with the service."""
        self._retry_pumps: dict[str, BatchPump] = {}
        self._retries_subscribed = False
        checks: dict[str, ops.Check] = {"kafka": self.outbox.reachable}
        self._ready_redis = (
            ops.readiness_redis(settings.redis_url.get_secret_value()) if redis else None
        )
        if self._ready_redis is not None:
            checks["redis"] = ops.redis_check(self._ready_redis)
        self.ops = ops.Ops(ops.Readiness(checks))
        """What ``/health``, ``/ready`` and ``/metrics`` answer from (:mod:`runtime.ops`)."""
        self._ops_server: web.AppRunner | None = None

    def consume(
        self,
        channel: Channel,
        handler: TypedHandler[T],
        *,
        description: str,
        parse: Callable[[bytes], T] | None = None,
        group_id: str | None = None,
        backoff: Backoff = DEFAULT_BACKOFF,
        signers: frozenset[str] | None = None,
        delivery: Delivery = "exactly-once",
    ) -> BatchPump:
        """Consume ``channel``: records decoded with its model (or ``parse``), see :func:`typed`.

        On a signed channel, signatures are verified first; ``delivery`` as in
        :meth:`subscribe`.
        """
        return self.subscribe(
            channel.topic,
            handler=typed(channel, handler, parse),
            description=description,
            group_id=group_id,
            backoff=backoff,
            signers=signers,
            delivery=delivery,
        )

    @property
    def trusted(self) -> TrustedKeys:
        """The trusted-keys registry (read once; refused unset outside development)."""
        if self._trusted is None:
            self._trusted = self._settings.trusted_keys()
        return self._trusted

    def _stage(self, chain_id: str) -> OutputStage:
        reader = kafka_head_reader(
            self._settings.kafka_bootstrap_servers,
            client_id=f"{self.name}.audit-head",
            security=self._security,
            proven=None if self.key is None else signed_by(self.trusted, self.key.signer),
        )
        return OutputStage(self._sign, AuditChain(chain_id, reader))

    async def publish(self, records: Sequence[Outbound]) -> None:
        """Publish outside a consumed batch (timers, HTTP): audit events chained, records signed.

        One publish at a time, so the chain's order is the partition's order;
        when a publish fails it may have landed in part, so the chain's head
        is read back from the topic before its next entry.
        """
        async with self._publishing:
            prepared = await self._publish_stage.prepare(records)
            try:
                await self.outbox.publish(prepared)
            except BaseException:
                self._publish_stage.forget()
                raise
            self._publish_stage.settled(True)

    def subscribe(
        self,
        topic: str,
        *,
        handler: BatchHandler,
        description: str,
        group_id: str | None = None,
        backoff: Backoff = DEFAULT_BACKOFF,
        signers: frozenset[str] | None = None,
        channel: Channel | None = None,
        delivery: Delivery = "exactly-once",
    ) -> BatchPump:
        """Consume ``topic`` with the hub's consume policy (group defaults to the service name).

        Raw records: for XML channels whose reader checks more than a model
        can. The topic's retry topic is read by the service's one retry
        consumer (group ``<service>.retry``) with the same handler.

        Before anything else, when the topic's channel is signed, each record's
        signature is verified (:func:`runtime.signing.verified`): by one of the
        channel's signers, or of ``signers`` when given. What a batch publishes
        is chained (audit events) and signed by this process's key.
        ``channel`` names the contract ``topic`` carries when its name does not
        (a test's private copy of a channel).

        ``delivery``: ``"exactly-once"`` publishes a batch's outputs and
        commits its offsets in one Kafka transaction; ``"at-least-once"``
        publishes, then commits (:mod:`runtime.at_least_once`), for hops whose
        every reader drops a repeated record; a predicate over a batch's
        outputs picks one of the two per batch (``PerBatchDelivery``): at
        least once when it holds. Retries of all three are transactional.
        """
        group = group_id or self.name
        failures = FailurePolicy(self.seal, self.retry, backoff)
        channel = channel or by_topic().get(topic)
        if channel is not None and (channel.signed or signers):
            handler = verified(channel, handler, self.trusted, signers)
        main = self._outbox_for(group, topic, delivery)
        pump, loop = subscribe(
            main,
            topic,
            group_id=group,
            handler=handler,
            failures=failures,
            tuning=self._tuning,
            connection=self._connection,
            description=description,
            fault=self._fault,
            stage=self._stage(main.transactional_id),
        )
        self._loops.append(loop)
        parked = retry_topic(topic)
        retries = self._transactional_outbox(self._retry_group, parked)
        self._retry_pumps[parked] = BatchPump(
            retries,
            handler,
            group_id=self._retry_group,
            failures=failures,
            fault=self._fault,
            stage=self._stage(retries.transactional_id),
        )
        return pump

    @property
    def _retry_group(self) -> str:
        return f"{self.name}.retry"

    def _name(self, group: str, topic: str) -> str:
        """``<group>.<HUB_INSTANCE_ID>.<topic>``: a transactional id, or an outbox's name."""
        return f"{group}.{self._settings.hub_instance_id}.{topic}"

    def _transactional_outbox(self, group: str, topic: str) -> TransactionalOutbox:
        outbox = TransactionalOutbox(
            self._settings.kafka_bootstrap_servers,
            transactional_id=self._name(group, topic),
            client_id=self.name,
            security=self._security,
        )
        self._producers.append(outbox)
        return outbox

    def _at_least_once_outbox(self, group: str, topic: str) -> AtLeastOnceOutbox:
        outbox = AtLeastOnceOutbox(
            self._settings.kafka_bootstrap_servers,
            name=self._name(group, topic),
            client_id=self.name,
            security=self._security,
        )
        self._producers.append(outbox)
        return outbox

    def _outbox_for(
        self, group: str, topic: str, delivery: Delivery
    ) -> TransactionalOutbox | AtLeastOnceOutbox | PerBatchDelivery:
        """What a subscription commits with; its producers start and stop with the service."""
        if delivery == "exactly-once":
            return self._transactional_outbox(group, topic)
        if delivery == "at-least-once":
            return self._at_least_once_outbox(group, topic)
        return PerBatchDelivery(
            self._transactional_outbox(group, topic),
            self._at_least_once_outbox(group, topic),
            delivery,
        )

    def _subscribe_retries(self) -> None:
        """Register the one retry consumer, once every topic is subscribed."""
        if self._retry_pumps and not self._retries_subscribed:
            self._loops.append(
                subscribe_retries(
                    self._retry_pumps,
                    group_id=self._retry_group,
                    tuning=self._tuning,
                    connection=self._connection,
                )
            )
            self._retries_subscribed = True

    async def _start_consuming(self) -> None:
        await asyncio.gather(*(loop.start() for loop in self._loops))

    async def _stop_consuming(self) -> None:
        """Stop polling; each batch in flight settles before its group is left."""
        await asyncio.gather(*(loop.stop() for loop in self._loops))

    async def _start_producers(self) -> None:
        await self.outbox.start()
        await asyncio.gather(*(p.start() for p in self._producers))

    async def _stop_producers(self) -> None:
        await asyncio.gather(*(p.stop() for p in self._producers))
        await self.outbox.stop()

    async def _start_ops(self) -> None:
        """Serve the ops endpoints on ``OPS_PORT`` (services without HTTP of their own)."""
        if self._settings.ops_port is not None:
            self._ops_server = await ops.serve(
                self.ops, self._settings.ops_host, self._settings.ops_port
            )

    async def _stop_ops(self) -> None:
        if self._ops_server is not None:
            await self._ops_server.cleanup()
            self._ops_server = None
        if self._ready_redis is not None:
            await self._ready_redis.aclose()

    async def start(self) -> None:
        """Start publishing, then consuming (what the app does; for tests and tools)."""
        self._subscribe_retries()
        await self._start_producers()
        await self._start_ops()
        await self._start_consuming()

    async def stop(self) -> None:
        """Stop consuming, then publishing."""
        await self._stop_consuming()
        await self._stop_ops()
        await self._stop_producers()

    def app(
        self, *, on_startup: Iterable[Hook] = (), after_shutdown: Iterable[Hook] = ()
    ) -> FastStream:
        """The FastStream app: outbox up before consuming starts, down after it stops.

        The consume loops start after every startup hook and stop first on
        SIGTERM/SIGINT, before any shutdown hook and before the producers.
        """
        self._subscribe_retries()
        app = FastStream(self.broker)
        app.on_startup(self._start_producers)
        app.on_startup(self._start_ops)
        for hook in on_startup:
            app.on_startup(hook)
        app.after_startup(self._start_consuming)
        app.on_shutdown(self._stop_consuming)
        for hook in after_shutdown:
            app.after_shutdown(hook)
        app.after_shutdown(self._stop_ops)
        app.after_shutdown(self._stop_producers)  # last: hooks above may still publish
        return app


EXIT_FENCED = 75
"""Exit status of an instance stopped because Kafka fenced its producer (EX_TEMPFAIL)."""

EXIT_GRACE_SECONDS = 10.0
"""How long the process may take to end once the app has drained and closed."""


def run(app: FastStream) -> None:
    """Run a service on uvloop; FastStream handles SIGINT/SIGTERM by draining and closing.

    ``kill -USR1`` writes every thread's stack to stderr, for a service that
    seems stuck. A process still alive :data:`EXIT_GRACE_SECONDS` after its
    app has closed writes the same and exits with status 1: its work is
    committed, and a hang at exit must be seen, not wait for a SIGKILL.
    The garbage collector is set for a long-running consumer first
    (:mod:`runtime.collector`).
    """
    logs.configure()
    faulthandler.register(signal.SIGUSR1, all_threads=True)
    collector.tune()  # after every import: what exists now lives as long as the process
    collector.Pauses().install()
    uvloop.install()
    asyncio.run(_serve(app))
    if transactions.fenced():
        sys.exit(EXIT_FENCED)


async def _serve(app: FastStream) -> None:
    await app.run()
    faulthandler.dump_traceback_later(EXIT_GRACE_SECONDS, exit=True)
    current = asyncio.current_task()
    leftovers = [task for task in asyncio.all_tasks() if task is not current]
    if not leftovers:
        return
    names = sorted(getattr(task.get_coro(), "__qualname__", "?") for task in leftovers)
    log.info("closed; cancelling %d leftover task(s): %s", len(names), ", ".join(names))
    for task in leftovers:
        task.cancel()
    _, stubborn = await asyncio.wait(leftovers, timeout=EXIT_GRACE_SECONDS / 2)
    for task in stubborn:  # where each one is stuck: code locations only, no data
        log.error("task %s ignores cancellation; its stack follows", task.get_name())
        task.print_stack(file=sys.stderr)
