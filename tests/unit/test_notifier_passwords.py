"""R18: the password rule, one case per clause, and Argon2id hashing."""

import pytest

from notifier.passwords import check_password, hash_password, verify_password


def codes(password: str) -> list[str]:
    return [reason.code for reason in check_password(password)]


def test_r18_a_password_meeting_every_clause_is_accepted():
    assert check_password("Rahasia#1") == []
    assert check_password("Ab1!cd") == []  # exactly six characters


def test_r18_password_needs_six_characters():
    assert codes("Ab1!c") == ["PASSWORD_TOO_SHORT"]


def test_r18_password_needs_a_symbol():
    assert codes("Rahasia12") == ["PASSWORD_NEEDS_SYMBOL"]


def test_r18_password_needs_a_digit():
    assert codes("Rahasia#!") == ["PASSWORD_NEEDS_DIGIT"]


def test_r18_password_needs_a_capital_letter():
    assert codes("rahasia#1") == ["PASSWORD_NEEDS_CAPITAL"]


def test_r18_a_space_is_not_a_symbol():
    assert codes("Rahasia 1") == ["PASSWORD_NEEDS_SYMBOL"]


def test_r18_every_broken_clause_is_named_with_field_and_rule():
    reasons = check_password("abc")
    assert [r.code for r in reasons] == [
        "PASSWORD_TOO_SHORT",
        "PASSWORD_NEEDS_SYMBOL",
        "PASSWORD_NEEDS_DIGIT",
        "PASSWORD_NEEDS_CAPITAL",
    ]
    assert {(r.field, r.rule) for r in reasons} == {("password", "R18")}
    assert all(r.text_id and r.text_en for r in reasons)


def test_r18_an_absurdly_long_password_is_refused_before_hashing():
    assert codes("Aa1!" * 100) == ["PASSWORD_TOO_LONG"]


@pytest.mark.parametrize("password", ["Rahasia#1", "Kata-Sandi9"])
def test_r18_only_an_argon2id_hash_is_kept(password):
    stored = hash_password(password)
    assert stored.startswith("$argon2id$") and password not in stored
    assert verify_password(stored, password)
    assert not verify_password(stored, password + "x")
