"""The circuit breaker's state machine, on a fake clock."""

import pytest

from adapters.kit.breaker import BreakerState, CircuitBreaker


class Clock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def seen() -> list[BreakerState]:
    return []


@pytest.fixture
def breaker(clock, seen) -> CircuitBreaker:
    return CircuitBreaker(failures=3, cooldown=10, clock=clock, on_change=seen.append)


def fail(breaker: CircuitBreaker, times: int) -> None:
    for _ in range(times):
        assert breaker.allow()
        breaker.failed()


def test_opens_after_n_consecutive_failures_only(breaker):
    fail(breaker, 2)
    assert breaker.allow()
    breaker.succeeded()  # a success in between resets the count
    fail(breaker, 2)
    assert breaker.state is BreakerState.CLOSED
    states = [breaker.state]
    fail(breaker, 1)
    states.append(breaker.state)
    assert states == [BreakerState.CLOSED, BreakerState.OPEN]
    assert not breaker.allow() and breaker.rejects_now()


def test_half_open_after_cooldown_allows_exactly_one_trial(breaker, clock):
    fail(breaker, 3)
    clock.now = 9.9
    assert not breaker.allow()
    clock.now = 10
    assert breaker.state is BreakerState.HALF_OPEN and not breaker.rejects_now()
    assert breaker.allow()
    assert not breaker.allow() and breaker.rejects_now()  # the trial is in flight


def test_trial_success_closes(breaker, clock, seen):
    fail(breaker, 3)
    clock.now = 10
    assert breaker.allow()
    breaker.succeeded()
    assert breaker.state is BreakerState.CLOSED
    assert seen == [
        BreakerState.CLOSED,
        BreakerState.OPEN,
        BreakerState.HALF_OPEN,
        BreakerState.CLOSED,
    ]


def test_trial_failure_reopens_for_a_new_cooldown(breaker, clock):
    fail(breaker, 3)
    clock.now = 10
    assert breaker.allow()
    breaker.failed()
    assert breaker.state is BreakerState.OPEN
    clock.now = 19
    assert not breaker.allow()
    clock.now = 20
    assert breaker.allow()


def test_rejects_nonsense_settings():
    with pytest.raises(ValueError):
        CircuitBreaker(failures=0, cooldown=1)
