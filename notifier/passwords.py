"""The password rule of R18 and how passwords are kept (Argon2id hashes only).

Why a pure module: the rule is the seed's (§6.2: at least 6 characters, one
symbol, one digit, one capital letter) and must read like it; hashing is kept
apart so the rule is testable in microseconds.
"""

import string

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from argon2.low_level import Type

from contracts.reasons import (
    PASSWORD_MAX_LENGTH,
    PASSWORD_NEEDS_CAPITAL,
    PASSWORD_NEEDS_DIGIT,
    PASSWORD_NEEDS_SYMBOL,
    PASSWORD_TOO_LONG,
    PASSWORD_TOO_SHORT,
    Reason,
    ReasonCode,
)

MIN_LENGTH = 6
MAX_LENGTH = PASSWORD_MAX_LENGTH
"""Not in the seed: a bound so a huge body cannot make Argon2 work for nothing."""

FIELD = "password"


def _is_symbol(char: str) -> bool:
    # A symbol is any visible character that is neither a letter nor a digit.
    return not char.isalnum() and not char.isspace() and char.isprintable()


def check_password(password: str) -> list[Reason]:
    """Every R18 rule ``password`` breaks (empty when it is acceptable)."""
    broken: list[ReasonCode] = []
    if len(password) < MIN_LENGTH:
        broken.append(PASSWORD_TOO_SHORT)
    if len(password) > MAX_LENGTH:
        broken.append(PASSWORD_TOO_LONG)
    if not any(_is_symbol(c) for c in password):
        broken.append(PASSWORD_NEEDS_SYMBOL)
    if not any(c in string.digits for c in password):
        broken.append(PASSWORD_NEEDS_DIGIT)
    if not any(c.isupper() for c in password):
        broken.append(PASSWORD_NEEDS_CAPITAL)
    return [code.at(FIELD) for code in broken]


_HASHER = PasswordHasher(type=Type.ID)


def hash_password(password: str) -> str:
    """An Argon2id hash (PHC string with its own salt and parameters); CPU-bound."""
    return _HASHER.hash(password)


def verify_password(stored_hash: str, password: str) -> bool:
    """Whether ``password`` matches ``stored_hash`` (for tests and a future login)."""
    try:
        return _HASHER.verify(stored_hash, password)
    except (VerificationError, InvalidHashError):
        return False
