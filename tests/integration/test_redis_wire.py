"""A client packed by hiredis talks to the real Redis as redis-py's own does."""

from redis.asyncio import Redis

from runtime.redis_scripts import PipelineScript, send_filled
from runtime.redis_wire import PackedConnection, packed_by_hiredis

_ECHO = PipelineScript("return {KEYS[1], ARGV[1], ARGV[2]}")


async def test_values_scores_scripts_and_large_values_round_trip(redis_url):
    client = packed_by_hiredis(Redis.from_url(redis_url))
    try:
        await client.set("wire:text", "Jl. Merdeka № 1 — ąčę 日本")
        assert await client.get("wire:text") == "Jl. Merdeka № 1 — ąčę 日本".encode()
        await client.zadd("wire:scores", {"a": 1796131366.03, "b": 1e-7})
        assert await client.zrange("wire:scores", 0, -1, withscores=True) == [
            (b"b", 1e-7),
            (b"a", 1796131366.03),
        ]
        big = bytes(range(256)) * 1000
        await client.set("wire:big", big, ex=60)
        assert await client.get("wire:big") == big
        replies = await send_filled(
            client, lambda pipe: _ECHO.call(pipe, ["wire:k"], ["x", b"\x00\xff"]), [_ECHO]
        )
        assert replies == [[b"wire:k", b"x", b"\x00\xff"]]
        connection = await client.connection_pool.get_connection()
        assert isinstance(connection, PackedConnection)
        await client.connection_pool.release(connection)
    finally:
        await client.delete("wire:text", "wire:scores", "wire:big")
        await client.aclose()
