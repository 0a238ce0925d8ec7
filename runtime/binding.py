"""How a :class:`BatchPump` meets Kafka: one consume loop per subscription.

Why apart from :mod:`runtime.consumer`: the policy (what to commit, retry,
dead-letter) is pure and tested without a broker; this module only wires a
pump to a :class:`~runtime.kafka_loop.ConsumeLoop`: each poll is processed
under the pump's ``busy`` lock (so a rebalance waits for it), the lag metric
is set after a committed batch, and a batch that must be read again is
rewound to its first records.
"""

from runtime.at_least_once import AtLeastOnceOutbox, PerBatchDelivery
from runtime.checkpoints import Checkpoint
from runtime.consumer import BatchHandler, BatchPump, BatchTransaction, FailurePolicy, OutputStage
from runtime.kafka_loop import Connection, ConsumeLoop, FetchTuning, Poll
from runtime.transient import TRANSIENT


def subscribe(
    outbox: BatchTransaction,
    topic: str,
    *,
    group_id: str,
    handler: BatchHandler,
    failures: FailurePolicy,
    tuning: FetchTuning,
    connection: Connection,
    description: str = "",
    fault: Checkpoint | None = None,
    stage: OutputStage | None = None,
) -> tuple[BatchPump, ConsumeLoop]:
    """``handler`` on ``topic`` with the hub's consume policy, publishing via ``outbox``.

    Returns the pump and its loop, not started (the service starts its loops).
    An :class:`AtLeastOnceOutbox` (alone or in a :class:`PerBatchDelivery`) commits
    offsets through this loop's consumer.
    """
    pump = BatchPump(
        outbox, handler, group_id=group_id, failures=failures, fault=fault, stage=stage
    )

    async def on_poll(poll: Poll) -> None:
        async with pump.busy:
            try:
                await pump.process(
                    poll.records,
                    poll.committed,
                    more=lambda: poll.more(tuning.max_records - len(poll.records)),
                )
                poll.record_lag(group_id, topic, poll.records)
            except TRANSIENT:
                poll.rewind(poll.records)  # the pump has backed off already
            except Exception:
                poll.rewind(poll.records)
                raise

    loop = ConsumeLoop(
        [topic],
        group_id=group_id,
        on_poll=on_poll,
        busy=pump.busy,
        tuning=tuning,
        connection=connection,
        description=description,
    )
    if isinstance(outbox, AtLeastOnceOutbox | PerBatchDelivery):
        outbox.bind(loop.commit_offsets)
    return pump, loop
