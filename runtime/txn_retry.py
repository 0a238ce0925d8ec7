"""How soon a transaction the broker refused for a moment is tried again.

Why this exists: Kafka's transaction coordinator answers ``EndTxn`` as soon
as it has logged the commit, and writes the commit markers afterwards; a
producer that begins its next transaction before the markers are written is
refused (``CONCURRENT_TRANSACTIONS``) on its first ``AddPartitionsToTxn``.
Every consume loop under load does exactly that: it commits a batch and
starts the next one at once. aiokafka then waits a fixed 20 ms
(``BACKOFF_OVERRIDE`` in ``aiokafka/producer/sender.py``, the value the Java
client took in KAFKA-5477) although the markers take a few milliseconds.

Measured with ``python -m bench.broker_floor`` in one run (BENCHMARKS.md,
stop 19): back-to-back hop-shaped transactions took 35.8 ms each with 20 ms
and 16.1 ms with 2 ms, and the broker's CPU per transaction fell from 9.1 to
6.1 ms (it spends less idle time per transaction). A retry is one small
request the coordinator answers from memory; five fault scenarios with
brokers going away re-ran after the change and recovered faster
(RELIABILITY.md).

The value is a module constant of aiokafka's, so it is set on that module;
:func:`shorten` refuses to run against an aiokafka that no longer has it, so
an upgrade that moves it is noticed (by the unit test) instead of silently
bringing the 20 ms back. Process-wide: every producer of the process retries
the same way, which is what we want.

The second refusal is the partition leader's (stop 21). Since Kafka 3.6
(KIP-890) a leader checks each transactional produce with the coordinator
before it appends; while the producer's previous transaction still has its
markers to write there, the check says CONCURRENT_TRANSACTIONS, which the
leader answers as ``NOT_ENOUGH_REPLICAS`` (a retriable error old clients
know). aiokafka retries a produce after ``retry_backoff_ms``, 100 ms. Traced
at 20 registrations/s (BENCHMARKS.md, stop 21) this held 11 % of decisions
back by 100-120 ms, and the gateway's answers with them, while the refusal
is over in a few milliseconds. :func:`shorten` therefore also makes a
transactional producer retry such a produce after
:data:`VERIFICATION_BACKOFF_S`, once per batch: a second refusal of the
same batch is a replica really missing (a broker down on a cluster), and
waits aiokafka's 100 ms like any other retry.
"""

import weakref
from typing import Any, ClassVar

from aiokafka.errors import NotEnoughReplicasError
from aiokafka.producer import sender as _sender

BACKOFF_S = 0.002
"""Seconds between tries of a transaction's first AddPartitionsToTxn (aiokafka's own: 0.02)."""
VERIFICATION_BACKOFF_S = 0.005
"""Seconds before a transactional produce refused as NOT_ENOUGH_REPLICAS is first tried again."""

_BaseProduce: Any = _sender.SendProduceReqHandler


class _ProduceRetriedSoon(_BaseProduce):  # type: ignore[misc]
    """aiokafka's produce request, retrying a transaction's refused check soon, once per batch."""

    retried_soon: ClassVar["weakref.WeakSet[Any]"] = weakref.WeakSet()

    def handle_response(self, response: Any) -> None:
        """aiokafka's handling; then, for a KIP-890 refusal only, a short wait before the retry."""
        super().handle_response(response)
        retried = self._to_reenqueue
        if not retried or not _transactional(self._sender) or not _only_refused(response):
            return
        if any(batch in self.retried_soon for batch in retried):
            return  # refused twice: a replica is missing, not a marker
        self.retried_soon.update(retried)
        self._default_backoff = VERIFICATION_BACKOFF_S


def _transactional(sender: Any) -> bool:
    manager = sender._txn_manager
    return manager is not None and manager.transactional_id is not None


def _only_refused(response: Any) -> bool:
    """Whether every partition that failed in ``response`` failed as NOT_ENOUGH_REPLICAS."""
    codes = {info[1] for _, partitions in response.topics for info in partitions} - {0}
    return codes == {NotEnoughReplicasError.errno}


def shorten(seconds: float = BACKOFF_S) -> None:
    """Retry a CONCURRENT_TRANSACTIONS refusal after ``seconds`` instead of aiokafka's 20 ms.

    And a refused transactional produce soon, once per batch (the module's docstring).
    """
    if not 0 < seconds <= 0.1:
        raise ValueError(f"backoff {seconds} s: must be within (0, 0.1]")
    if not isinstance(getattr(_sender, "BACKOFF_OVERRIDE", None), float):
        raise RuntimeError(
            "aiokafka.producer.sender has no BACKOFF_OVERRIDE any more: see runtime/txn_retry.py"
        )
    _sender.BACKOFF_OVERRIDE = seconds
    if _sender.SendProduceReqHandler is _BaseProduce:
        if not hasattr(_BaseProduce, "handle_response") or not hasattr(_BaseProduce, "do"):
            raise RuntimeError(
                "aiokafka's SendProduceReqHandler changed shape: see runtime/txn_retry.py"
            )
        _sender.SendProduceReqHandler = _ProduceRetriedSoon


def current() -> float:
    """The backoff aiokafka uses now, in seconds."""
    return float(_sender.BACKOFF_OVERRIDE)
