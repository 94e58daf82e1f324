"""Who kept the promises made to citizens: the overall deadline, each office's times and
reopenings, and the monthly figures by level as the minister's team reports them. Pure.

- **Overall deadline** (cohort of the period): *due* cases had an overall deadline come
  due before the end (``domain.deadlines``), *within* kept every one; and the working days
  from submission to the latest resolution (n, median, p90).
- **Per office** (cohort of the period): each office that resolved a case before the end:
  cases it resolved, the working days from submission to its latest resolution of each
  (median, p90), how many of its resolutions were reopened before the end, and the
  resolution deadlines that came due while it held a case (met, missed).
- **Monthly, by level** (one month): cases first resolved in the month, by the level of
  the office that held them then; cases still open at the end of the month, by the level
  holding them (``unassigned`` while awaiting routing), split into those received this
  year and those carried over from earlier years.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from datetime import datetime
from typing import Any

from samleng.reporting.domain.cases import UNFINISHED, CaseRecord
from samleng.reporting.domain.deadlines import case_verdict, overall_verdicts, resolution_verdicts
from samleng.reporting.domain.figures import distribution, latest_resolution
from samleng.reporting.domain.periods import Period

#: The levels the monthly figures are given by, in the ladder's order.
LEVELS = (
    "unassigned",
    "commune",
    "district",
    "district_ombudsman",
    "province",
    "provincial_ombudsman",
    "ministry",
    "national_team",
    "national",
)
MONTHLY_COLUMNS = ("resolved", "in_progress", "from_this_year", "carried_over")


def _end(period: Period, now: datetime) -> datetime:
    return min(period.end, now)


def _cohort(records: Iterable[CaseRecord], period: Period, now: datetime) -> list[CaseRecord]:
    end = _end(period, now)
    return [r for r in records if r.received_at is not None and period.start <= r.received_at < end]


def overall_of(record: CaseRecord, end: datetime) -> bool | None:
    """Whether the case kept its overall deadlines (None: none came due before ``end``)."""
    return case_verdict(overall_verdicts(record, end))


def days_to_resolve(record: CaseRecord, period: Period, end: datetime) -> int | None:
    """The working day of the case of its latest resolution before ``end``."""
    resolved = latest_resolution(record, end)
    if resolved is None or record.received_at is None:
        return None
    return period.calendar.working_day_of(record.received_at, resolved)


def overall(records: Iterable[CaseRecord], period: Period, now: datetime) -> dict[str, Any]:
    """The cohort's overall deadline: due, kept, missed; working days to resolution."""
    end = _end(period, now)
    row = {"due": 0, "within": 0, "missed": 0}
    days: list[int] = []
    for record in _cohort(records, period, now):
        verdict = overall_of(record, end)
        if verdict is not None:
            row["due"] += 1
            row["within" if verdict else "missed"] += 1
        taken = days_to_resolve(record, period, end)
        if taken is not None:
            days.append(taken)
    return {**row, "days_to_resolve": distribution(days)}


def office_resolutions(record: CaseRecord, end: datetime) -> dict[str, tuple[datetime, bool]]:
    """Per office that resolved the case before ``end``: its latest resolution, and
    whether one of its resolutions was reopened before ``end``."""
    found: dict[str, tuple[datetime, bool]] = {}
    for index, resolved in enumerate(record.resolutions):
        if resolved >= end:
            break
        held = record.held_by(resolved)
        office = held[0] if held else "unassigned"
        nxt = record.resolutions[index + 1] if index + 1 < len(record.resolutions) else None
        reopened = any(
            resolved < at < end and (nxt is None or at < nxt) for at in record.reopenings
        )
        found[office] = (resolved, reopened or found.get(office, (resolved, False))[1])
    return found


def by_office(
    records: Iterable[CaseRecord], period: Period, now: datetime
) -> dict[str, dict[str, Any]]:
    """Per office: resolved, working days to resolve (median, p90), reopened, reopen
    rate, and its resolution deadlines met and missed."""
    end = _end(period, now)
    days: defaultdict[str, list[int]] = defaultdict(list)
    counts: defaultdict[str, dict[str, int]] = defaultdict(
        lambda: {"resolved": 0, "reopened": 0, "due": 0, "met": 0, "missed": 0}
    )
    for record in _cohort(records, period, now):
        assert record.received_at is not None
        for office, (resolved, reopened) in office_resolutions(record, end).items():
            counts[office]["resolved"] += 1
            counts[office]["reopened"] += reopened
            days[office].append(period.calendar.working_day_of(record.received_at, resolved))
        for verdict in resolution_verdicts(record, end):
            row = counts[verdict.office_id]
            row["due"] += 1
            row["met" if verdict.kept else "missed"] += 1
    result: dict[str, dict[str, Any]] = {}
    for office, row in sorted(counts.items()):
        spread = distribution(days[office])
        rate = round(row["reopened"] / row["resolved"], 3) if row["resolved"] else None
        result[office] = {**row, "median": spread["median"], "p90": spread["p90"]}
        result[office]["reopen_rate"] = rate
    return result


def monthly_of(record: CaseRecord, period: Period, now: datetime) -> dict[str, str]:
    """Where one case counts in a month's figures: column -> level."""
    end = _end(period, now)
    counted: dict[str, str] = {}
    if record.received_at is None or record.received_at >= end:
        return counted
    if record.resolutions and period.start <= record.resolutions[0] < end:
        held = record.held_by(record.resolutions[0])
        counted["resolved"] = held[1] if held else "unassigned"
    if record.status_at(end) in UNFINISHED:
        held = record.held_by(end)
        level = held[1] if held else "unassigned"
        counted["in_progress"] = level
        calendar = period.calendar
        earlier = calendar.local_date(record.received_at).year < period.first_day.year
        counted["carried_over" if earlier else "from_this_year"] = level
    return counted


def monthly_by_level(
    records: Iterable[CaseRecord], period: Period, now: datetime
) -> dict[str, dict[str, int]]:
    """Per level: resolved in the month, still in progress at its end (received this
    year, carried over from earlier years)."""
    rows: defaultdict[str, dict[str, int]] = defaultdict(lambda: dict.fromkeys(MONTHLY_COLUMNS, 0))
    for record in records:
        for column, level in monthly_of(record, period, now).items():
            rows[level][column] += 1
    return {level: rows[level] for level in sorted(rows, key=ladder_order)}


def ladder_order(level: str) -> tuple[int, str]:
    """Sorts levels up the ladder (commune first), unknown ones last."""
    return (LEVELS.index(level) if level in LEVELS else len(LEVELS), level)
