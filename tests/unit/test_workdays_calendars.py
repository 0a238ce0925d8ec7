"""C16 over the 2026 and 2027 calendars, against the official lists written out here.

Sources (the dates below are copied by hand from them, not from ``holidays``):

* 2026: Surat Keputusan Bersama (SKB) of the Minister of Religious Affairs, the
  Minister of Manpower and the Minister of State Apparatus Empowerment and
  Bureaucratic Reform, No. 1497/2025, No. 2/2025 and No. 5/2025 on national
  holidays and collective leave in 2026, signed 19 September 2025: 17 national
  holidays and 8 collective-leave days (cuti bersama).
* 2027: the SKB 3 Menteri on national holidays and collective leave in 2027, as
  announced by the State Secretariat (setneg.go.id, "Inilah SKB 3 Menteri Libur
  Nasional dan Cuti Bersama 2027"), the source ``holidays`` 0.109 cites for its
  2027 collective leave. We could not read the decree's own text here; if it
  differs, this table and the package are both to be corrected.

What ``holidays`` provides: both years' national holidays (category
``public``) and collective leave (category ``government``). What it lacks, and
what these tests pin down so an upgrade or a gap shows: the ``public``
category alone has no collective leave; the 2027 Eid dates are marked
"(estimated)" until the religious ministry's sighting confirms them; no
collective leave exists for a year whose decree is not out (2028); days off
decreed ad hoc during a year (e.g. an election day) arrive only with a new
package release.
"""

from datetime import date, timedelta

import holidays
import pytest

from customs.workdays import add_working_days, is_working_day, working_days_between

NATIONAL_2026 = {
    date(2026, 1, 1): "Tahun Baru Masehi",
    date(2026, 1, 16): "Isra Mikraj",
    date(2026, 2, 17): "Tahun Baru Imlek",
    date(2026, 3, 19): "Nyepi",
    date(2026, 3, 21): "Idulfitri",
    date(2026, 3, 22): "Idulfitri",
    date(2026, 4, 3): "Wafat Yesus Kristus",
    date(2026, 4, 5): "Paskah",
    date(2026, 5, 1): "Hari Buruh",
    date(2026, 5, 14): "Kenaikan Yesus Kristus",
    date(2026, 5, 27): "Iduladha",
    date(2026, 5, 31): "Waisak",
    date(2026, 6, 1): "Hari Lahir Pancasila",
    date(2026, 6, 16): "Tahun Baru Islam",
    date(2026, 8, 17): "Proklamasi Kemerdekaan",
    date(2026, 8, 25): "Maulid Nabi",
    date(2026, 12, 25): "Natal",
}
CUTI_BERSAMA_2026 = {
    date(2026, 2, 16): "Imlek",
    date(2026, 3, 18): "Nyepi",
    date(2026, 3, 20): "Idulfitri",
    date(2026, 3, 23): "Idulfitri",
    date(2026, 3, 24): "Idulfitri",
    date(2026, 5, 15): "Kenaikan Yesus Kristus",
    date(2026, 5, 28): "Iduladha",
    date(2026, 12, 24): "Natal",
}
CUTI_BERSAMA_2027 = {
    date(2027, 2, 5): "Imlek",
    date(2027, 3, 9): "Idulfitri",
    date(2027, 3, 12): "Idulfitri",
    date(2027, 3, 15): "Idulfitri",
    date(2027, 3, 25): "Wafat Yesus Kristus",
    date(2027, 5, 18): "Iduladha",
    date(2027, 5, 19): "Waisak",
    date(2027, 12, 24): "Natal",
}
NATIONAL_2027_ON_WEEKDAYS = {
    date(2027, 1, 1): "Tahun Baru Masehi",
    date(2027, 1, 5): "Isra Mikraj",
    date(2027, 3, 8): "Nyepi",
    date(2027, 3, 10): "Idulfitri",
    date(2027, 3, 11): "Idulfitri",
    date(2027, 3, 26): "Wafat Yesus Kristus",
    date(2027, 5, 6): "Kenaikan Yesus Kristus",
    date(2027, 5, 17): "Iduladha",
    date(2027, 5, 20): "Waisak",
    date(2027, 6, 1): "Hari Lahir Pancasila",
    date(2027, 8, 17): "Proklamasi Kemerdekaan",
}


def _year(year: int) -> list[date]:
    first = date(year, 1, 1)
    return [first + timedelta(days) for days in range((date(year + 1, 1, 1) - first).days)]


@pytest.mark.parametrize(
    "day",
    sorted(
        {**NATIONAL_2026, **CUTI_BERSAMA_2026, **CUTI_BERSAMA_2027, **NATIONAL_2027_ON_WEEKDAYS}
    ),
)
def test_c16_every_listed_holiday_and_collective_leave_day_is_not_a_working_day(day: date):
    assert not is_working_day(day)


@pytest.mark.parametrize("day", sorted({**CUTI_BERSAMA_2026, **CUTI_BERSAMA_2027}))
def test_c16_collective_leave_is_missing_from_the_public_category_alone(day: date):
    # Why the calendar asks for ("public", "government"): cuti bersama is "government".
    assert day not in holidays.country_holidays("ID", categories=("public",), years=day.year)


@pytest.mark.parametrize(
    ("year", "days_off_on_weekdays", "working_days"),
    [
        # 261 weekdays each year; the decrees take 21 (2026) and 19 (2027) of them.
        (2026, {**NATIONAL_2026, **CUTI_BERSAMA_2026}, 240),
        (2027, {**NATIONAL_2027_ON_WEEKDAYS, **CUTI_BERSAMA_2027}, 242),
    ],
)
def test_c16_the_working_days_of_a_year_are_its_weekdays_less_the_decreed_days(
    year: int, days_off_on_weekdays: dict[date, str], working_days: int
):
    weekdays_off = {d for d in days_off_on_weekdays if d.weekday() < 5}
    expected = {d for d in _year(year) if d.weekday() < 5} - weekdays_off
    assert {d for d in _year(year) if is_working_day(d)} == expected
    assert len(expected) == working_days


@pytest.mark.parametrize(
    ("start", "count", "last_day", "why"),
    [
        (date(2026, 3, 17), 10, date(2026, 4, 8), "C3 over Nyepi, Idulfitri leave, Good Friday"),
        (date(2026, 5, 13), 7, date(2026, 5, 26), "C6 over Ascension and its leave"),
        (
            date(2026, 5, 26),
            14,
            date(2026, 6, 19),
            "C7 over Iduladha, leave, Pancasila",
        ),
        (date(2026, 12, 22), 3, date(2026, 12, 29), "Christmas leave and Christmas Day"),
        (date(2027, 2, 4), 1, date(2027, 2, 8), "Imlek leave on a Friday"),
        (date(2027, 3, 4), 14, date(2027, 4, 5), "C7 over the 2027 Nyepi-Idulfitri week"),
        (date(2027, 5, 14), 10, date(2027, 6, 4), "C3 over Iduladha, Waisak and their leave"),
        (date(2027, 12, 23), 1, date(2027, 12, 27), "Christmas leave 2027"),
    ],
)
def test_c16_periods_across_collective_leave_end_on_the_decreed_calendar(
    start: date, count: int, last_day: date, why: str
):
    assert add_working_days(start, count) == last_day, why
    assert working_days_between(start, last_day) == count


def test_c16_what_the_package_does_not_know_yet_is_named():
    calendar = holidays.country_holidays(
        "ID", categories=("public", "government"), years=2027, language="en_US"
    )
    assert "estimated" in calendar[date(2027, 3, 10)]  # Idulfitri awaits the sighting
    later = holidays.country_holidays("ID", categories=("government",), years=2028)
    assert list(later) == []  # no decree, no collective leave: 2028 deadlines may run short
