"""One Ed25519 signature per batch of records, each record proven by its path to the signed root.

Written as attacks first: whatever is bent in a batch-signed record (its value,
key, signed headers, path, index, tree size, signature, key id), or moved
from one batch to another, is refused with SIGNATURE_INVALID, and nothing of
it reaches a handler; what is not bent verifies on its own, in any order,
with or without the verifier's cache of roots it has already checked.
"""

import base64
import hashlib
from collections.abc import Callable
from dataclasses import replace

import pytest

from contracts import channels, signers
from contracts import headers as h
from runtime import signature_batches as sb
from runtime.consumer import HandlerResult
from runtime.records import Inbound, Outbound
from runtime.signing import (
    SignatureInvalid,
    TrustedKeys,
    new_signing_key,
    parse_trusted_keys,
    signer_for,
    verified,
)

OSS_SIGNER = signers.AGENCY_SIGNERS[0]
OSS = new_signing_key(OSS_SIGNER)
OTHER_OSS = new_signing_key(OSS_SIGNER)
GATEWAY = new_signing_key(signers.GATEWAY)
ENTRIES = ",".join(k.public_entry() for k in (OSS, OTHER_OSS, GATEWAY))
CHANNEL = channels.VERIFICATION_COMPLETED
ACCEPTED = frozenset({OSS_SIGNER})


def fresh() -> TrustedKeys:
    """A registry with an empty cache of checked roots: every record is checked in full."""
    return parse_trusted_keys(ENTRIES)


def answers(n: int, tag: str = "a") -> list[Outbound]:
    return [
        Outbound.of(
            CHANNEL, f'{{"answer":"{tag}-{i}"}}'.encode(), cause=None, correlation_id=f"S{i}"
        )
        for i in range(n)
    ]


def consumed(record: Outbound, offset: int = 0) -> Inbound:
    raw = tuple((n, v.encode()) for n, v in record.headers.items())
    return Inbound(record.topic, 0, offset, record.key, record.value, raw)


def check(record: Inbound, trusted: TrustedKeys | None = None) -> str:
    return (trusted or fresh()).verify(
        record.key, record.value, record.headers, ACCEPTED, CHANNEL.schema_id
    )


def with_header(record: Inbound, name: str, value: bytes | None) -> Inbound:
    kept = tuple((n, v) for n, v in record.headers if n != name)
    return replace(record, headers=kept if value is None else (*kept, (name, value)))


def header(record: Inbound, name: str) -> bytes:
    return dict(record.headers)[name]


def signed(n: int, tag: str = "a") -> list[Inbound]:
    sign = signer_for(OSS, [CHANNEL])
    return [consumed(r, i) for i, r in enumerate(sign(answers(n, tag)))]


@pytest.mark.parametrize("n", [2, 3, 5, 8, 31, 32, 33, 64, 65, 100, 129])
def test_every_record_of_a_batch_verifies_on_its_own(n):
    records = signed(n)
    alone = {n - 1} if n % sb.CHUNK == 1 else set()  # a chunk of one is signed alone
    with_path = {i for i, r in enumerate(records) if h.SIGNATURE_PATH in dict(r.headers)}
    assert with_path == set(range(n)) - alone
    assert [check(r) for r in records] == [OSS_SIGNER] * n


def test_one_signature_covers_a_chunk_and_chunks_are_bounded():
    records = signed(2 * sb.CHUNK + 3)
    signatures = [header(r, h.SIGNATURE) for r in records]
    assert len(set(signatures)) == 3  # two full chunks and the three left over
    assert len(set(signatures[: sb.CHUNK])) == 1
    longest = max(len(header(r, h.SIGNATURE_PATH)) for r in records)
    assert longest <= 12 + 4 * 32 * (sb.CHUNK - 1).bit_length() // 3 + 4


def test_a_lone_record_keeps_the_per_record_signature_older_consumers_read():
    [record] = signed(1)
    assert h.SIGNATURE_PATH not in dict(record.headers)
    assert check(record) == OSS_SIGNER


def test_a_cached_root_still_checks_every_record_against_it():
    trusted = fresh()
    first, second = signed(2)
    assert check(first, trusted) == OSS_SIGNER
    forged = replace(second, value=b'{"answer":"VERIFIED by nobody"}')
    with pytest.raises(SignatureInvalid):
        check(forged, trusted)
    assert check(second, trusted) == OSS_SIGNER


RECORD_BENDS = {
    "value": lambda r: replace(r, value=(r.value or b"") + b" "),
    "key": lambda r: replace(r, key=b"S999"),
    "correlation": lambda r: with_header(r, h.CORRELATION_ID, b"S999"),
    "schema": lambda r: with_header(r, h.SCHEMA, b"insw.other.v1"),
    "drop-correlation": lambda r: with_header(r, h.CORRELATION_ID, None),
}


def refused(target: Inbound, siblings: list[Inbound], cached: bool) -> None:
    """``target`` is refused, by a verifier that checked a sibling's root first when ``cached``."""
    trusted = fresh()
    if cached:
        check(siblings[0], trusted)
    with pytest.raises(SignatureInvalid):
        check(target, trusted)


@pytest.mark.parametrize("cached", [False, True])
@pytest.mark.parametrize("bend", sorted(RECORD_BENDS))
def test_a_bent_record_is_refused(bend, cached):
    records = signed(5)
    refused(RECORD_BENDS[bend](records[3]), records, cached)


def _path_parts(record: Inbound) -> tuple[int, int, bytes]:
    index, size, path = header(record, h.SIGNATURE_PATH).decode().split(".")
    return int(index), int(size), base64.urlsafe_b64decode(path + "=" * (-len(path) % 4))


def _path_header(index: int, size: int, path: bytes) -> bytes:
    return f"{index}.{size}.{base64.urlsafe_b64encode(path).decode().rstrip('=')}".encode()


Path = tuple[int, int, bytes]
PATH_BENDS: dict[str, Callable[[Path, Path], Path | None]] = {
    "flip-path-bit": lambda p, _: (p[0], p[1], bytes([p[2][0] ^ 1]) + p[2][1:]),
    "drop-hash": lambda p, _: (p[0], p[1], p[2][:-32]),
    "extra-hash": lambda p, _: (p[0], p[1], p[2] + hashlib.sha256(b"x").digest()),
    "swap-hashes": lambda p, _: (p[0], p[1], p[2][32:64] + p[2][:32] + p[2][64:]),
    "empty-path": lambda p, _: (p[0], p[1], b""),
    "index+1": lambda p, _: (p[0] + 1, p[1], p[2]),
    "index-1": lambda p, _: (p[0] - 1, p[1], p[2]),
    "size+1": lambda p, _: (p[0], p[1] + 1, p[2]),
    "size-1": lambda p, _: (p[0], p[1] - 1, p[2]),
    "size*2": lambda p, _: (p[0], p[1] * 2, p[2]),
    "other-records-path": lambda _, other: other,
    "no-path": lambda p, _: None,
}


@pytest.mark.parametrize("cached", [False, True])
@pytest.mark.parametrize("bend", sorted(PATH_BENDS))
def test_a_bent_path_is_refused(bend, cached):
    records = signed(11)
    bent = PATH_BENDS[bend](_path_parts(records[5]), _path_parts(records[4]))
    value = None if bent is None else _path_header(*bent)
    refused(with_header(records[5], h.SIGNATURE_PATH, value), records, cached)


@pytest.mark.parametrize(
    "garbage",
    [b"", b"...", b"1.2", b"a.b.c", b"-1.3.AAAA", b"0.0.", b"3.2.AAAA", b"0.99999999999.AAAA",
     b"0.2." + b"A" * 45, b"0.2.!!!!", b"\xff\xfe.1.2", b"0.2." + b"A" * 100000, b" 0.2.AA",
     b"0x1.2.AA", b"1_0.20.AA"],
)  # fmt: skip
def test_a_malformed_path_header_is_refused_not_crashed_on(garbage):
    target = with_header(signed(4)[1], h.SIGNATURE_PATH, garbage)
    with pytest.raises(SignatureInvalid):
        check(target)


def test_a_record_cannot_borrow_another_batchs_signature():
    trusted = fresh()
    mine, theirs = signed(4, "mine"), signed(4, "theirs")
    assert check(theirs[0], trusted)  # their root is cached now
    borrowed = with_header(mine[2], h.SIGNATURE, header(theirs[2], h.SIGNATURE))
    with pytest.raises(SignatureInvalid):
        check(borrowed, trusted)
    both = with_header(borrowed, h.SIGNATURE_PATH, header(theirs[2], h.SIGNATURE_PATH))
    with pytest.raises(SignatureInvalid):
        check(both, trusted)


def test_a_batch_is_bound_to_its_key_id():
    trusted = fresh()
    records = signed(3)
    check(records[0], trusted)
    moved = with_header(records[1], h.SIGNER, OTHER_OSS.key_id.encode())
    with pytest.raises(SignatureInvalid):
        check(moved, trusted)


def test_a_signer_not_allowed_on_the_channel_is_refused_even_with_a_good_batch():
    records = [consumed(r) for r in GATEWAY.sign_batch(answers(3))]
    with pytest.raises(SignatureInvalid, match="may not write"):
        check(records[0])


def test_a_per_record_signature_with_a_stale_path_is_refused():
    """A path header left on a record signed alone would send the check down the wrong road."""
    records = signed(3)
    [alone] = signed(1)
    stale = with_header(alone, h.SIGNATURE_PATH, header(records[0], h.SIGNATURE_PATH))
    with pytest.raises(SignatureInvalid):
        check(stale)


def test_re_signing_a_batch_signed_record_alone_drops_its_path():
    batch = signer_for(OSS, [CHANNEL])(answers(3))
    again = OSS.sign(batch[1])
    assert h.SIGNATURE_PATH not in again.headers
    assert check(consumed(again)) == OSS_SIGNER


async def test_the_consumer_hands_on_the_good_records_and_dead_letters_the_bent_one():
    records = signed(6)
    records[2] = replace(records[2], value=b'{"answer":"forged"}')
    seen: list[Inbound] = []

    async def handler(batch):
        seen.extend(batch)
        return HandlerResult()

    result = await verified(CHANNEL, handler, fresh(), ACCEPTED)(records)
    assert [r.offset for r in seen] == [0, 1, 3, 4, 5]
    assert {r.signer for r in seen} == {OSS_SIGNER}
    [(dead, error)] = result.dead
    assert dead.offset == 2 and "SIGNATURE_INVALID" in str(error)


def test_a_verified_root_cache_stays_bounded():
    trusted = fresh()
    for i in range(sb.ROOT_CACHE + 50):
        trusted.remember_root(("k", i.to_bytes(4, "big"), b"s"))
    assert trusted.cached_roots() <= sb.ROOT_CACHE


def test_the_tree_matches_its_definition():
    """Root and paths against a direct recursive definition (odd nodes carried up)."""

    def root(leaves: list[bytes]) -> bytes:
        level = leaves
        while len(level) > 1:
            nxt = [sb.node(level[i], level[i + 1]) for i in range(0, len(level) - 1, 2)]
            if len(level) % 2:
                nxt.append(level[-1])
            level = nxt
        return level[0]

    for n in range(1, 40):
        leaves = [sb.leaf(bytes([i])) for i in range(n)]
        paths, top = sb.tree(leaves)
        assert top == root(leaves)
        for i in range(n):
            assert sb.root_from_path(leaves[i], i, n, paths[i]) == top


def test_leaves_and_nodes_cannot_be_taken_for_each_other():
    a, b = sb.leaf(b"a"), sb.leaf(b"b")
    assert sb.leaf(a + b) != sb.node(a, b)
