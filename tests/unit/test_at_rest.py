"""The at-rest seal (AES-256-GCM-SIV): what a reader of Redis's files can and cannot do.

The attacks come first: whoever can write to Redis (or a restored dump)
must not get a forged, altered, spliced or re-keyed value opened as the
hub's own, and a value sealed in the first format (Fernet) must still open
under the same ring after the upgrade.
"""

import base64

import pytest
from cryptography.fernet import Fernet

from runtime.at_rest import MARK, AtRest
from runtime.sealing import SealBroken, new_key

NIK = b"3171011708850001"


@pytest.fixture
def ring() -> AtRest:
    return AtRest([new_key()], b"index")


def _body(sealed: bytes) -> bytearray:
    assert sealed.startswith(MARK)
    return bytearray(base64.b64decode(sealed[len(MARK) :]))


def _sealed(body: bytes | bytearray) -> bytes:
    return MARK + base64.b64encode(bytes(body))


def test_a_sealed_value_names_no_personal_data_and_is_ascii(ring):
    sealed = ring.seal(NIK)
    assert NIK not in sealed and NIK not in _body(sealed)
    assert sealed.isascii()
    assert ring.seal(NIK) != sealed  # a fresh nonce: equal values do not look equal at rest
    assert ring.open(sealed) == NIK and ring.open(sealed.decode()) == NIK
    assert ring.open_text(ring.seal("Budi")) == "Budi"


@pytest.mark.parametrize("where", ["key id", "nonce", "ciphertext", "tag"])
def test_a_flipped_bit_anywhere_is_refused(ring, where):
    body = _body(ring.seal(NIK))
    at = {"key id": 0, "nonce": 5, "ciphertext": 17, "tag": len(body) - 1}[where]
    body[at] ^= 0x01
    with pytest.raises(SealBroken):
        ring.open(_sealed(body))


def test_a_value_cut_short_or_not_base64_is_refused(ring):
    sealed = ring.seal(NIK)
    for broken in (MARK, MARK + b"AAAA", sealed[:-8], MARK + b"not base64!", b"plain NIK"):
        with pytest.raises(SealBroken):
            ring.open(broken)


def test_a_value_sealed_under_another_ring_is_refused(ring):
    with pytest.raises(SealBroken):
        ring.open(AtRest([new_key()], b"index").seal(NIK))


def test_a_body_moved_under_another_key_id_of_the_ring_is_refused():
    old, new = new_key(), new_key()
    both = AtRest([new, old], b"index")
    body = _body(AtRest([old], b"index").seal(NIK))
    body[:4] = _body(AtRest([new], b"index").seal(b"x"))[:4]  # the other key's id
    with pytest.raises(SealBroken):
        both.open(_sealed(body))


def test_values_sealed_with_fernet_before_the_upgrade_still_open_and_rotate():
    key = new_key()
    legacy = Fernet(key.encode()).encrypt(NIK)
    ring = AtRest([key], b"index")
    assert ring.open(legacy) == NIK
    moved = ring.rotate(legacy)
    assert moved.startswith(MARK) and ring.open(moved) == NIK
    with pytest.raises(SealBroken):
        AtRest([new_key()], b"index").open(legacy)


def test_a_ring_with_a_malformed_or_repeated_key_is_refused():
    key = new_key()
    with pytest.raises(ValueError):
        AtRest(["not-a-key"], b"index")
    with pytest.raises(ValueError):
        AtRest([key, key], b"index")
    with pytest.raises(ValueError):
        AtRest([], b"index")
