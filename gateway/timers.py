"""The gateway's timer workers (re-checks, referral deadlines), polled by runtime.polling."""

from gateway.store import RegistrationStore
from runtime.polling import Publish
from runtime.polling import TimerWorker as _SharedTimerWorker

__all__ = ["Publish", "TimerWorker"]


class TimerWorker(_SharedTimerWorker[RegistrationStore]):
    """A timer worker over the gateway's registration store."""
