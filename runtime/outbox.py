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

from aiokafka import AIOKafkaProducer
from aiokafka.errors import KafkaError

from runtime.errors import TransientFailure
from runtime.records import Outbound


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
    """Hand every record to the producer, then wait for all of their acknowledgements."""
    pending = [
        await producer.send(
            record.topic,
            record.value,
            key=record.key,
            headers=[(name, value.encode()) for name, value in record.headers.items()],
        )
        for record in records
    ]
    if pending:
        await asyncio.gather(*pending)
