"""Lua scripts called by their SHA1 inside pipelines, loaded again when Redis forgot them.

Why not redis-py's ``register_script``: inside a pipeline its scripts send
``SCRIPT EXISTS`` before every execute, one more round trip per batch on the
gateway's hot path. Here a pipeline sends ``EVALSHA`` straight away. A Redis
that answers ``NOSCRIPT`` (restarted, flushed, failed over to a replica that
never saw the scripts) gets them loaded, and the pipeline is filled and sent
once more.

So every script sent this way, and every other command of its pipeline,
must be safe to run twice: the first try's other commands may have run.
"""

import hashlib
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any

from redis.exceptions import NoScriptError

if TYPE_CHECKING:
    from redis.asyncio import Redis


class PipelineScript:
    """One Lua script, named by the SHA1 Redis gives it (``EVALSHA``)."""

    def __init__(self, source: str) -> None:
        self.source = source
        self.sha = hashlib.sha1(source.encode(), usedforsecurity=False).hexdigest()

    def call(self, pipe: Any, keys: Sequence[str], args: Sequence[str | bytes]) -> None:
        """Queue one run of the script on ``pipe``."""
        pipe.evalsha(self.sha, len(keys), *keys, *args)


async def send_filled(
    redis: "Redis", fill: Callable[[Any], None], scripts: Sequence[PipelineScript]
) -> list[Any]:
    """Fill a non-transactional pipeline and send it; after ``NOSCRIPT``, load ``scripts``, again.

    ``fill`` is called once more for the second try, so it must only queue
    commands (values it needs, such as sealed bytes, are computed before).
    """
    pipe = redis.pipeline(transaction=False)
    fill(pipe)
    try:
        return list(await pipe.execute())
    except NoScriptError:
        for script in scripts:
            await redis.script_load(script.source)
        pipe = redis.pipeline(transaction=False)
        fill(pipe)
        return list(await pipe.execute())
