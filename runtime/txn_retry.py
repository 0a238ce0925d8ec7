"""How soon a transaction the coordinator refused as CONCURRENT_TRANSACTIONS is tried again.

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
"""

from aiokafka.producer import sender as _sender

BACKOFF_S = 0.002
"""Seconds between tries of a transaction's first AddPartitionsToTxn (aiokafka's own: 0.02)."""


def shorten(seconds: float = BACKOFF_S) -> None:
    """Retry a CONCURRENT_TRANSACTIONS refusal after ``seconds`` instead of aiokafka's 20 ms."""
    if not 0 < seconds <= 0.1:
        raise ValueError(f"backoff {seconds} s: must be within (0, 0.1]")
    if not isinstance(getattr(_sender, "BACKOFF_OVERRIDE", None), float):
        raise RuntimeError(
            "aiokafka.producer.sender has no BACKOFF_OVERRIDE any more: see runtime/txn_retry.py"
        )
    _sender.BACKOFF_OVERRIDE = seconds


def current() -> float:
    """The backoff aiokafka uses now, in seconds."""
    return float(_sender.BACKOFF_OVERRIDE)
