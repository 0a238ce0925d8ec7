"""Redis failures become the hub's own :class:`TransientFailure`, in one place.

Every store that talks to Redis wraps its calls in :func:`redis_faults`, so
the consume policy sees one kind of error for "Redis is not answering" and
backs off instead of dead-lettering good records.
"""

from collections.abc import Iterator
from contextlib import contextmanager

from redis.exceptions import RedisError

from runtime.errors import TransientFailure


@contextmanager
def redis_faults() -> Iterator[None]:
    """Translate any Redis error, or a round trip cut off by a timeout, into TransientFailure."""
    try:
        yield
    except RedisError as error:
        raise TransientFailure(f"redis: {type(error).__name__}") from error
    except TimeoutError as error:  # a store's own bound on a round trip (asyncio.timeout)
        raise TransientFailure("redis: no answer in time") from error
