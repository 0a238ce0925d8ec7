"""The one Kafka producer a service publishes its handlers' records with.

Why not FastStream's ``broker.publish``: it builds a command object and runs a
middleware chain per record, which cost more CPU than the rest of the hop in
the benchmark. Handlers hand over whole batches; this sends them all, then
awaits every acknowledgement once. Owning the producer is also where Kafka
transactions will go (``transactional_id``, offsets sent in the transaction).
"""

import asyncio
from collections.abc import Mapping, Sequence
from typing import Any

from aiokafka import AIOKafkaProducer, TopicPartition
from aiokafka.errors import KafkaError
from aiokafka.producer.message_accumulator import BatchBuilder

from runtime.errors import TransientFailure
from runtime.partitions import KeyPartitioner
from runtime.records import Outbound

PARTITIONER = KeyPartitioner()
"""Where :func:`send_all` puts each record: Kafka's rule, one memory of key hashes per process."""


class Outbox:
    """Idempotent, ``acks=all`` producer; open with ``start`` and close with ``stop``."""

    def __init__(
        self,
        bootstrap_servers: str,
        *,
        client_id: str,
        security: Mapping[str, Any],
        linger_ms: int = 2,
    ) -> None:
        """``security``: the service's principal (``InfraSettings.kafka_options()``)."""
        self._bootstrap_servers = bootstrap_servers
        self._security = dict(security)
        self._client_id = client_id
        self._linger_ms = linger_ms
        self._producer: AIOKafkaProducer | None = None

    async def start(self) -> None:
        """Connect to the cluster (aiokafka binds its producer to the running loop)."""
        producer = AIOKafkaProducer(
            bootstrap_servers=self._bootstrap_servers,
            client_id=self._client_id,
            acks="all",
            enable_idempotence=True,
            linger_ms=self._linger_ms,
            **self._security,
        )
        await producer.start()
        self._producer = producer

    async def reachable(self) -> None:
        """Ask the cluster for its metadata: raises when no broker answers (readiness)."""
        if self._producer is None:
            raise RuntimeError("the outbox is not started")
        await self._producer.client.fetch_all_metadata()

    async def stop(self) -> None:
        """Flush what is pending and disconnect."""
        if self._producer is not None:
            await self._producer.stop()
            self._producer = None

    async def publish(self, records: Sequence[Outbound]) -> None:
        """Send every record, then wait until the broker has acknowledged all of them."""
        producer = self._producer
        if producer is None:
            raise RuntimeError("Outbox.start() was not awaited before publish()")
        try:
            await send_all(producer, records)
        except KafkaError as error:
            raise TransientFailure(f"kafka: {type(error).__name__}") from error


async def send_all(producer: AIOKafkaProducer, records: Sequence[Outbound]) -> None:
    """Hand every record to the producer, then wait for all of their acknowledgements.

    Records are appended to one batch per partition (aiokafka's batch
    interface) rather than sent one by one: ``producer.send`` costs a
    coroutine, a metadata check, a partitioner call and a future per record,
    about 13 % of the gateway's CPU at full load (py-spy, BENCHMARKS.md,
    stop 24). The batches are the ones the producer would have built, they
    go out in the same requests, and inside a transaction each partition
    joins it as with ``send``. Order within a partition is the records' order.
    """
    if not records:
        return
    batches: dict[TopicPartition, BatchBuilder] = {}
    pending: list[asyncio.Future[Any]] = []
    partitions: dict[str, list[int]] = {}
    for record in records:
        tp = await _partition_of(producer, record, partitions)
        headers = [(name, value.encode()) for name, value in record.headers.items()]
        batch = batches.get(tp)
        if batch is None:
            batch = batches[tp] = producer.create_batch()
        appended = batch.append(timestamp=None, key=record.key, value=record.value, headers=headers)
        if appended is not None:
            continue
        # The batch is full: it goes, and the partition's next one starts with this record.
        pending.append(await producer.send_batch(batch, tp.topic, partition=tp.partition))
        batch = batches[tp] = producer.create_batch()
        appended = batch.append(timestamp=None, key=record.key, value=record.value, headers=headers)
        if appended is None:
            raise TransientFailure(f"kafka: a record for {tp.topic} does not fit in a batch")
    for tp, batch in batches.items():
        pending.append(await producer.send_batch(batch, tp.topic, partition=tp.partition))
    await asyncio.gather(*pending)


async def _partition_of(
    producer: AIOKafkaProducer, record: Outbound, known: dict[str, list[int]]
) -> TopicPartition:
    """Where ``record`` goes; ``known`` holds each topic's partitions for the batch."""
    topic = record.topic
    partitions = known.get(topic)
    if partitions is None:
        partitions = known[topic] = sorted(await producer.partitions_for(topic))
    available: list[int] = []
    if record.key is None:
        available = list(producer.client.cluster.available_partitions_for_topic(topic) or ())
    return TopicPartition(topic, PARTITIONER(record.key, partitions, available))
