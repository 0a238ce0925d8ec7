"""Identifier normalisation: NPWP forms, NIK birth dates, phones."""

from datetime import date

import pytest

from gateway.rules import identifiers as ids
from gateway.rules.names import same_person_name

TODAY = date(2026, 11, 21)


def test_npwp_15_and_16_digit_forms_normalise_to_one_canonical_form():
    a = ids.parse_npwp("01.234.567.8-901.000")
    b = ids.parse_npwp("0012345678901000")
    assert a is not None and b is not None
    assert a.canonical == b.canonical == "0012345678901000"


def test_npwp_check_digit_is_recorded_but_not_fatal():
    good = ids.parse_npwp("013000666091000")
    bad = ids.parse_npwp("013000667091000")
    assert good is not None and good.check_digit_ok
    assert bad is not None and not bad.check_digit_ok


@pytest.mark.parametrize("value", ["0123", "01234567890123456", "01234567890123A"])
def test_npwp_malformed(value):
    assert ids.parse_npwp(value) is None


def test_nik_female_day_offset_and_past_birth_date():
    assert ids.nik_problem("3171015708850001", TODAY) is None  # 17 + 40: a woman born 1985
    assert ids.nik_birth_date("3171015708850001", TODAY) == date(1985, 8, 17)
    assert ids.nik_birth_date("3171011708250001", TODAY) == date(2025, 8, 17)


@pytest.mark.parametrize(
    "value",
    [
        "3171013202850001",  # day 32
        "3171011708850000",
    ],  # serial 0000
)
def test_nik_structure_problems(value):
    assert ids.nik_problem(value, TODAY) is not None


def test_nik_unknown_region_is_a_soft_signal_not_a_format_problem():
    """R9 (issue 13): Dukcapil, not python-stdnum's table, says whether a NIK exists."""
    assert ids.nik_problem("9971011708850001", TODAY) is None
    assert not ids.nik_region_known("9971011708850001")
    assert ids.nik_region_known("3171011708850001")


@pytest.mark.parametrize(
    ("raw", "e164"),
    [
        ("0812-3456-7890", "+6281234567890"),
        ("+62 21 5555 1234", "+622155551234"),
        ("6281234567890", "+6281234567890"),
        ("812345", None),
        ("00812345678", None),
    ],
)
def test_phone_e164(raw, e164):
    assert ids.phone_e164(raw) == e164


@pytest.mark.parametrize(
    ("left", "right", "same"),
    [
        ("Ir. Budi Santoso, S.E.", "BUDI SANTOSO", True),
        ("Hj. Siti  Aminah", "siti aminah", True),
        ("Dr. Budi Santoso", "Budi Santosa", False),
        ("Budi", "Budi Santoso", False),
    ],
)
def test_names_tolerate_titles_not_other_people(left, right, same):
    assert same_person_name(left, right) is same
