"""Personal data at rest in Redis: sealed with a rotating key ring, looked up by keyed hash.

Why: Redis holds applications (names, NIK, email), agency answers (the
responsible persons on a NIB), Surat Kuasa documents and account emails.
Anyone who reads a dump, a replica or an append-only file must see no
personal data, so every value that carries some is sealed at the store's
serialization boundary, and every Redis *key* that would name a person
(a username, an email) is an HMAC of it instead.

* **Values**: Fernet tokens under a :class:`~cryptography.fernet.MultiFernet`
  key ring (``AT_REST_KEYS``, comma-separated, newest first). The first key
  seals; every key opens, so a new key can be put in front while values
  sealed under the old one are still read (rotation: see SECURITY.md).
* **Lookups**: ``HMAC-SHA256(AT_REST_INDEX_KEY, kind, value)``. This key does
  not rotate with the ring: a lookup must find what was written before.
"""

import hashlib
import hmac
from collections.abc import Sequence

from cryptography.fernet import Fernet, InvalidToken, MultiFernet

from runtime.sealing import SealBroken


def parse_key_ring(text: str) -> list[str]:
    """The keys of ``AT_REST_KEYS`` (comma-separated, newest first), blanks dropped."""
    return [key.strip() for key in text.split(",") if key.strip()]


class AtRest:
    """Seals and opens values kept in Redis; names lookups without naming the person."""

    def __init__(self, keys: Sequence[str], index_key: bytes) -> None:
        if not keys:
            raise ValueError("an at-rest key ring needs at least one key")
        if not index_key:
            raise ValueError("an at-rest index key must not be empty")
        self._ring = MultiFernet([Fernet(key.encode()) for key in keys])
        self._index_key = index_key

    def seal(self, value: bytes | str) -> bytes:
        """``value`` encrypted and authenticated under the newest key."""
        return self._ring.encrypt(value.encode() if isinstance(value, str) else value)

    def open(self, sealed: bytes | str) -> bytes:
        """The value of a sealed one, under whichever key of the ring sealed it."""
        try:
            return self._ring.decrypt(sealed)
        except InvalidToken as error:
            raise SealBroken("a value at rest cannot be opened with the key ring") from error

    def open_text(self, sealed: bytes | str) -> str:
        """:meth:`open` for values that were text."""
        return self.open(sealed).decode()

    def rotate(self, sealed: bytes | str) -> bytes:
        """The same value sealed again under the newest key (for re-keying stored values)."""
        try:
            return self._ring.rotate(sealed)
        except InvalidToken as error:
            raise SealBroken("a value at rest cannot be opened with the key ring") from error

    def index(self, kind: str, value: str) -> str:
        """A stable name for ``value`` in a Redis key: keyed, so it cannot be guessed back.

        ``kind`` separates namespaces: a username and an email that happen to
        be equal still get different names.
        """
        message = f"{kind}\x1f{value}".encode()
        return hmac.new(self._index_key, message, hashlib.sha256).hexdigest()
