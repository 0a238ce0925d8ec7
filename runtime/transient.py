"""What counts as a failure of the world rather than of a record, decided once.

Why one tuple: the consume policy, the retry consumer and the timer loop must
agree on which errors mean "back off and try the same work again" (a broker,
Redis or network outage, or our own :class:`TransientFailure`) and which mean
"this record failed". The hub's stores translate their own errors into
:class:`TransientFailure`; the library errors here are the ones that can
still escape from clients used directly.
"""

from aiokafka.errors import KafkaError
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError

from runtime.errors import TransientFailure

TRANSIENT: tuple[type[BaseException], ...] = (
    TransientFailure,
    KafkaError,
    RedisConnectionError,
    RedisTimeoutError,
    TimeoutError,
    ConnectionError,
)
