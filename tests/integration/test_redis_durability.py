"""What devstack's Redis acknowledged survives its ``kill -9`` (issue 15).

Why a test of our own configuration: the fault suite's ``redis-kill``
scenario rests on it. Without the append-only file the writes below are gone
after the restart. A kill -9 alone cannot tell ``always`` from ``everysec``
(Redis writes the file before it replies; the kernel keeps what a killed
process wrote), a power loss could, and no test pulls the power: so the
fsync policy is checked as configuration.
"""

import redis

from devstack.redis import RedisNode


def test_acknowledged_writes_survive_a_kill_9_of_redis() -> None:
    with RedisNode() as node:
        client = redis.Redis.from_url(node.url, socket_timeout=5)
        try:
            assert client.config_get("appendfsync") == {"appendfsync": "always"}
            assert client.config_get("appendonly") == {"appendonly": "yes"}
            pipe = client.pipeline(transaction=True)
            for i in range(200):
                pipe.hset(f"durability:{i}", mapping={"state": "decided", "n": i})
            pipe.execute()
            client.set("durability:last", "acknowledged")
        finally:
            client.close()
        node.restart(kill=True)
        client = redis.Redis.from_url(node.url, socket_timeout=5)
        try:
            assert client.get("durability:last") == b"acknowledged"
            assert client.hget("durability:199", "state") == b"decided"
            assert len(client.keys("durability:*")) == 201
        finally:
            client.close()
