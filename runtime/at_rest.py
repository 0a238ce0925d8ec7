"""Personal data at rest in Redis: sealed with a rotating key ring, looked up by keyed hash.

Why: Redis holds applications (names, NIK, email), agency answers (the
responsible persons on a NIB), Surat Kuasa documents and account emails.
Anyone who reads a dump, a replica or an append-only file must see no
personal data, so every value that carries some is sealed at the store's
serialization boundary, and every Redis *key* that would name a person
(a username, an email) is an HMAC of it instead.

* **Values**: AES-256-GCM-SIV under a key ring (``AT_REST_KEYS``,
  comma-separated, newest first; each a Fernet-format key, 32 random bytes
  in base64url, so rings written for the first format still work). The
  first key seals; every key opens, so a new key can be put in front while
  values sealed under the old one are still read (rotation: SECURITY.md).
  A sealed value is ASCII: ``s2:`` then base64 of a 4-byte key id, a 12-byte
  random nonce and the ciphertext with its tag; the prefix and key id are
  authenticated as associated data.
* **Values sealed before** (Fernet tokens, ``gAAAAA…``) still open under
  the same ring until they expire or are re-sealed with :meth:`AtRest.rotate`.
* **Lookups**: ``HMAC-SHA256(AT_REST_INDEX_KEY, kind, value)``. This key does
  not rotate with the ring: a lookup must find what was written before.

Why GCM-SIV and not Fernet any more: Fernet (AES-CBC, then HMAC-SHA256, in
Python around two C calls) cost the gateway 20 µs to seal and 17 µs to open
a value, about 15 % of its CPU per registration with eleven of them; one
AEAD call is 1-6 µs (BENCHMARKS.md, stop 24). SIV
rather than plain GCM: a repeated random nonce under one key reveals only
that two values were equal, instead of breaking authentication, so a key
that seals billions of values before it rotates stays safe.
"""

import binascii
import hmac
import os
from collections.abc import Sequence

from cryptography.exceptions import InvalidTag
from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCMSIV
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from runtime.sealing import SealBroken

MARK = b"s2:"
"""The start of every value sealed in this format (a Fernet token starts ``gAAAAA``)."""
_KEY_ID_BYTES = 4
_NONCE_BYTES = 12
_HEAD = len(MARK)
_BODY = _KEY_ID_BYTES + _NONCE_BYTES


def parse_key_ring(text: str) -> list[str]:
    """The keys of ``AT_REST_KEYS`` (comma-separated, newest first), blanks dropped."""
    return [key.strip() for key in text.split(",") if key.strip()]


def _derived(secret: bytes, purpose: bytes, length: int) -> bytes:
    """A sub-key of a ring key for one purpose (HKDF-SHA256): the cipher key or the key id."""
    kdf = HKDF(algorithm=hashes.SHA256(), length=length, salt=None, info=purpose)
    return kdf.derive(secret)


class _RingKey:
    """One key of the ring: its cipher, and the id that names it in what it seals."""

    def __init__(self, text: str) -> None:
        Fernet(text.encode())  # refuses a key that is not 32 bytes of base64url, naming no value
        secret = binascii.a2b_base64(text.encode().translate(_URLSAFE_TO_STANDARD))
        self.key_id = _derived(secret, b"insw-at-rest/key-id/v2", _KEY_ID_BYTES)
        self.cipher = AESGCMSIV(_derived(secret, b"insw-at-rest/aes-256-gcm-siv/v2", 32))
        self.associated = MARK + self.key_id


_URLSAFE_TO_STANDARD = bytes.maketrans(b"-_", b"+/")


class AtRest:
    """Seals and opens values kept in Redis; names lookups without naming the person."""

    def __init__(self, keys: Sequence[str], index_key: bytes) -> None:
        if not keys:
            raise ValueError("an at-rest key ring needs at least one key")
        if not index_key:
            raise ValueError("an at-rest index key must not be empty")
        ring = [_RingKey(key) for key in keys]
        self._newest = ring[0]
        self._by_id = {key.key_id: key for key in ring}
        if len(self._by_id) != len(ring):
            raise ValueError("an at-rest key ring holds the same key twice")
        self._legacy = MultiFernet([Fernet(key.encode()) for key in keys])
        self._index_key = index_key

    def seal(self, value: bytes | str) -> bytes:
        """``value`` encrypted and authenticated under the newest key."""
        plain = value.encode() if isinstance(value, str) else value
        key = self._newest
        nonce = os.urandom(_NONCE_BYTES)
        body = key.key_id + nonce + key.cipher.encrypt(nonce, plain, key.associated)
        return MARK + binascii.b2a_base64(body, newline=False)

    def open(self, sealed: bytes | str) -> bytes:
        """The value of a sealed one, under whichever key of the ring sealed it."""
        raw = sealed.encode() if isinstance(sealed, str) else sealed
        if not raw.startswith(MARK):
            return self._open_legacy(raw)
        try:
            body = binascii.a2b_base64(raw[_HEAD:], strict_mode=True)
        except binascii.Error:
            raise SealBroken("a value at rest is not in the sealed format") from None
        key = self._by_id.get(body[:_KEY_ID_BYTES])
        if key is None or len(body) < _BODY:
            raise SealBroken("a value at rest was sealed under a key the ring does not hold")
        try:
            return key.cipher.decrypt(body[_KEY_ID_BYTES:_BODY], body[_BODY:], key.associated)
        except InvalidTag:
            raise SealBroken("a value at rest cannot be opened with the key ring") from None

    def _open_legacy(self, raw: bytes) -> bytes:
        """A Fernet token sealed before the current format, under any key of the ring."""
        try:
            return self._legacy.decrypt(raw)
        except InvalidToken as error:
            raise SealBroken("a value at rest cannot be opened with the key ring") from error

    def open_text(self, sealed: bytes | str) -> str:
        """:meth:`open` for values that were text."""
        return self.open(sealed).decode()

    def rotate(self, sealed: bytes | str) -> bytes:
        """The same value sealed again under the newest key (re-keying, or leaving Fernet)."""
        return self.seal(self.open(sealed))

    def index(self, kind: str, value: str) -> str:
        """A stable name for ``value`` in a Redis key: keyed, so it cannot be guessed back.

        ``kind`` separates namespaces: a username and an email that happen to
        be equal still get different names.
        """
        message = f"{kind}\x1f{value}".encode()
        return hmac.digest(self._index_key, message, "sha256").hex()
