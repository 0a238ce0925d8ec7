"""Lag counts unprocessed records, not the offsets transaction markers take."""

from aiokafka import AIOKafkaProducer, TopicPartition
from aiokafka.admin import AIOKafkaAdminClient

from devstack.lag import pending_records, total_pending
from runtime.kafka_security import from_environment


async def test_a_group_past_its_last_transactional_record_has_no_lag(
    bootstrap_servers, unique_topic
):
    producer = AIOKafkaProducer(
        bootstrap_servers=bootstrap_servers,
        transactional_id=unique_topic + ".tx",
        **from_environment(),
    )
    await producer.start()
    group = unique_topic + ".g"
    tp = TopicPartition(unique_topic, 0)
    try:
        async with producer.transaction():
            for i in range(3):
                await producer.send(unique_topic, b"v%d" % i, partition=0)
        assert await pending_records(bootstrap_servers, group, [unique_topic]) == {unique_topic: 3}
        async with producer.transaction():
            await producer.send_offsets_to_transaction({tp: 2}, group)
        assert await pending_records(bootstrap_servers, group, [unique_topic]) == {unique_topic: 1}
        assert await total_pending(bootstrap_servers, unique_topic) == 1  # the bench's settle
        async with producer.transaction():
            await producer.send_offsets_to_transaction({tp: 3}, group)
    finally:
        await producer.stop()
    admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap_servers, **from_environment())
    await admin.start()
    try:
        committed = (await admin.list_consumer_group_offsets(group))[tp].offset
    finally:
        await admin.close()
    assert committed == 3  # the naive lag would count the commit marker at offset 3
    assert await pending_records(bootstrap_servers, group, [unique_topic]) == {unique_topic: 0}
    assert await total_pending(bootstrap_servers, unique_topic) == 0
