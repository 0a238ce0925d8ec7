"""Every value in a Redis server as text: what a leaked dump or replica would show.

Used by the at-rest probes (one store at a time) and by the end-to-end grep
over a whole run (issue 12).
"""

from typing import Any


async def dump(client: Any, match: str = "*") -> dict[str, str]:
    """Key -> every byte Redis keeps under it (strings, hash fields and values, set members)."""
    found: dict[str, str] = {}
    async for raw_key in client.scan_iter(match=match, count=1000):
        key = raw_key.decode(errors="replace")
        kind = (await client.type(raw_key)).decode()
        parts: list[Any] = []
        if kind == "string":
            parts = [await client.get(raw_key) or b""]
        elif kind == "hash":
            fields = await client.hgetall(raw_key)
            parts = [item for pair in fields.items() for item in pair]
        elif kind == "zset":
            parts = [member for member, _ in await client.zrange(raw_key, 0, -1, withscores=True)]
        elif kind == "set":
            parts = list(await client.smembers(raw_key))
        elif kind == "list":
            parts = list(await client.lrange(raw_key, 0, -1))
        elif kind == "stream":
            entries = await client.xrange(raw_key)
            parts = [item for _, fields in entries for pair in fields.items() for item in pair]
        found[key] = "\n".join(part.decode(errors="replace") for part in parts)
    return found


def leaks(dumped: dict[str, str], secrets: set[str]) -> set[tuple[str, str]]:
    """(key, secret) for every secret seen in a key name or its value."""
    return {
        (key, secret)
        for key, text in dumped.items()
        for secret in secrets
        if secret in key or secret in text
    }
