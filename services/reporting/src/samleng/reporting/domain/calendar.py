"""Working days in Cambodia: Monday to Friday, less the public holidays of the ``holidays``
package (country ``KH``). Dates are local dates in Phnom Penh (UTC+7, no daylight saving).
"""

from __future__ import annotations

from datetime import date, datetime, timedelta, timezone
from functools import lru_cache

import holidays

PHNOM_PENH = timezone(timedelta(hours=7), "ICT")


def local_date(instant: datetime) -> date:
    """The calendar date in Phnom Penh at this instant."""
    return instant.astimezone(PHNOM_PENH).date()


def month_start(instant: datetime) -> datetime:
    """The first instant of the Phnom Penh month this instant falls in."""
    return datetime.combine(local_date(instant).replace(day=1), datetime.min.time(), PHNOM_PENH)


@lru_cache(maxsize=64)
def _holidays(year: int) -> frozenset[date]:
    return frozenset(holidays.country_holidays("KH", years=[year]).keys())


def is_working_day(day: date) -> bool:
    """True on a weekday that is not a Cambodian public holiday."""
    return day.weekday() < 5 and day not in _holidays(day.year)


def working_days_between(start: datetime, end: datetime) -> int:
    """Working days d with start's local date < d <= end's local date (0 on the same day)."""
    first, last = local_date(start), local_date(end)
    count = 0
    day = first + timedelta(days=1)
    while day <= last:
        count += is_working_day(day)
        day += timedelta(days=1)
    return count
