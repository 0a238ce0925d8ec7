"""A circuit breaker per agency: stop calling an agency that keeps failing.

Why: when an agency is down, every request would otherwise spend its whole
retry budget (seconds) before answering ``UNAVAILABLE``, holding a concurrency
slot and adding load to an agency trying to recover. After ``failures``
consecutive failures the breaker *opens*: calls fail at once, without
touching the network. After ``cooldown`` seconds it is *half-open*: one trial
call goes through; its success closes the breaker, its failure opens it again
for another cool-down.

::

    CLOSED --N consecutive failures--> OPEN --cool-down--> HALF_OPEN
      ^                                  ^                    |
      +------------trial succeeds--------|----trial fails-----+
"""

import time
from collections.abc import Callable
from enum import IntEnum


class BreakerState(IntEnum):
    """Breaker states; the values are what the metrics gauge reports."""

    CLOSED = 0
    HALF_OPEN = 1
    OPEN = 2


class CircuitBreaker:
    """Consecutive-failure breaker with a cool-down and a single half-open trial.

    Not thread-safe; meant for one asyncio event loop, where the methods
    cannot interleave because none of them awaits.
    """

    def __init__(
        self,
        *,
        failures: int,
        cooldown: float,
        clock: Callable[[], float] = time.monotonic,
        on_change: Callable[[BreakerState], None] = lambda state: None,
    ) -> None:
        if failures < 1 or cooldown < 0:
            raise ValueError("a breaker needs failures >= 1 and cooldown >= 0")
        self._threshold = failures
        self._cooldown = cooldown
        self._clock = clock
        self._on_change = on_change
        self._state = BreakerState.CLOSED
        self._consecutive = 0
        self._opened_at = 0.0
        self._trial_in_flight = False
        on_change(self._state)

    @property
    def state(self) -> BreakerState:
        """The state now (an open breaker past its cool-down reads as half-open)."""
        if self._state is BreakerState.OPEN and self._cooled_down():
            return BreakerState.HALF_OPEN
        return self._state

    def rejects_now(self) -> bool:
        """Whether a call would fail fast now, without reserving the half-open trial."""
        state = self.state
        return state is BreakerState.OPEN or (
            state is BreakerState.HALF_OPEN and self._trial_in_flight
        )

    def allow(self) -> bool:
        """Reserve the right to make one call; every allowed call must report its result."""
        if self._state is BreakerState.CLOSED:
            return True
        if self._state is BreakerState.OPEN:
            if not self._cooled_down():
                return False
            self._set(BreakerState.HALF_OPEN)
        if self._trial_in_flight:
            return False
        self._trial_in_flight = True
        return True

    def succeeded(self) -> None:
        """The agency answered: close the breaker and forget earlier failures."""
        self._consecutive = 0
        self._trial_in_flight = False
        if self._state is not BreakerState.CLOSED:
            self._set(BreakerState.CLOSED)

    def failed(self) -> None:
        """The agency gave no usable answer: count it; open at the threshold or after a trial."""
        self._consecutive += 1
        trial = self._state is BreakerState.HALF_OPEN
        self._trial_in_flight = False
        if trial or self._consecutive >= self._threshold:
            self._opened_at = self._clock()
            self._set(BreakerState.OPEN)

    def _cooled_down(self) -> bool:
        return self._clock() - self._opened_at >= self._cooldown

    def _set(self, state: BreakerState) -> None:
        self._state = state
        self._on_change(state)
