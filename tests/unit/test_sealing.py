"""Dead-letter values are sealed: kept whole for re-drive, unreadable without the key."""

import pytest

from runtime.deadletter import dead_letter
from runtime.errors import PoisonMessage
from runtime.records import Inbound
from runtime.sealing import DeadLetterSeal, SealBroken, new_key

PERSONAL = (
    b'{"applicant": {"full_name": "Budi Santoso", "identity": {"number": "3171011708850001"}}}'
)


def test_dead_letter_value_is_sealed_and_opens_with_the_key_only():
    seal = DeadLetterSeal(new_key())
    record = Inbound("insw.registration.submitted.v1", 2, 41, b"SUB-1", PERSONAL)
    dead = dead_letter(record, PoisonMessage("submitted_at: missing"), seal)
    assert dead.value is not None
    assert b"Budi" not in dead.value and b"3171011708850001" not in dead.value
    assert seal.open(dead.value) == PERSONAL
    assert dead.key == b"SUB-1"
    assert dead.headers["insw-dlq-sealed"] == "fernet-v1"
    with pytest.raises(SealBroken):
        DeadLetterSeal(new_key()).open(dead.value)


def test_error_text_from_foreign_exceptions_is_not_trusted():
    seal = DeadLetterSeal(new_key())
    record = Inbound("t", 0, 0, None, PERSONAL)
    dead = dead_letter(record, ValueError("Budi Santoso is not valid"), seal)
    assert "Budi" not in " ".join(dead.headers.values())
    assert dead.headers["__connect.errors.exception.class.name"] == "builtins.ValueError"
