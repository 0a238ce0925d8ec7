"""Calendar periods of PER-21/BC/2011: the few deadlines *not* counted in working days.

Pure. The regulation says "working days" whenever it means them (Art. 7,
17, 20, 26, 28, 51). Two periods are worded otherwise and are counted on the
calendar here, as written, rather than by rule C16's working days:

* Art. 30(2): reapply for a rejected data change within "30 (thirty) days"
  of the rejection (C10). The same article family says "working days" two
  articles earlier, and CEISA's ``ReapplyBy`` sample (rejected 2026-06-19,
  reapply by 2026-07-19) is 30 calendar days.
* Art. 35(4): apply for unblocking "within a period of maximum 3 (three)
  months since the blocking" (C11); CEISA's ``UnblockApplicationDueDate``
  sample (blocked 2026-07-01, due 2026-10-01) is the same day 3 months on.

Like the working-day periods, the day of the event does not count and the
returned day is the last one still in time.
"""

import calendar
from datetime import date, timedelta


def add_calendar_days(start: date, count: int) -> date:
    """The last day of a period of ``count`` calendar days from ``start``."""
    return start + timedelta(days=count)


def add_months(start: date, count: int) -> date:
    """The same day ``count`` months after ``start``, or that month's last day if it has none.

    E.g. 30 November plus 3 months is 28 (or 29) February: a month-based
    period never spills into the month after.
    """
    months = start.year * 12 + start.month - 1 + count
    year, month = divmod(months, 12)
    last = calendar.monthrange(year, month + 1)[1]
    return date(year, month + 1, min(start.day, last))
