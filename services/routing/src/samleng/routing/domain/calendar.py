"""Working days: deadlines counted in the offices' working days and hours. Pure: no I/O.

A deadline of *N working days* ends when the offices close on the N-th working day of the
case. Day 1 is the day the case reached the office if it arrived before the offices
closed on a working day, otherwise the next working day. Saturdays, Sundays and
Cambodian public holidays (given as a set of dates, from the ``holidays`` package) are
not working days. Times are kept in UTC; office hours are local (UTC+7 in Cambodia).
"""

from __future__ import annotations

from collections.abc import Container
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta

WEEKEND = frozenset({5, 6})  # Saturday, Sunday


@dataclass(frozen=True)
class WorkingCalendar:
    """Office hours, weekend and public holidays of one country."""

    holidays: Container[date]
    opens: time = time(7, 30)
    closes: time = time(17, 0)
    utc_offset: timedelta = timedelta(hours=7)
    weekend: frozenset[int] = field(default=WEEKEND)

    def is_working_day(self, day: date) -> bool:
        """True on a weekday that is not a public holiday."""
        return day.weekday() not in self.weekend and day not in self.holidays

    def local(self, instant: datetime) -> datetime:
        """The office-local wall time of a UTC instant (naive)."""
        return (instant.astimezone(UTC) + self.utc_offset).replace(tzinfo=None)

    def closing_time(self, day: date) -> datetime:
        """The UTC instant the offices close on a local day."""
        return datetime.combine(day, self.closes).replace(tzinfo=UTC) - self.utc_offset

    def first_working_day(self, received_at: datetime) -> date:
        """Day 1 of a case received at this instant."""
        local = self.local(received_at)
        day = local.date()
        if self.is_working_day(day) and local.time() < self.closes:
            return day
        return self.next_working_day(day)

    def next_working_day(self, day: date) -> date:
        """The first working day after ``day``."""
        day += timedelta(days=1)
        while not self.is_working_day(day):
            day += timedelta(days=1)
        return day

    def deadline(self, received_at: datetime, working_days: int) -> datetime:
        """When the offices close on the N-th working day counted from ``received_at``."""
        if working_days < 1:
            raise ValueError("a deadline is at least one working day")
        day = self.first_working_day(received_at)
        for _ in range(working_days - 1):
            day = self.next_working_day(day)
        return self.closing_time(day)

    def working_time_between(self, start: datetime, end: datetime) -> timedelta:
        """The office hours of working days that lie between two instants."""
        total = timedelta(0)
        if end <= start:
            return total
        begin, finish = self.local(start), self.local(end)
        day = begin.date()
        while day <= finish.date():
            if self.is_working_day(day):
                opens = max(begin, datetime.combine(day, self.opens))
                closes = min(finish, datetime.combine(day, self.closes))
                total += max(closes - opens, timedelta(0))
            day += timedelta(days=1)
        return total

    def add_working_time(self, start: datetime, duration: timedelta) -> datetime:
        """The instant when ``duration`` of office hours on working days has passed."""
        if duration <= timedelta(0):
            return start
        left, moment = duration, self.local(start)
        day = moment.date()
        while True:
            if self.is_working_day(day):
                opens = max(moment, datetime.combine(day, self.opens))
                closes = datetime.combine(day, self.closes)
                if opens < closes:
                    if left <= closes - opens:
                        return (opens + left).replace(tzinfo=UTC) - self.utc_offset
                    left -= closes - opens
            day += timedelta(days=1)
            moment = datetime.combine(day, time.min)
