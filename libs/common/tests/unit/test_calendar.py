"""The one working-day calendar: deadlines and day counts agree, holidays come from the
versioned file, and the time zone, weekend and office hours are the deployment's."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from samleng.common.calendar import (
    WorkingCalendar,
    load_holidays,
    time_zone,
    weekend_of,
    working_calendar,
)
from samleng.common.settings import ServiceSettings

pytestmark = pytest.mark.unit

KH = WorkingCalendar(holidays=load_holidays().days)


def _wall(instant: datetime) -> datetime:
    return KH.local(instant).replace(tzinfo=None)


@pytest.mark.parametrize(
    ("received", "days", "due_local"),
    [
        # Monday 10:00 -> Monday counts as day 1
        (datetime(2026, 12, 7, 3, 0, tzinfo=UTC), 1, datetime(2026, 12, 7, 17, 0)),
        (datetime(2026, 12, 7, 3, 0, tzinfo=UTC), 2, datetime(2026, 12, 8, 17, 0)),
        # Monday 18:00 local (after closing) -> day 1 is Tuesday
        (datetime(2026, 12, 7, 11, 0, tzinfo=UTC), 1, datetime(2026, 12, 8, 17, 0)),
        # Friday 10:00, 2 days -> Monday (weekend skipped)
        (datetime(2026, 12, 11, 3, 0, tzinfo=UTC), 2, datetime(2026, 12, 14, 17, 0)),
        # Water Festival 23-25 November 2026 (Mon-Wed): day 1 is Thursday
        (datetime(2026, 11, 23, 3, 0, tzinfo=UTC), 1, datetime(2026, 11, 26, 17, 0)),
        # Khmer New Year 14-16 April 2026 (Tue-Thu) are not working days
        (datetime(2026, 4, 13, 3, 0, tzinfo=UTC), 2, datetime(2026, 4, 17, 17, 0)),
    ],
)
def test_deadlines_count_working_days(received: datetime, days: int, due_local: datetime) -> None:
    due = KH.deadline(received, days)
    assert _wall(due) == due_local
    assert KH.working_day_of(received, due) == days
    assert KH.working_day_of(received, due + timedelta(seconds=1)) == days + 1


def test_a_case_done_the_day_it_arrived_took_one_working_day() -> None:
    monday_ten = datetime(2026, 12, 7, 3, 0, tzinfo=UTC)
    assert KH.working_day_of(monday_ten, monday_ten + timedelta(hours=2)) == 1
    # the same Monday after closing is day 2 of the case; Saturday too (Tuesday's close)
    assert KH.working_day_of(monday_ten, datetime(2026, 12, 7, 11, tzinfo=UTC)) == 2
    assert KH.working_day_of(monday_ten, datetime(2026, 12, 12, 3, tzinfo=UTC)) == 6


def test_the_time_zone_decides_the_day_near_midnight() -> None:
    """23:30 UTC on Sunday is already Monday 06:30 in Phnom Penh: day 1 is that Monday;
    in UTC it is Sunday night, and day 1 is Monday there too but closes 7 hours later."""
    sunday_night_utc = datetime(2026, 12, 6, 23, 30, tzinfo=UTC)
    utc = WorkingCalendar(zone=UTC)
    assert KH.first_working_day(sunday_night_utc) == date(2026, 12, 7)
    assert utc.first_working_day(sunday_night_utc) == date(2026, 12, 7)
    assert KH.deadline(sunday_night_utc, 1) == datetime(2026, 12, 7, 10, 0, tzinfo=UTC)
    assert utc.deadline(sunday_night_utc, 1) == datetime(2026, 12, 7, 17, 0, tzinfo=UTC)
    # Friday 17:30 UTC is Saturday 00:30 in Phnom Penh: the weekend, so day 1 is Monday
    friday_late = datetime(2026, 12, 11, 17, 30, tzinfo=UTC)
    assert KH.first_working_day(friday_late) == date(2026, 12, 14)
    assert utc.first_working_day(friday_late) == date(2026, 12, 14)  # after closing


@given(
    received=st.datetimes(
        min_value=datetime(2025, 1, 1), max_value=datetime(2027, 6, 1), timezones=st.just(UTC)
    ),
    later=st.timedeltas(min_value=timedelta(0), max_value=timedelta(days=90)),
    days=st.integers(min_value=1, max_value=40),
)
def test_day_counts_agree_with_deadlines(received: datetime, later: timedelta, days: int) -> None:
    instant = received + later
    assert (KH.working_day_of(received, instant) <= days) == (
        instant <= KH.deadline(received, days)
    )


def test_working_days_from_to_counts_weekdays_less_holidays() -> None:
    # April 2026: 22 weekdays, less Khmer New Year (14-16 April)
    assert KH.working_days_from_to(date(2026, 4, 1), date(2026, 4, 30)) == 19
    assert KH.working_days_from_to(date(2026, 4, 30), date(2026, 4, 1)) == 0


def test_office_hours_weekend_and_zone_are_the_deployments() -> None:
    late = WorkingCalendar(opens=time(8), closes=time(20))
    received = datetime(2026, 12, 7, 11, 0, tzinfo=UTC)  # 18:00 local, still open
    assert _wall(late.deadline(received, 1)) == datetime(2026, 12, 7, 20, 0)
    assert late.is_working_day(date(2026, 4, 14))  # no holidays given
    assert not KH.is_working_day(date(2026, 4, 14))
    friday_weekend = WorkingCalendar(weekend=weekend_of("fri,sat"))
    assert friday_weekend.is_working_day(date(2026, 12, 6))  # a Sunday
    assert not friday_weekend.is_working_day(date(2026, 12, 11))  # a Friday
    with pytest.raises(ValueError, match="at least one"):
        KH.deadline(received, 0)
    assert time_zone("+07:00").utcoffset(None) == timedelta(hours=7)
    with pytest.raises(ValueError, match="IANA"):
        time_zone("Mars/Olympus")
    with pytest.raises(ValueError, match="mon,tue"):
        weekend_of("sat,sunday-ish,xyz")


def test_settings_configure_the_calendar_once(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    year = datetime.now(UTC).year
    holidays = {
        "version": "test-1",
        "first_year": year - 1,
        "last_year": year + 2,
        "holidays": [{"date": f"{year}-12-07", "name_en": "Test day", "name_km": "ថ្ងៃសាកល្បង"}],
    }
    path = tmp_path / "holidays.json"
    path.write_text(json.dumps(holidays), encoding="utf-8")
    monkeypatch.setenv("SAMLENG_HOLIDAYS_FILE", str(path))
    monkeypatch.setenv("SAMLENG_TIME_ZONE", "+05:30")
    monkeypatch.setenv("SAMLENG_WEEKEND", "fri")
    calendar = working_calendar(ServiceSettings())
    assert calendar.holidays == {date(year, 12, 7)}
    assert calendar.weekend == {4}
    assert calendar.zone.utcoffset(None) == timedelta(hours=5, minutes=30)
    stale = dict(holidays, first_year=2015, last_year=2016, holidays=[])
    old = tmp_path / "old.json"
    old.write_text(json.dumps(stale), encoding="utf-8")
    monkeypatch.setenv("SAMLENG_HOLIDAYS_FILE", str(old))
    with pytest.raises(ValueError, match="add the public holidays"):
        ServiceSettings()


def test_the_bundled_file_lists_cambodias_holidays() -> None:
    bundled = load_holidays()
    assert bundled.covers(2026) and bundled.version
    assert {date(2026, 4, 14), date(2026, 11, 9), date(2026, 1, 7)} <= bundled.days
