"""Sealing dead-letter values: kept whole for re-drive, unreadable without the key.

A dead letter must keep the original value so it can be re-driven after a
fix, but that value holds personal data (names, NIK, email), and personal
data never sits raw in a dead-letter record. So the value is encrypted with
Fernet (authenticated encryption from the ``cryptography`` package) under
``DLQ_SEAL_KEY``; the key stays with the operators who may re-drive. Keys and
the Kafka Connect error headers stay in clear: they carry no personal data.

Without a configured key a process seals with a key of its own and says so
loudly: its dead letters can then not be opened after it stops, which is
only acceptable on a developer's machine.
"""

import logging

from cryptography.fernet import Fernet, InvalidToken

from runtime.errors import HubError

log = logging.getLogger(__name__)

SCHEME = "fernet-v1"
"""Value of the ``insw-dlq-sealed`` header (:data:`contracts.headers.DLQ_SEALED`)."""


class SealBroken(HubError):
    """A sealed value could not be opened: wrong key, or tampered with."""


class DeadLetterSeal:
    """Seals and opens dead-letter values with one key."""

    def __init__(self, key: str | None) -> None:
        if key is None:
            log.warning(
                "DLQ_SEAL_KEY is not set: dead letters are sealed with a throw-away key "
                "and cannot be opened after this process stops"
            )
            key = Fernet.generate_key().decode()
        self._fernet = Fernet(key.encode())

    def seal(self, value: bytes | None) -> bytes | None:
        """The encrypted value (``None`` stays ``None``: a tombstone has nothing to hide)."""
        return None if value is None else self._fernet.encrypt(value)

    def open(self, sealed: bytes | None) -> bytes | None:
        """The original value of a sealed dead letter."""
        if sealed is None:
            return None
        try:
            return self._fernet.decrypt(sealed)
        except InvalidToken as error:
            raise SealBroken("dead-letter value cannot be opened with this key") from error


def new_key() -> str:
    """A fresh key, for devstack and operators setting up ``DLQ_SEAL_KEY``."""
    return Fernet.generate_key().decode()
