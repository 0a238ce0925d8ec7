"""Commands packed by hiredis are the bytes redis-py's own packer would send."""

import pytest
from hypothesis import given
from hypothesis import strategies as st
from redis.asyncio import Redis
from redis.asyncio.connection import Connection, SSLConnection, UnixDomainSocketConnection
from redis.exceptions import DataError

from runtime.redis_wire import (
    PackedConnection,
    PackedSSLConnection,
    PackedUnixConnection,
    packed_by_hiredis,
)

ARGUMENT = st.one_of(
    st.text(),
    st.binary(),
    st.integers(min_value=-(2**63), max_value=2**63 - 1),
    st.floats(allow_nan=False, allow_infinity=False),
)
"""What the hub passes to Redis: text, bytes, integers and finite floats (scores, TTLs)."""


def _wire(connection_class: type[Connection], *args) -> bytes:
    return b"".join(connection_class().pack_command(*args))


@given(st.sampled_from(["SET", "HSET", "EVALSHA", b"ZADD"]), st.lists(ARGUMENT, max_size=8))
def test_any_command_packs_to_the_bytes_redis_py_sends(name, arguments):
    assert _wire(PackedConnection, name, *arguments) == _wire(Connection, name, *arguments)


@pytest.mark.parametrize("name", ["SCRIPT LOAD", b"SCRIPT LOAD", "CLIENT SETNAME"])
def test_a_command_name_with_spaces_is_split_as_redis_py_splits_it(name):
    assert _wire(PackedConnection, name, "x") == _wire(Connection, name, "x")


def test_large_values_and_views_arrive_whole():
    big = b"v" * 100_000  # past redis-py's buffer cut-off, where it sends pieces
    for value in (big, bytearray(big), memoryview(big)):
        assert _wire(PackedConnection, "SET", "k", value) == _wire(Connection, "SET", "k", value)


@pytest.mark.parametrize("value", [None, True, object(), [1]])
def test_a_value_redis_cannot_encode_is_a_data_error_as_before(value):
    with pytest.raises(DataError):
        _wire(Connection, "SET", "k", value)
    with pytest.raises(DataError, match="cannot be encoded"):
        _wire(PackedConnection, "SET", "k", value)


@pytest.mark.parametrize(
    ("url", "plain", "packed"),
    [
        ("redis://127.0.0.1:6379/0", Connection, PackedConnection),
        ("rediss://127.0.0.1:6380/0", SSLConnection, PackedSSLConnection),
        ("unix:///run/redis.sock", UnixDomainSocketConnection, PackedUnixConnection),
    ],
)
def test_the_url_still_chooses_tls_or_a_socket(url, plain, packed):
    client = packed_by_hiredis(Redis.from_url(url))
    chosen = client.connection_pool.connection_class
    assert chosen is packed and issubclass(chosen, plain)


def test_a_connection_class_it_does_not_know_is_left_alone():
    class Own(Connection):
        pass

    client = packed_by_hiredis(Redis.from_url("redis://127.0.0.1:1/0", connection_class=Own))
    assert client.connection_pool.connection_class is Own
