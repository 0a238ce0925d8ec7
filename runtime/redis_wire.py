"""The hub's asyncio Redis connections pack commands with hiredis, in C.

Why: redis-py's synchronous client packs with hiredis when it is installed
(its ``HiredisRespSerializer``), but its asyncio connection packs in Python,
argument by argument. After stop 26 cut the gateway's commands from 18 to 8
per registration, packing was still the largest Redis cost in the store's
own bench (``bench.store_cost``). The bytes on the wire are the same; a
property test holds them to redis-py's packer.

What redis-py's packer does besides, this keeps: a command name with spaces
(``SCRIPT LOAD``) becomes several arguments, and a value of a type Redis
has no encoding for (``None``, ``bool``, other objects) is a ``DataError``.
"""

from typing import TYPE_CHECKING, Any

import hiredis
from redis.asyncio.connection import (
    AbstractConnection,
    Connection,
    SSLConnection,
    UnixDomainSocketConnection,
)
from redis.exceptions import DataError

if TYPE_CHECKING:
    from redis.asyncio import Redis


class _PackedByHiredis:
    """``pack_command`` by ``hiredis.pack_command``; mixed in before a redis-py connection."""

    def pack_command(self, *args: Any) -> list[bytes]:
        """The command as RESP bytes, in one piece."""
        name = args[0]
        if isinstance(name, str):
            args = (*name.encode().split(), *args[1:])
        elif b" " in name:
            args = (*name.split(), *args[1:])
        try:
            return [hiredis.pack_command(args)]
        except TypeError:
            pass
        # hiredis takes str, bytes, int, float and memoryview; redis-py also takes bytearray.
        widened: Any = tuple(bytes(a) if isinstance(a, bytearray | memoryview) else a for a in args)
        try:
            return [hiredis.pack_command(widened)]
        except TypeError as error:
            raise DataError(f"a Redis command argument cannot be encoded: {error}") from None


class PackedConnection(_PackedByHiredis, Connection):
    """TCP."""


class PackedSSLConnection(_PackedByHiredis, SSLConnection):
    """TLS (``rediss://``)."""


class PackedUnixConnection(_PackedByHiredis, UnixDomainSocketConnection):
    """A Unix socket (``unix://``)."""


_PACKED: dict[type[AbstractConnection], type[AbstractConnection]] = {
    Connection: PackedConnection,
    SSLConnection: PackedSSLConnection,
    UnixDomainSocketConnection: PackedUnixConnection,
}


def packed_by_hiredis(client: "Redis") -> "Redis":
    """``client``, its new connections packing with hiredis; TLS and sockets as its URL chose.

    The class is swapped on the pool rather than given to ``from_url``:
    ``from_url`` lets the URL's scheme choose the class (``rediss://`` is
    TLS), and a class of its own would be ignored there. A class this
    module does not know is left as it is.
    """
    pool = client.connection_pool
    pool.connection_class = _PACKED.get(pool.connection_class, pool.connection_class)
    return client
