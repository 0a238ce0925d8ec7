"""Which partition a record goes to: Kafka's own rule, with each key's hash remembered.

Why: every producer of the hub keys its records by submission id (or an
audit chain), and one registration's id keys ten or more records on their
way through the gateway. aiokafka's default partitioner hashes every key
again with a pure-Python murmur2, about 5 % of the gateway's CPU at full load
(py-spy, BENCHMARKS.md, stop 24). The rule is unchanged, so the hub's
records land where any Kafka client (the Java one included) puts the same
key: ``murmur2(key) & 0x7fffffff`` modulo the partition count, over the
partitions sorted by id. A record without a key goes to a random available
partition, as aiokafka's does.
"""

import random
from collections.abc import Sequence

from aiokafka.partitioner import murmur2

REMEMBERED_KEYS = 16_384
"""Hashes kept before the memory is emptied and refilled: bounded, so a long run stays flat."""


class KeyPartitioner:
    """aiokafka's partitioner interface, the same choices as its default, keys' hashes cached."""

    def __init__(self, remembered: int = REMEMBERED_KEYS) -> None:
        self._remembered = remembered
        self._hashes: dict[bytes, int] = {}

    def __call__(
        self, key: bytes | None, all_partitions: Sequence[int], available: Sequence[int]
    ) -> int:
        """The partition for ``key`` among ``all_partitions`` (sorted by id, as aiokafka gives)."""
        if key is None:
            return random.choice(available or all_partitions)
        hashed = self._hashes.get(key)
        if hashed is None:
            if len(self._hashes) >= self._remembered:
                self._hashes.clear()
            hashed = self._hashes[key] = murmur2(key) & 0x7FFFFFFF
        return all_partitions[hashed % len(all_partitions)]
