"""Where a failed record goes: T.retry with its attempt and origin, then T.dlq."""

import time

import pytest

from contracts import headers as h
from faults.points import FaultPoint
from runtime.consumer import FailurePolicy
from runtime.errors import PoisonMessage
from runtime.records import Inbound
from runtime.retry import RetryPolicy, attempts_made, due_at
from runtime.sealing import DeadLetterSeal, new_key

TOPIC = "insw.registration.submitted.v1"


def _first() -> Inbound:
    return Inbound(TOPIC, 3, 41, b"SUB-1", b"{}", ((h.CORRELATION_ID, b"SUB-1"),))


def _as_consumed(parked, offset: int) -> Inbound:
    headers = tuple((k, v.encode()) for k, v in parked.headers.items())
    return Inbound(parked.topic, 0, offset, parked.key, parked.value, headers)


def test_each_retry_counts_its_attempt_and_keeps_the_first_origin():
    policy = RetryPolicy(delays_s=(2.0, 10.0))
    before = time.time()
    first = policy.park(_first(), KeyError("x"))
    assert first is not None and first.topic == TOPIC + ".retry"
    consumed = _as_consumed(first, 7)
    assert attempts_made(consumed) == 1
    assert before + 1.999 <= due_at(consumed) <= time.time() + 2
    second = policy.park(consumed, KeyError("x"))
    assert second is not None and second.topic == TOPIC + ".retry"
    assert second.headers[h.RETRY_ATTEMPT] == "2"
    assert second.headers[h.RETRY_ORIGIN] == f"{TOPIC}/3/41"
    assert second.headers[h.CORRELATION_ID] == "SUB-1"
    assert policy.park(_as_consumed(second, 8), KeyError("x")) is None  # spent


def test_a_foreign_error_text_never_travels_in_retry_headers():
    parked = RetryPolicy().park(_first(), ValueError("Budi Santoso 3171012345678901"))
    assert parked is not None
    assert "Budi" not in parked.headers[h.RETRY_LAST_ERROR]


def test_poison_skips_the_retries_and_spent_retries_dead_letter_at_the_origin():
    failures = FailurePolicy(DeadLetterSeal(new_key()), RetryPolicy(delays_s=(1.0,)))
    poisoned = failures.reroute(_first(), PoisonMessage("value: json_invalid"))
    assert poisoned.topic == TOPIC + ".dlq"
    parked = failures.reroute(_first(), KeyError("bug"))
    assert parked.topic == TOPIC + ".retry"
    dead = failures.reroute(_as_consumed(parked, 9), KeyError("bug"))
    assert dead.topic == TOPIC + ".dlq"
    assert (dead.headers[h.DLQ_TOPIC], dead.headers[h.DLQ_PARTITION]) == (TOPIC, "3")
    assert dead.headers[h.DLQ_OFFSET] == "41"


def test_a_fault_point_fires_once_on_the_armed_batch_of_its_topic():
    point = FaultPoint.from_env(
        {"INSW_FAULT_POINT": f"before-commit@{TOPIC}", "INSW_FAULT_AFTER_BATCHES": "2"}
    )
    assert point is not None
    seen = [
        point.fires("before-commit", "other.topic"),
        point.fires("before-produce", TOPIC),
        point.fires("before-commit", TOPIC),
        point.fires("before-commit", TOPIC),
        point.fires("before-commit", TOPIC),
    ]
    assert seen == [False, False, False, True, False]
    assert FaultPoint.from_env({}) is None


def test_a_misspelt_fault_point_stops_the_service_at_start():
    with pytest.raises(ValueError, match="INSW_FAULT_POINT"):
        FaultPoint.from_env({"INSW_FAULT_POINT": "before-comit@t"})
