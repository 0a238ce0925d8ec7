"""What devstack's Redis acknowledged is there again after a restart, a ``kill -9`` too (issue 15).

Why a test of our own configuration: the fault suite's ``redis-kill`` and
``redis-restart`` scenarios rest on it. It found that Redis 7.0 dropped
every ``MULTI``/``EXEC`` block of the append-only file on loading while the
``default`` user had no permissions (redis/redis#14541): the customs store
saves in transactions, and a multi-write script is replayed as one.

A kill -9 alone cannot tell ``appendfsync always`` from ``everysec`` (Redis
writes the file before it replies; the kernel keeps what a killed process
wrote); a power loss could, and no test pulls the power: so the fsync
policy is checked as configuration.
"""

import pytest
import redis

from devstack.redis import RedisNode

TWO_WRITES = "redis.call('SET', KEYS[1], ARGV[1]); redis.call('SET', KEYS[2], ARGV[1]); return 1"


def _client(node: RedisNode) -> redis.Redis:
    return redis.Redis.from_url(node.url, socket_timeout=5)


@pytest.mark.parametrize("kill", [True, False], ids=["kill-9", "sigterm"])
def test_acknowledged_writes_survive_a_restart_of_redis(kill: bool) -> None:
    with RedisNode() as node:
        client = _client(node)
        try:
            assert client.config_get("appendfsync") == {"appendfsync": "always"}
            assert client.config_get("appendonly") == {"appendonly": "yes"}
            pipe = client.pipeline(transaction=True)  # MULTI ... EXEC, as the customs store
            for i in range(200):
                pipe.hset(f"durability:{i}", mapping={"state": "decided", "n": i})
            pipe.execute()
            client.eval(TWO_WRITES, 2, "durability:script-a", "durability:script-b", "x")
            client.set("durability:last", "acknowledged")
        finally:
            client.close()
        node.restart(kill=kill)
        client = _client(node)
        try:
            assert client.get("durability:last") == b"acknowledged"
            assert client.hget("durability:199", "state") == b"decided"
            assert client.mget("durability:script-a", "durability:script-b") == [b"x", b"x"]
            assert len(client.keys("durability:*")) == 203
        finally:
            client.close()


def test_no_one_gets_in_as_the_default_user() -> None:
    with RedisNode() as node:
        anonymous = redis.Redis(host="127.0.0.1", port=node.port, socket_timeout=5)
        try:
            with pytest.raises(redis.AuthenticationError):
                anonymous.get("anything")
            with pytest.raises(redis.AuthenticationError):
                anonymous.execute_command("AUTH", "default", "")
        finally:
            anonymous.close()
