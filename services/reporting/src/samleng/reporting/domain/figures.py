"""Every published figure, computed from case records for one period and area. Pure.

Definitions (docs/reporting.md says the same in words): the *cohort* of a period is the
cases received in it; status figures are the cohort's statuses at the end of the period
(or now, for a period not yet over). Flow figures (the monthly trend) count what happened
in each month, whenever the case was received.
"""

from __future__ import annotations

import math
import statistics
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from samleng.common.calendar import WorkingCalendar
from samleng.common.events.status import StatusGroup
from samleng.reporting.domain.cases import (
    CLOSED_NO_REPLY,
    RESOLVED_OR_CLOSED,
    UNFINISHED,
    CaseRecord,
)
from samleng.reporting.domain.deadlines import case_verdict, resolution_verdicts
from samleng.reporting.domain.periods import Period

#: The columns of the status table; the partition columns add up to ``received``.
STATUS_PARTITION = (
    "awaiting_routing",
    "in_progress",
    "resolved_awaiting_confirmation",
    "closed_confirmed",
    "closed_auto",
    "rejected",
    "withdrawn",
    CLOSED_NO_REPLY,
)
STATUS_COLUMNS = (
    "received",
    *STATUS_PARTITION,
    "open",
    "resolved",
    "forwarded",
    "escalated",
    "reopened",
)

BREAKDOWNS = (
    "province",
    "district",
    "commune",
    "office",
    "service",
    "category",
    "kind",
    "channel",
    "gender",
    "age_band",
    "month",
    "week",
)


@dataclass(frozen=True)
class Area:
    """All of the country, a province (2 digits), a district (4) or a commune (6 digits);
    a smaller area also names the larger ones it lies in."""

    province: str | None = None
    district: str | None = None
    commune: str | None = None

    @property
    def code(self) -> str | None:
        """The code of the smallest area named (None for the whole country)."""
        return self.commune or self.district or self.province

    def contains(self, record: CaseRecord) -> bool:
        """True if the case happened in this area."""
        if self.commune is not None:
            return record.commune == self.commune
        if self.district is not None:
            return record.district == self.district
        if self.province is not None:
            return record.province == self.province
        return True


def _at_end(period: Period, now: datetime) -> datetime:
    return min(period.end, now)


def _in_cohort(record: CaseRecord, period: Period, now: datetime) -> bool:
    received = record.received_at
    return received is not None and period.start <= received < _at_end(period, now)


def status_row(records: Iterable[CaseRecord], period: Period, now: datetime) -> dict[str, int]:
    """The status columns for the cohort of these records (already filtered by area)."""
    end = _at_end(period, now)
    row = dict.fromkeys(STATUS_COLUMNS, 0)
    for record in records:
        if not _in_cohort(record, period, now):
            continue
        row["received"] += 1
        row[partition_of(record, end)] += 1
        row["forwarded"] += any(at < end for at, _ in record.forwards)
        row["escalated"] += any(at < end for at, _ in record.escalations)
        row["reopened"] += any(at < end for at in record.reopenings)
    row["open"] = row["awaiting_routing"] + row["in_progress"]
    row["resolved"] = sum(
        row[c] for c in ("resolved_awaiting_confirmation", "closed_confirmed", "closed_auto")
    )
    return row


def partition_of(record: CaseRecord, end: datetime) -> str:
    """The status column a case counts in at ``end``."""
    status = record.status_at(end)
    if status == StatusGroup.RESOLVED:
        return "resolved_awaiting_confirmation"
    if status == StatusGroup.CLOSED:
        confirmed = record.closed_how == "confirmed_by_citizen"
        return "closed_confirmed" if confirmed else "closed_auto"
    return status or StatusGroup.AWAITING_ROUTING.value


def outcome_of(status: str | None) -> str:
    """Open, resolved, or ended otherwise (rejected, withdrawn, closed for no reply)."""
    if status is None or status in UNFINISHED:
        return "open"
    return "resolved" if status in RESOLVED_OR_CLOSED else "ended_otherwise"


def key_of(record: CaseRecord, dimension: str, calendar: WorkingCalendar) -> str:
    """The value of a breakdown dimension for one case ("unknown" when not given)."""
    received = record.received_at
    assert received is not None
    if dimension == "month":
        return calendar.local(received).strftime("%Y-%m")
    if dimension == "week":
        year, week, _ = calendar.local_date(received).isocalendar()
        return f"{year:04d}-W{week:02d}"
    if dimension == "office":
        return record.office_id or "unassigned"
    if dimension == "service":
        return record.service_code or "unknown"
    value = getattr(record, dimension)
    return str(value) if value else "unknown"


def breakdown(
    records: Iterable[CaseRecord], dimension: str, period: Period, now: datetime
) -> dict[str, dict[str, int]]:
    """Per value of the dimension: received, open, resolved and ended otherwise (cohort)."""
    if dimension not in BREAKDOWNS:
        raise ValueError(f"unknown breakdown {dimension!r}; use one of {', '.join(BREAKDOWNS)}")
    end = _at_end(period, now)
    rows: dict[str, dict[str, int]] = defaultdict(
        lambda: {"received": 0, "open": 0, "resolved": 0, "ended_otherwise": 0}
    )
    for record in records:
        if not _in_cohort(record, period, now):
            continue
        row = rows[key_of(record, dimension, period.calendar)]
        row["received"] += 1
        row[outcome_of(record.status_at(end))] += 1
    return dict(sorted(rows.items()))


def trend(
    records: Iterable[CaseRecord], period: Period, now: datetime
) -> dict[str, dict[str, int]]:
    """Per month of the period: cases received, and cases first resolved, in that month."""
    months = {m: {"received": 0, "resolved": 0} for m in period.months()}
    end = _at_end(period, now)
    for record in records:
        if record.received_at is None:
            continue
        if period.start <= record.received_at < end:
            months[key_of(record, "month", period.calendar)]["received"] += 1
        if record.resolutions:
            first = record.resolutions[0]
            if period.start <= first < end:
                months[period.calendar.local(first).strftime("%Y-%m")]["resolved"] += 1
    return months


def backlog(
    records: Iterable[CaseRecord], period: Period, now: datetime
) -> dict[str, dict[str, int]]:
    """Cases open at the start of the period, by year received, and what became of them."""
    end = _at_end(period, now)
    years: dict[str, dict[str, int]] = defaultdict(
        lambda: {"open_at_start": 0, "resolved": 0, "ended_otherwise": 0, "still_open": 0}
    )
    for record in records:
        if record.received_at is None or record.received_at >= period.start:
            continue
        if record.status_at(period.start) not in UNFINISHED:
            continue
        row = years[str(period.calendar.local_date(record.received_at).year)]
        row["open_at_start"] += 1
        outcome = outcome_of(record.status_at(end))
        row["still_open" if outcome == "open" else outcome] += 1
    return dict(sorted(years.items()))


def distribution(values: list[int]) -> dict[str, Any]:
    """Count, median and 90th percentile (nearest rank) of whole numbers of days."""
    if not values:
        return {"n": 0, "median": None, "p90": None}
    ordered = sorted(values)
    rank = math.ceil(0.9 * len(ordered))
    return {"n": len(ordered), "median": statistics.median(ordered), "p90": ordered[rank - 1]}


def distribution_of(counts: Mapping[int, int]) -> dict[str, Any]:
    """:func:`distribution` of whole numbers of days given as how many of each (day -> n):
    the same figures, without a list as long as the cases."""
    n = sum(counts.values())
    if not n:
        return {"n": 0, "median": None, "p90": None}
    ordered = sorted(counts.items())

    def at(rank: int) -> int:  # the value at a 0-based rank of the sorted days
        seen = 0
        for value, many in ordered:
            seen += many
            if rank < seen:
                return value
        raise IndexError(rank)

    middle = n // 2
    median = at(middle) if n % 2 else (at(middle - 1) + at(middle)) / 2
    return {"n": n, "median": median, "p90": at(math.ceil(0.9 * n) - 1)}


def timeliness(records: Iterable[CaseRecord], period: Period, now: datetime) -> dict[str, Any]:
    """Working days from receipt to first acknowledgement and to the latest resolution
    (the working day of the case it happened on: the day of receipt is day 1)."""
    end = _at_end(period, now)
    working_day_of = period.calendar.working_day_of
    to_ack: list[int] = []
    to_resolve: list[int] = []
    for record in records:
        if not _in_cohort(record, period, now):
            continue
        assert record.received_at is not None
        if record.acknowledged_at is not None and record.acknowledged_at < end:
            to_ack.append(working_day_of(record.received_at, record.acknowledged_at))
        resolved = latest_resolution(record, end)
        if resolved is not None:
            to_resolve.append(working_day_of(record.received_at, resolved))
    return {"acknowledge": distribution(to_ack), "resolve": distribution(to_resolve)}


def latest_resolution(record: CaseRecord, end: datetime) -> datetime | None:
    """The case's latest resolution before ``end``, if any."""
    before = [at for at in record.resolutions if at < end]
    return before[-1] if before else None


def sla_verdict(record: CaseRecord, end: datetime) -> bool | None:
    """True if every resolution deadline routing gave the case that came due before
    ``end`` was kept, False if one was missed, None if none came due."""
    return case_verdict(resolution_verdicts(record, end))


def sla_by(
    records: Iterable[CaseRecord], period: Period, now: datetime, group: Callable[..., str]
) -> dict[str, dict[str, int]]:
    """Per group: cases whose deadlines came due, and how many kept every one."""
    end = _at_end(period, now)
    rows: dict[str, dict[str, int]] = defaultdict(lambda: {"due": 0, "met": 0})
    for record in records:
        if not _in_cohort(record, period, now):
            continue
        verdict = sla_verdict(record, end)
        if verdict is None:
            continue
        row = rows[group(record)]
        row["due"] += 1
        row["met"] += verdict
    return dict(sorted(rows.items()))


def sla_by_office(
    records: Iterable[CaseRecord], period: Period, now: datetime
) -> dict[str, dict[str, int]]:
    """Per office: resolution deadlines of cohort cases that came due while it held the
    case, and how many it kept (a missed one stays with the office that missed it)."""
    end = _at_end(period, now)
    rows: dict[str, dict[str, int]] = defaultdict(lambda: {"due": 0, "met": 0})
    for record in records:
        if _in_cohort(record, period, now):
            for verdict in resolution_verdicts(record, end):
                rows[verdict.office_id]["due"] += 1
                rows[verdict.office_id]["met"] += verdict.kept
    return dict(sorted(rows.items()))


def satisfaction(records: Iterable[CaseRecord], period: Period, now: datetime) -> dict[str, Any]:
    """Citizens' ratings of how their case was handled (latest rating per case), 1-5."""
    end = _at_end(period, now)
    ratings = Counter[int]()
    services = Counter[int]()
    for record in records:
        if not _in_cohort(record, period, now):
            continue
        rated = [rating for at, rating in record.ratings if at < end]
        if rated:
            ratings[rated[-1]] += 1
        if record.service_rating is not None:
            services[record.service_rating] += 1
    return {"handling": _rating_summary(ratings), "service": _rating_summary(services)}


def _rating_summary(counts: Counter[int]) -> dict[str, Any]:
    n = sum(counts.values())
    mean = round(sum(k * v for k, v in counts.items()) / n, 2) if n else None
    return {"n": n, "mean": mean, "distribution": {str(k): counts[k] for k in range(1, 6)}}


def extra_fees(
    records: Iterable[CaseRecord], period: Period, now: datetime, dimension: str
) -> dict[str, dict[str, Any]]:
    """Reports of a fee above the official one, per service or area: count, total, median."""
    amounts: dict[str, list[int]] = defaultdict(list)
    for record in records:
        if not _in_cohort(record, period, now):
            continue
        if record.extra_fee_riel is not None and record.extra_fee_riel > 0:
            amounts[key_of(record, dimension, period.calendar)].append(record.extra_fee_riel)
    return {
        key: {"reports": len(v), "total_riel": sum(v), "median_riel": statistics.median(v)}
        for key, v in sorted(amounts.items())
    }


def by_ministry_and_level(
    records: Iterable[CaseRecord], period: Period, now: datetime
) -> dict[str, dict[str, int]]:
    """Cases forwarded at least once to each ministry, escalated at least once to each level."""
    end = _at_end(period, now)
    ministries, levels = Counter[str](), Counter[str]()
    for record in records:
        if not _in_cohort(record, period, now):
            continue
        ministries.update({m for at, m in record.forwards if at < end})
        levels.update({lv for at, lv in record.escalations if at < end})
    return {"forwarded_by_ministry": dict(ministries), "escalated_by_level": dict(levels)}


def problems(records: Iterable[CaseRecord], period: Period, now: datetime) -> dict[str, int]:
    """Reports received (every case of the cohort), those an office linked to an original
    report of the same problem, and problems resolved: resolved or closed cases that follow
    no other, so a problem reported five times counts as one resolved (its original's)."""
    end = _at_end(period, now)
    row = {"reports_received": 0, "linked_reports": 0, "problems_resolved": 0}
    for record in records:
        if not _in_cohort(record, period, now):
            continue
        row["reports_received"] += 1
        if record.linked_to is not None:
            row["linked_reports"] += 1
        elif record.status_at(end) in RESOLVED_OR_CLOSED:
            row["problems_resolved"] += 1
    return row
