"""Reporting periods: a year (``2026``), a quarter (``2026-Q2``) or a month (``2026-05``).

A period runs from its first local midnight (in the deployment calendar's time zone) up
to, not including, the next period's; figures for a period that has not ended are as of
now. A period carries the calendar, so every working-day count of its figures uses it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime

from samleng.common.calendar import WorkingCalendar

_YEAR = re.compile(r"^(\d{4})$")
_QUARTER = re.compile(r"^(\d{4})-Q([1-4])$")
_MONTH = re.compile(r"^(\d{4})-(0[1-9]|1[0-2])$")


#: The years a period may fall in. Outside them the dates of its start and end (and their
#: UTC instants) cannot be written: year 1 in Phnom Penh starts in year 0 UTC, and the end
#: of 9999 is in year 10000.
MIN_YEAR, MAX_YEAR = 1900, 9998


class InvalidPeriod(ValueError):
    """The period is not written as YYYY, YYYY-Qn or YYYY-MM, or is out of range."""


@dataclass(frozen=True)
class Period:
    """A half-open interval of local time [start, end)."""

    label: str
    first_day: date
    end_day: date  # the day after the last day
    calendar: WorkingCalendar

    @property
    def start(self) -> datetime:
        """The first instant of the period."""
        return self.calendar.midnight(self.first_day)

    @property
    def end(self) -> datetime:
        """The first instant after the period."""
        return self.calendar.midnight(self.end_day)

    def month_periods(self) -> list[Period]:
        """The months of the period, as periods."""
        return [parse_period(month, self.calendar) for month in self.months()]

    def months(self) -> list[str]:
        """The months of the period, as YYYY-MM."""
        found, day = [], self.first_day
        while day < self.end_day:
            found.append(f"{day.year:04d}-{day.month:02d}")
            day = _add_months(day, 1)
        return found


def _add_months(day: date, months: int) -> date:
    index = day.year * 12 + day.month - 1 + months
    return date(index // 12, index % 12 + 1, 1)


def parse_period(text: str, calendar: WorkingCalendar) -> Period:
    """Read ``YYYY``, ``YYYY-Qn`` or ``YYYY-MM``; InvalidPeriod says what is expected."""
    text = text.strip()
    year = next((int(m[1]) for p in (_YEAR, _QUARTER, _MONTH) if (m := p.match(text))), None)
    if year is not None and not MIN_YEAR <= year <= MAX_YEAR:
        raise InvalidPeriod(
            f"period {text!r} is out of range; choose a year from {MIN_YEAR} to {MAX_YEAR}"
        )
    if m := _YEAR.match(text):
        first = date(int(m[1]), 1, 1)
        return Period(text, first, _add_months(first, 12), calendar)
    if m := _QUARTER.match(text):
        first = date(int(m[1]), 3 * (int(m[2]) - 1) + 1, 1)
        return Period(text, first, _add_months(first, 3), calendar)
    if m := _MONTH.match(text):
        first = date(int(m[1]), int(m[2]), 1)
        return Period(text, first, _add_months(first, 1), calendar)
    raise InvalidPeriod(
        f"period {text!r} is not a year (2026), a quarter (2026-Q2) or a month (2026-05)"
    )
