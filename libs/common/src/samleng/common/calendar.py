"""The deployment's one working-day calendar: time zone, weekend, office hours and public
holidays. Routing sets deadlines with it and reporting counts days with it, so "resolved
within the deadline" means the same thing in both. Pure apart from :func:`load_holidays`,
which reads the versioned holidays file once::

    calendar = working_calendar(settings)             # from the shared settings base
    calendar.deadline(received_at, 15)                # closing time, 15th working day
    calendar.working_day_of(received_at, resolved_at) # the working day it happened on

Day 1 of a case is the day it arrived if that is a working day and the offices had not
closed yet, otherwise the next working day. A deadline of *N* working days ends when the
offices close on day *N*; an instant falls on working day *N* when it is after the close of
day *N*-1 and no later than the close of day *N*. So, for every *N*::

    calendar.working_day_of(a, b) <= N   exactly when   b <= calendar.deadline(a, N)
"""

from __future__ import annotations

import bisect
import json
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta, timezone, tzinfo
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

if TYPE_CHECKING:
    from samleng.common.settings import ServiceSettings

#: The weekday names the settings accept, Monday first (``date.weekday()`` numbers).
WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
#: The holidays file shipped with the code (Cambodia).
BUNDLED_HOLIDAYS = "holidays-kh.json"


def time_zone(name: str) -> tzinfo:
    """An IANA zone (``Asia/Phnom_Penh``) or a fixed offset (``+07:00``); ValueError
    saying how to write one."""
    text = name.strip()
    if text[:1] in "+-" and len(text) == 6 and text[3] == ":":
        try:
            hours, minutes = int(text[1:3]), int(text[4:6])
        except ValueError:
            pass
        else:
            sign = -1 if text[0] == "-" else 1
            return timezone(sign * timedelta(hours=hours, minutes=minutes))
    try:
        return ZoneInfo(text)
    except (ZoneInfoNotFoundError, ValueError):
        raise ValueError(
            f"time zone {name!r} is unknown: write an IANA name such as Asia/Phnom_Penh "
            "(the system's tz database or the tzdata package must have it) or a fixed "
            "offset such as +07:00"
        ) from None


def weekend_of(text: str) -> frozenset[int]:
    """Weekend days from ``"sat,sun"``; ValueError naming the days it accepts."""
    names = [part.strip().lower()[:3] for part in text.split(",") if part.strip()]
    unknown = [n for n in names if n not in WEEKDAYS]
    if unknown or len(set(names)) >= 7:
        raise ValueError(
            f"weekend {text!r}: list at most six of {','.join(WEEKDAYS)}, separated by commas"
        )
    return frozenset(WEEKDAYS.index(n) for n in names)


@dataclass(frozen=True)
class Holidays:
    """Public holidays from a versioned data file, and the years it covers."""

    version: str
    first_year: int
    last_year: int
    days: frozenset[date]

    def covers(self, year: int) -> bool:
        """True if the file lists the holidays of this year."""
        return self.first_year <= year <= self.last_year


@lru_cache(maxsize=8)
def load_holidays(path: str = "") -> Holidays:
    """The holidays of a file (empty: the bundled Cambodian file); ValueError saying
    what is wrong with it."""
    try:
        if path:
            text = Path(path).read_text(encoding="utf-8")
        else:
            bundled = resources.files("samleng.common.reference") / BUNDLED_HOLIDAYS
            text = bundled.read_text(encoding="utf-8")
        doc: dict[str, Any] = json.loads(text)
        days = frozenset(date.fromisoformat(entry["date"]) for entry in doc["holidays"])
        found = Holidays(str(doc["version"]), int(doc["first_year"]), int(doc["last_year"]), days)
    except (OSError, ValueError, KeyError, TypeError) as error:
        raise ValueError(
            f"holidays file {path or BUNDLED_HOLIDAYS!r} cannot be read ({error}); it must be "
            'JSON with "version", "first_year", "last_year" and "holidays": '
            '[{"date": "YYYY-MM-DD", ...}]'
        ) from None
    outside = sorted(d for d in days if not found.covers(d.year))
    if outside:
        raise ValueError(f"holidays file lists {outside[0]} outside its years")
    return found


def _cambodia() -> tzinfo:
    return time_zone("Asia/Phnom_Penh")


@dataclass(frozen=True)
class WorkingCalendar:
    """Office hours, weekend and public holidays of one deployment, in its time zone."""

    holidays: frozenset[date] = frozenset()
    opens: time = time(7, 30)
    closes: time = time(17, 0)
    zone: tzinfo = field(default_factory=_cambodia)
    weekend: frozenset[int] = frozenset({5, 6})  # Saturday, Sunday
    _weekday_holidays: tuple[date, ...] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        holidays = frozenset(self.holidays)
        object.__setattr__(self, "holidays", holidays)
        workdays = sorted(d for d in holidays if d.weekday() not in self.weekend)
        object.__setattr__(self, "_weekday_holidays", tuple(workdays))
        if len(self.weekend) >= 7:
            raise ValueError("a calendar needs at least one working weekday")
        if self.opens >= self.closes:
            raise ValueError("the offices must open before they close")

    # --- days ----------------------------------------------------------------------------

    def is_working_day(self, day: date) -> bool:
        """True on a day that is neither a weekend day nor a public holiday."""
        return day.weekday() not in self.weekend and day not in self.holidays

    def local(self, instant: datetime) -> datetime:
        """The local wall time of an instant (aware, in the calendar's zone)."""
        return instant.astimezone(self.zone)

    def local_date(self, instant: datetime) -> date:
        """The local calendar date of an instant."""
        return self.local(instant).date()

    def midnight(self, day: date) -> datetime:
        """The first instant of a local day (UTC)."""
        return self.at(day, time.min)

    def month_start(self, instant: datetime) -> datetime:
        """The first instant of the local month this instant falls in (UTC)."""
        return self.midnight(self.local_date(instant).replace(day=1))

    def at(self, day: date, wall: time) -> datetime:
        """The UTC instant of a local wall time on a local day."""
        return datetime.combine(day, wall, tzinfo=self.zone).astimezone(UTC)

    def closing_time(self, day: date) -> datetime:
        """The UTC instant the offices close on a local day."""
        return self.at(day, self.closes)

    def next_working_day(self, day: date) -> date:
        """The first working day after ``day``."""
        day += timedelta(days=1)
        while not self.is_working_day(day):
            day += timedelta(days=1)
        return day

    def first_working_day(self, received_at: datetime) -> date:
        """Day 1 of a case received at this instant."""
        local = self.local(received_at)
        day = local.date()
        if self.is_working_day(day) and local.time() < self.closes:
            return day
        return self.next_working_day(day)

    def working_days_from_to(self, first: date, last: date) -> int:
        """How many working days lie in ``first`` .. ``last`` (both included)."""
        if last < first:
            return 0
        span = (last - first).days + 1
        weeks, rest = divmod(span, 7)
        count = weeks * (7 - len(self.weekend))
        count += sum((first + timedelta(days=i)).weekday() not in self.weekend for i in range(rest))
        low = bisect.bisect_left(self._weekday_holidays, first)
        high = bisect.bisect_right(self._weekday_holidays, last)
        return count - (high - low)

    # --- deadlines and counts -------------------------------------------------------------

    def deadline(self, received_at: datetime, working_days: int) -> datetime:
        """When the offices close on the N-th working day counted from ``received_at``."""
        if working_days < 1:
            raise ValueError("a deadline is at least one working day")
        day = self.first_working_day(received_at)
        for _ in range(working_days - 1):
            day = self.next_working_day(day)
        return self.closing_time(day)

    def working_day_of(self, received_at: datetime, instant: datetime) -> int:
        """The working day of the case (counted from ``received_at``, day 1 first) on which
        ``instant`` falls: the least N with ``instant <= deadline(received_at, N)``."""
        first = self.first_working_day(received_at)
        local = self.local(instant)
        day = local.date()
        if local.time() > self.closes:
            day += timedelta(days=1)
        if not self.is_working_day(day):
            day = self.next_working_day(day)
        return max(1, self.working_days_from_to(first, day))

    def working_time_between(self, start: datetime, end: datetime) -> timedelta:
        """The office hours of working days that lie between two instants."""
        total = timedelta(0)
        if end <= start:
            return total
        day, last = self.local_date(start), self.local_date(end)
        while day <= last:
            if self.is_working_day(day):
                opens = max(start, self.at(day, self.opens))
                closes = min(end, self.closing_time(day))
                total += max(closes - opens, timedelta(0))
            day += timedelta(days=1)
        return total

    def add_working_time(self, start: datetime, duration: timedelta) -> datetime:
        """The instant when ``duration`` of office hours on working days has passed."""
        if duration <= timedelta(0):
            return start
        left, day = duration, self.local_date(start)
        while True:
            if self.is_working_day(day):
                opens = max(start, self.at(day, self.opens))
                closes = self.closing_time(day)
                if opens < closes:
                    if left <= closes - opens:
                        return (opens + left).astimezone(UTC)
                    left -= closes - opens
            day += timedelta(days=1)


def working_calendar(settings: ServiceSettings) -> WorkingCalendar:
    """The deployment's calendar, as the shared settings configure it."""
    return WorkingCalendar(
        holidays=load_holidays(settings.holidays_file).days,
        opens=settings.office_opens_at,
        closes=settings.office_closes_at,
        zone=time_zone(settings.time_zone),
        weekend=weekend_of(settings.weekend),
    )
