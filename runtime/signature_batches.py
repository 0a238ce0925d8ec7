"""One signature for a batch of records: a hash tree over their signed bytes, its root signed.

Why: Ed25519 was the largest single cost of the hub's hot path. Every
adapter verified a request and signed an answer per record, and the gateway
verified three answers and signed every request, decision and notification
(``bench.signing_cost``, BENCHMARKS.md). A producer now signs the root of a
hash tree over a chunk of up to :data:`CHUNK` records it sends together,
and each record carries its path to that root. A consumer hashes its way up
the path (a few SHA-256 calls) and checks the root's signature once per
chunk: it remembers the roots it has checked (:data:`ROOT_CACHE`, bounded).

What each record proves is unchanged: its leaf is the hash of the very bytes
a per-record signature covers (:func:`runtime.signing.canonical`: key id,
key, value, signed headers), so a record still verifies alone, wherever it
is moved (retry, dead-letter, replay), with no other record of its batch.

**The tree.** Leaves and inner nodes are SHA-256 under different one-byte
prefixes (``0x00`` a leaf, ``0x01`` a node), so a leaf can never pass for a
node nor a node for a leaf (the second-preimage trick on hash trees, the
reason RFC 6962 does the same). Nodes pair left to right level by level; a
level's odd last node is carried up unhashed. The signed message is
:data:`BATCH_DOMAIN`, the key id, the tree's size and its root: a batch
signature can never be read as a per-record one (another domain tag), nor
moved to another key or another tree size.

**The header** (:data:`contracts.headers.SIGNATURE_PATH`) is ASCII:
``<index>.<size>.<base64url of the path's hashes, unpadded>``, decimal
numbers without leading zeros. Anything else is refused, never guessed at.
"""

import base64
import hashlib
import re
from typing import Final

CHUNK: Final = 32
"""Most records under one signature. A path is then at most five hashes (160
bytes, 214 in base64) per record: the per-record share of a signature is
small by 32 (1 µs to sign, 2 µs to verify) while the bytes stay modest."""
MAX_SIZE: Final = 1024
"""Largest tree a verifier accepts (a path of at most ten hashes): headroom for
a larger :data:`CHUNK` later, and a bound on the work a forged header can ask for."""
ROOT_CACHE: Final = 4096
"""Roots a verifier remembers as checked; the memory is emptied when full."""
BATCH_DOMAIN: Final = b"insw-signature-batch/v1\n"
"""Domain separation from :data:`runtime.signing.DOMAIN` and from everything else signed."""
_HASH = 32
_MAX_PATH_TEXT = -(-(_HASH * (MAX_SIZE - 1).bit_length() * 4) // 3)
_HEADER = re.compile(
    rb"(0|[1-9][0-9]{0,3})\.([1-9][0-9]{0,3})\.([A-Za-z0-9_-]{0,%d})" % _MAX_PATH_TEXT
)


def leaf(signed_bytes: bytes) -> bytes:
    """The tree's leaf for one record's signed bytes."""
    return hashlib.sha256(b"\x00" + signed_bytes).digest()


def node(left: bytes, right: bytes) -> bytes:
    """An inner node over two children."""
    return hashlib.sha256(b"\x01" + left + right).digest()


def tree(leaves: list[bytes]) -> tuple[list[bytes], bytes]:
    """Each leaf's path (its siblings' hashes, bottom up) and the root over ``leaves``."""
    if not leaves:
        raise ValueError("a tree needs at least one leaf")
    paths = [bytearray() for _ in leaves]
    level = list(leaves)
    under: list[list[int]] = [[i] for i in range(len(leaves))]
    """The leaves below each node of ``level``: each of them gets the node's sibling."""
    while len(level) > 1:
        next_level: list[bytes] = []
        next_under: list[list[int]] = []
        for j in range(0, len(level) - 1, 2):
            left, right = level[j], level[j + 1]
            for i in under[j]:
                paths[i] += right
            for i in under[j + 1]:
                paths[i] += left
            next_level.append(node(left, right))
            next_under.append(under[j] + under[j + 1])
        if len(level) % 2:
            next_level.append(level[-1])
            next_under.append(under[-1])
        level, under = next_level, next_under
    return [bytes(p) for p in paths], level[0]


def root_from_path(start: bytes, index: int, size: int, path: bytes) -> bytes:
    """The root that ``start`` (leaf ``index`` of ``size``) reaches by ``path``; ValueError
    when the path does not fit that place in such a tree (too short, too long, misaligned)."""
    if not 0 <= index < size or len(path) % _HASH:
        raise ValueError("the path does not fit the tree")
    here, position, width, used = start, index, size, 0
    while width > 1:
        if position ^ 1 < width:  # a sibling exists: an odd last node has none
            if used + _HASH > len(path):
                raise ValueError("the path is too short for its place in the tree")
            sibling = path[used : used + _HASH]
            used += _HASH
            here = node(sibling, here) if position & 1 else node(here, sibling)
        position >>= 1
        width = (width + 1) >> 1
    if used != len(path):
        raise ValueError("the path is too long for its place in the tree")
    return here


def root_message(key_prefix: bytes, size: int, root: bytes) -> bytes:
    """What the batch's signature covers. ``key_prefix``: the per-record signed bytes'
    domain and key id (:func:`runtime.signing._prefix`), so the key id is bound twice."""
    return BATCH_DOMAIN + key_prefix + size.to_bytes(4, "big") + root


def encode(index: int, size: int, path: bytes) -> str:
    """The header value for leaf ``index`` of ``size``."""
    return f"{index}.{size}.{base64.urlsafe_b64encode(path).decode().rstrip('=')}"


def decode(raw: bytes) -> tuple[int, int, bytes]:
    """``(index, size, path)`` from a header value; ValueError for anything not canonical."""
    match = _HEADER.fullmatch(raw)
    if match is None:
        raise ValueError("the signature path header is malformed")
    index, size, text = int(match[1]), int(match[2]), match[3]
    if size > MAX_SIZE or len(text) % 4 == 1:
        raise ValueError("the signature path header is malformed")
    path = base64.urlsafe_b64decode(text + b"=" * (-len(text) % 4))
    if base64.urlsafe_b64encode(path).rstrip(b"=") != text:
        raise ValueError("the signature path header is not canonical base64")
    return index, size, path
