"""Working days across Eid al-Fitr collective leave 2026 and across the year end (C16)."""

from datetime import date, timedelta
from pathlib import Path

import holidays
import pytest
from lxml import etree

from customs.workdays import (
    add_working_days,
    holiday_name,
    is_overdue,
    is_working_day,
    working_days_between,
)

SAMPLES = Path(__file__).resolve().parents[1] / "samples" / "ceisa" / "v1"


@pytest.mark.parametrize(
    ("day", "working"),
    [
        (date(2026, 3, 17), True),  # Tuesday before Nyepi
        (date(2026, 3, 18), False),  # Day of Silence joint holiday
        (date(2026, 3, 19), False),  # Day of Silence
        (date(2026, 3, 20), False),  # Eid al-Fitr joint holiday (collective leave)
        (date(2026, 3, 21), False),  # Eid al-Fitr, a Saturday
        (date(2026, 3, 23), False),  # Eid al-Fitr joint holiday
        (date(2026, 3, 24), False),  # Eid al-Fitr joint holiday
        (date(2026, 3, 25), True),
        (date(2026, 12, 24), False),  # Christmas joint holiday
        (date(2027, 1, 1), False),
        (date(2026, 3, 28), False),  # plain Saturday
    ],
)
def test_is_working_day(day: date, working: bool):
    assert is_working_day(day) is working


def test_the_2026_eid_joint_holidays_are_collective_leave_that_public_alone_misses():
    public_only = holidays.country_holidays("ID", categories=("public",), years=2026)
    for day in (date(2026, 3, 20), date(2026, 3, 23), date(2026, 3, 24)):
        assert "Joint Holiday" in (holiday_name(day) or "")
        assert day not in public_only
        assert not is_working_day(day)


@pytest.mark.parametrize(
    ("start", "count", "expected"),
    [
        (date(2026, 3, 17), 1, date(2026, 3, 25)),  # Nyepi + Eid leave skipped in one go
        (date(2026, 3, 19), 10, date(2026, 4, 8)),  # C3 from a proof of entry; Good Friday skipped
        (date(2026, 3, 25), 14, date(2026, 4, 15)),  # C7 from a TTP-RK
        (date(2026, 3, 30), 7, date(2026, 4, 9)),  # C6 from a request
        (date(2026, 12, 23), 3, date(2026, 12, 30)),  # Christmas leave and Christmas Day
        (date(2026, 12, 30), 3, date(2027, 1, 6)),  # New Year, and Isra' Mi'raj on 5 Jan 2027
        (date(2026, 3, 25), 0, date(2026, 3, 25)),
        (date(2026, 3, 25), -1, date(2026, 3, 17)),  # backwards over the same holidays
    ],
)
def test_add_working_days(start: date, count: int, expected: date):
    assert add_working_days(start, count) == expected


def test_working_days_between_counts_the_half_open_interval():
    assert working_days_between(date(2026, 3, 17), date(2026, 3, 25)) == 1
    assert working_days_between(date(2026, 3, 25), date(2026, 3, 17)) == -1
    assert working_days_between(date(2026, 12, 23), date(2027, 1, 6)) == 6
    assert working_days_between(date(2026, 3, 25), date(2026, 3, 25)) == 0


def test_adding_and_counting_are_inverse_across_the_whole_of_2026():
    start = date(2025, 12, 15)
    for offset in range(400):
        day = start + timedelta(offset)
        if is_working_day(day):
            assert add_working_days(start, working_days_between(start, day)) == day


def test_is_overdue_only_after_the_last_day():
    assert not is_overdue(date(2026, 3, 19), 10, date(2026, 4, 8))
    assert is_overdue(date(2026, 3, 19), 10, date(2026, 4, 9))


@pytest.mark.parametrize(
    ("sample", "start", "due", "count"),
    [
        ("proof-of-entry/valid.xml", "EntryDate", "DocumentsDueDate", 10),
        ("ttp-rk/valid.xml", "ReceiptDate", "DecisionDueDate", 14),
        ("ttp-rk/valid.xml", "ReceiptDate", "InterimServiceUntil", 14),
        ("additional-documents-request/valid.xml", "RequestDate", "DueDate", 7),
    ],
)
def test_the_sample_messages_carry_deadlines_in_working_days(sample, start, due, count):
    root = etree.parse(str(SAMPLES / sample)).getroot()
    ns = {"m": etree.QName(root).namespace or ""}
    begin = date.fromisoformat(root.findtext(f"m:{start}", default="", namespaces=ns))
    assert root.findtext(f"m:{due}", namespaces=ns) == add_working_days(begin, count).isoformat()
