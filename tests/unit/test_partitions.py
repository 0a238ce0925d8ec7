"""runtime.partitions: Kafka's partition rule, with key hashes remembered, and memory bounded."""

import random

from aiokafka.partitioner import DefaultPartitioner

from runtime.partitions import KeyPartitioner


def test_every_key_lands_where_kafkas_default_partitioner_puts_it():
    ours, kafkas = KeyPartitioner(remembered=64), DefaultPartitioner()
    rng = random.Random(24)
    keys = [rng.randbytes(rng.randrange(1, 60)) for _ in range(500)] + [b"SUB-1", b"x"]
    for count in (1, 2, 3, 6, 12, 50):
        partitions = list(range(count))
        for key in keys + keys:  # twice: the remembered hash gives the same answer
            assert ours(key, partitions, partitions) == kafkas(key, partitions, partitions)


def test_known_java_client_hashes_hold():
    """murmur2 values of the Java client for fixed keys (source: Kafka's UtilsTest.testMurmur2)."""
    ours = KeyPartitioner()
    many = list(range(1_000_003))  # a prime count: the modulo is the hash itself, mostly
    assert ours(b"21", many, many) == (-973932308 & 0x7FFFFFFF) % len(many)
    assert ours(b"foobar", many, many) == (-790332482 & 0x7FFFFFFF) % len(many)


def test_a_record_without_key_goes_to_an_available_partition():
    ours = KeyPartitioner()
    assert {ours(None, [0, 1, 2, 3], [2]) for _ in range(50)} == {2}
    assert {ours(None, [0, 1], []) for _ in range(200)} == {0, 1}


def test_the_memory_of_hashes_stays_bounded():
    ours = KeyPartitioner(remembered=100)
    for n in range(10_000):
        ours(b"SUB-%d" % n, [0, 1, 2], [0, 1, 2])
    assert len(ours._hashes) <= 100
