"""A subscriber's transactional producer: its outputs and its input offsets commit as one.

Why transactions: a consume-transform-produce step that publishes and then
commits its offsets separately can crash in between, and its input is then
processed again and its outputs published twice. Inside one Kafka
transaction the outputs and the input offsets (``send_offsets_to_transaction``)
become visible together or not at all, and consumers reading with
``isolation_level=read_committed`` never see the outputs of an aborted try.

Why one producer per subscriber: a producer holds one transaction at a
time; a service's subscribers run concurrently. The transactional id names
the service, its instance and the consumed topic, and is stable across
restarts, so a restarted instance fences its killed predecessor and aborts
the transaction it left open instead of waiting for it to time out.

On any broker error the producer is dropped and rebuilt on the next batch:
a producer that failed mid-transaction may be in an error state, and
starting a new one with the same id aborts whatever the old one left open.

One failure is different: ``commit_transaction`` itself failing. The commit
request may have reached the transaction coordinator before the connection
broke (aiokafka gives up on the transaction when it cannot find the
coordinator again, which is what a broker restart looks like), and the
coordinator then finishes that commit on its own. Rewinding such a batch
would publish its outputs a second time. That failure is raised as
:class:`CommitUncertain`, and :meth:`TransactionalOutbox.fence` lets the
caller learn the truth: once a new producer with the same id is initialised,
the coordinator has completed or aborted the old transaction, and the
group's committed offsets say which.
"""

import asyncio
import logging
import os
import signal
from collections.abc import Awaitable, Callable, Mapping, Sequence
from typing import Any

from aiokafka import AIOKafkaProducer, TopicPartition
from aiokafka.errors import KafkaError, ProducerFenced

from runtime.errors import CommitUncertain, TransientFailure
from runtime.outbox import send_all
from runtime.records import Outbound
from runtime.txn_retry import shorten as shorten_concurrent_retry

log = logging.getLogger(__name__)

TRANSACTION_TIMEOUT_MS = 60_000
"""How long the broker lets a silent producer's transaction stay open.

Read-committed consumers cannot read past an open transaction, so this
bounds the stall after an instance disappears for good; an instance that
restarts with its id aborts its old transaction at once.

Why a minute: it must outlast the longest stall we intend to ride out. At
20 s, a broker frozen for 30 s (issue 15's ``broker-freeze`` fault) made the
coordinator abort every open transaction and bump its epoch; each producer
then saw ``ProducerFenced``, took itself for a zombie and stopped.
"""

_fenced_ids: set[str] = set()


def fenced() -> bool:
    """Whether this process stopped because Kafka fenced one of its producers.

    :func:`runtime.service.run` turns it into a non-zero exit status, so an
    orchestrator restarts the instance (a clean exit 0 would leave it down).
    """
    return bool(_fenced_ids)


BeforeCommit = Callable[[], Awaitable[None]]


class TransactionalOutbox:
    """Publishes one batch's records and commits its offsets in one transaction."""

    def __init__(
        self,
        bootstrap_servers: str,
        *,
        transactional_id: str,
        client_id: str,
        security: Mapping[str, Any],
        linger_ms: int = 0,
    ) -> None:
        """``security``: the service's principal (``InfraSettings.kafka_options()``).

        Why no linger: :meth:`commit` hands the producer every record of the
        batch before it first waits (on their acknowledgements; a topic it
        has no metadata for yet aside), so they are batched per partition
        without lingering; a linger only delayed each transaction's first
        produce request, on every hop.
        """
        self.transactional_id = transactional_id
        self._security = dict(security)
        self._bootstrap_servers = bootstrap_servers
        self._client_id = client_id
        self._linger_ms = linger_ms
        self._producer: AIOKafkaProducer | None = None
        shorten_concurrent_retry()  # back-to-back transactions: runtime/txn_retry.py

    async def start(self) -> None:
        """Connect and register the transactional id (fencing any older holder)."""
        await self._ready()

    async def stop(self) -> None:
        """Disconnect; a transaction still open is aborted by the next holder of the id."""
        producer, self._producer = self._producer, None
        if producer is not None:
            await producer.stop()

    async def commit(
        self,
        records: Sequence[Outbound],
        offsets: Mapping[TopicPartition, int],
        group_id: str,
        before_commit: BeforeCommit | None = None,
    ) -> None:
        """Publish ``records`` and commit ``offsets`` for ``group_id``, all or nothing.

        ``before_commit`` runs once the records are acknowledged inside the
        open transaction (the fault-injection suite's kill point).
        """
        producer = await self._ready()
        step = "begin"
        try:
            await producer.begin_transaction()
            step = "send"
            await send_all(producer, records)
            if before_commit is not None:
                await before_commit()
            step = "offsets"
            if offsets:
                await producer.send_offsets_to_transaction(dict(offsets), group_id)
            step = "commit"
            await producer.commit_transaction()
        except ProducerFenced:
            self._fenced()
            raise
        except KafkaError as error:
            await asyncio.shield(self._drop())
            failure = CommitUncertain if step == "commit" else TransientFailure
            raise failure(f"kafka transaction ({step}): {type(error).__name__}: {error}") from error
        except BaseException:
            # Anything else (a shutdown, a failing hook): leave nothing open for
            # read_committed readers to wait on; the batch will be tried again.
            await asyncio.shield(self._drop())
            raise

    async def fence(self) -> None:
        """Have the coordinator finish our last transaction: committed if asked to, else aborted.

        A new producer's ``InitProducerId`` is answered only once no
        transaction of this id is half-done, so when this returns the
        outcome of the failed commit is settled and visible. (:meth:`commit`
        dropped the producer that failed; any producer held now is newer.)
        """
        await self._ready()

    async def _ready(self) -> AIOKafkaProducer:
        if self._producer is not None:
            return self._producer
        producer = AIOKafkaProducer(
            bootstrap_servers=self._bootstrap_servers,
            client_id=self._client_id,
            transactional_id=self.transactional_id,
            transaction_timeout_ms=TRANSACTION_TIMEOUT_MS,
            enable_idempotence=True,
            acks="all",
            linger_ms=self._linger_ms,
            **self._security,
        )
        try:
            await producer.start()
        except KafkaError as error:
            await producer.stop()
            raise TransientFailure(f"kafka producer start: {type(error).__name__}") from error
        self._producer = producer
        return producer

    async def _drop(self) -> None:
        """Forget the producer; the next batch starts a new one, aborting what is open."""
        producer, self._producer = self._producer, None
        if producer is None:
            return
        try:
            await producer.stop()
        except Exception:  # it already failed; closing is best effort
            log.debug("closing a failed transactional producer", exc_info=True)

    def _fenced(self) -> None:
        """Another process holds our transactional id: we are a zombie and must stop."""
        _fenced_ids.add(self.transactional_id)
        log.critical(
            "transactional id %s was taken by another instance (same HUB_INSTANCE_ID?): "
            "stopping this one",
            self.transactional_id,
        )
        os.kill(os.getpid(), signal.SIGTERM)
