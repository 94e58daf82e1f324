"""The figures expected from a generated history, computed from the generator's ground
truth independently of reporting's code; and what a reader of a published table can work
out from it."""

from __future__ import annotations

import json
import statistics
from collections import Counter, defaultdict
from datetime import date, datetime, time, timedelta
from functools import cache
from pathlib import Path
from typing import Any

from services.reporting.tests.integration.helpers import ICT, Truth

HOLIDAYS_FILE = (
    Path(__file__).resolve().parents[4]
    / "libs/common/src/samleng/common/reference/holidays-kh.json"
)
CLOSES = time(17, 0)
OPEN = ("awaiting_routing", "in_progress")

# --- the expected figures, computed from the truth ------------------------------------


@cache
def _holidays() -> frozenset[date]:
    doc = json.loads(HOLIDAYS_FILE.read_text(encoding="utf-8"))
    return frozenset(date.fromisoformat(h["date"]) for h in doc["holidays"])


def _working(day: date) -> bool:
    return day.isoweekday() <= 5 and day not in _holidays()


def working_days(a: datetime, b: datetime) -> int:
    """The working day of the case on which b falls: day 1 is a's Phnom Penh date if it is
    a working day and a is before 17:00, else the next working day; b belongs to the first
    working day whose 17:00 is not before it."""
    local_a, local_b = a.astimezone(ICT), b.astimezone(ICT)
    day = local_a.date()
    if not (_working(day) and local_a.time() < CLOSES):
        day += timedelta(days=1)
        while not _working(day):
            day += timedelta(days=1)
    n = 1
    while datetime.combine(day, CLOSES, ICT) < local_b:
        day += timedelta(days=1)
        while not _working(day):
            day += timedelta(days=1)
        n += 1
    return n


def bounds(year: int, month: int | None = None) -> tuple[datetime, datetime]:
    """A year or month in Phnom Penh time."""
    if month is None:
        return datetime(year, 1, 1, tzinfo=ICT), datetime(year + 1, 1, 1, tzinfo=ICT)
    nxt = date(year + month // 12, month % 12 + 1, 1)
    return datetime(year, month, 1, tzinfo=ICT), datetime(nxt.year, nxt.month, 1, tzinfo=ICT)


def expected_status(truths: list[Truth], start: datetime, end: datetime) -> dict[str, int]:
    """Status counts of the cases received in [start, end), at end."""
    counts: Counter[str] = Counter()
    for t in truths:
        if not start <= t.received_at < end:
            continue
        counts["received"] += 1
        s = t.status_at(end) or "awaiting_routing"
        name = {
            "resolved": "resolved_awaiting_confirmation",
            "closed:confirmed_by_citizen": "closed_confirmed",
            "closed:auto_closed": "closed_auto",
        }.get(s, s)
        counts[name] += 1
        counts["forwarded"] += any(at < end for at in t.forwarded_to.values())
        counts["escalated"] += any(at < end for at in t.escalated_to.values())
        counts["reopened"] += any(at < end for at in t.reopened_at)
    counts["open"] = counts["awaiting_routing"] + counts["in_progress"]
    finished = ("resolved_awaiting_confirmation", "closed_confirmed", "closed_auto")
    counts["resolved"] = sum(counts[c] for c in finished)
    return {name: n for name, n in counts.items() if n}


def expected_backlog(truths: list[Truth], start: datetime, end: datetime) -> dict[str, Any]:
    """Per year received: open at start, then resolved / ended otherwise / still open at end."""
    years: dict[str, Counter[str]] = defaultdict(Counter)
    for t in truths:
        if t.received_at >= start or t.status_at(start) not in ("awaiting_routing", "in_progress"):
            continue
        row = years[str(t.received_at.astimezone(ICT).year)]
        row["open_at_start"] += 1
        s = t.status_at(end) or ""
        if s in ("awaiting_routing", "in_progress"):
            row["still_open"] += 1
        elif s == "resolved" or s.startswith("closed"):
            row["resolved"] += 1
        else:
            row["ended_otherwise"] += 1
    return {y: dict(c) for y, c in years.items()}


def nearest_rank_p90(values: list[int]) -> int:
    """90th percentile, nearest-rank method."""
    ordered = sorted(values)
    return ordered[max(0, -(-9 * len(ordered) // 10) - 1)]


def expected_timeliness(truths: list[Truth], start: datetime, end: datetime) -> dict[str, Any]:
    """Median and p90 working days to first acknowledgement and to latest resolution."""
    ack = [
        working_days(t.received_at, t.acknowledged_at)
        for t in truths
        if start <= t.received_at < end and t.acknowledged_at and t.acknowledged_at < end
    ]
    res = [
        working_days(t.received_at, [r for r in t.resolved_at if r < end][-1])
        for t in truths
        if start <= t.received_at < end and any(r < end for r in t.resolved_at)
    ]
    return {
        "acknowledge": (len(ack), statistics.median(ack), nearest_rank_p90(ack)),
        "resolve": (len(res), statistics.median(res), nearest_rank_p90(res)),
    }


def deadline_outcomes(t: Truth, end: datetime, overall: bool = False) -> list[tuple[str, bool]]:
    """(office, kept) for each of routing's deadlines that came due before end: kept if
    the case was resolved by it while it held, missed if it passed while the case was open
    and the deadline in force (a move replaces a resolution deadline; the overall one
    stays until its value changes)."""
    found = []
    for i, (since, office, resolve_by, overall_by) in enumerate(t.holdings):
        deadline = overall_by if overall else resolve_by
        if overall and i and t.holdings[i - 1][3] == overall_by:
            continue
        later = [h[0] for h in t.holdings[i + 1 :] if not overall or h[3] != overall_by]
        until = later[0] if later else None
        ending = next(
            (
                (at, s)
                for at, s in t.timeline
                if at >= since and (until is None or at < until) and s not in OPEN
            ),
            None,
        )
        if ending and ending[1] == "resolved" and ending[0] <= deadline:
            if ending[0] < end:
                found.append((office, True))
        elif all(deadline < x for x in (ending and ending[0], until) if x) and deadline < end:
            found.append((office, False))
    return found


def expected_sla_by_office(
    truths: list[Truth], start: datetime, end: datetime
) -> dict[str, dict[str, int]]:
    """Per office: routing's resolution deadlines that came due while it held a cohort
    case, and those it kept."""
    rows: dict[str, Counter[str]] = defaultdict(Counter)
    for t in truths:
        if start <= t.received_at < end:
            for office, kept in deadline_outcomes(t, end):
                rows[office]["due"] += 1
                rows[office]["met"] += kept
    return {office: {"due": c["due"], "met": c["met"]} for office, c in rows.items()}


def expected_overall(truths: list[Truth], start: datetime, end: datetime) -> dict[str, int]:
    """Cohort cases whose overall deadline came due; those that kept every one."""
    row: Counter[str] = Counter()
    for t in truths:
        outcomes = deadline_outcomes(t, end, overall=True) if start <= t.received_at < end else []
        if outcomes:
            row["due"] += 1
            row["within" if all(kept for _, kept in outcomes) else "missed"] += 1
    return {"due": row["due"], "within": row["within"], "missed": row["missed"]}


def expected_offices(truths: list[Truth], start: datetime, end: datetime) -> dict[str, Any]:
    """Per office that resolved cohort cases: how many, reopened after its resolution,
    and working days from submission to its latest resolution (n, median, p90)."""
    resolved: dict[str, list[int]] = defaultdict(list)
    reopened: Counter[str] = Counter()
    for t in truths:
        if not start <= t.received_at < end:
            continue
        mine: dict[str, tuple[datetime, bool]] = {}
        for i, at in enumerate(r for r in t.resolved_at if r < end):
            office = [h[1] for h in t.holdings if h[0] <= at][-1]
            after = t.resolved_at[i + 1] if i + 1 < len(t.resolved_at) else end
            again = any(at < r < min(after, end) for r in t.reopened_at)
            mine[office] = (at, again or mine.get(office, (at, False))[1])
        for office, (at, again) in mine.items():
            resolved[office].append(working_days(t.received_at, at))
            reopened[office] += again
    return {
        office: (len(days), reopened[office], statistics.median(days), nearest_rank_p90(days))
        for office, days in resolved.items()
    }


def expected_monthly(truths: list[Truth], start: datetime, end: datetime) -> dict[str, Any]:
    """One month by level: first resolved in it; open at its end, this year / earlier."""
    rows: dict[str, Counter[str]] = defaultdict(Counter)
    for t in truths:
        if t.received_at >= end:
            continue
        if t.resolved_at and start <= t.resolved_at[0] < end:
            rows[_level_at(t, t.resolved_at[0])]["resolved"] += 1
        if (t.status_at(end) or "awaiting_routing") in OPEN:
            level = _level_at(t, end)
            rows[level]["in_progress"] += 1
            earlier = t.received_at.astimezone(ICT).year < start.astimezone(ICT).year
            rows[level]["carried_over" if earlier else "from_this_year"] += 1
    return {level: dict(c) for level, c in rows.items()}


def _level_at(t: Truth, instant: datetime) -> str:
    held = [h[1] for h in t.holdings if h[0] <= instant]
    if not held:
        return "unassigned"
    office = held[-1]
    return (
        "ministry"
        if office.startswith("ministry:")
        else ("district_ombudsman" if office.startswith("district:") else "commune")
    )


def expected_extra_fees(truths: list[Truth], start: datetime, end: datetime) -> dict[str, Any]:
    """Per service: reports of a fee above the official one, their total and median."""
    amounts: dict[str, list[int]] = defaultdict(list)
    for t in truths:
        if start <= t.received_at < end and t.extra_fee and t.extra_fee > 0:
            amounts[t.service or "unknown"].append(t.extra_fee)
    return {
        s: {"reports": len(v), "total_riel": sum(v), "median_riel": statistics.median(v)}
        for s, v in amounts.items()
    }


def expected_by_gender(truths: list[Truth], start: datetime, end: datetime) -> dict[str, int]:
    """Cases received per self-declared gender."""
    return dict(Counter(t.gender for t in truths if start <= t.received_at < end))


def expected_satisfaction(truths: list[Truth], start: datetime, end: datetime) -> dict[str, int]:
    """How many cases got each rating (the latest before the end)."""
    return dict(
        Counter(
            str(t.rating[1])
            for t in truths
            if start <= t.received_at < end and t.rating and t.rating[0] < end
        )
    )


def expected_moves(truths: list[Truth], start: datetime, end: datetime) -> tuple[dict, dict]:
    """Cases forwarded per ministry and escalated per level (at least once, before end)."""
    forwarded: Counter[str] = Counter()
    escalated: Counter[str] = Counter()
    for t in truths:
        if start <= t.received_at < end:
            forwarded.update(m for m, at in t.forwarded_to.items() if at < end)
            escalated.update(lv for lv, at in t.escalated_to.items() if at < end)
    return dict(forwarded), dict(escalated)


# --- what a reader of a published table can work out ----------------------------------

Cell = tuple[str, str]


def recover(shown: dict[Cell, float | None], equations: list[dict[Cell, int]]) -> dict[Cell, Any]:
    """Hidden cells whose exact value follows from the shown ones and the equations
    (each ``sum(coef * cell) == 0``), by exact elimination over the rationals."""
    from fractions import Fraction

    unknown = sorted(c for c, v in shown.items() if v is None)
    index = {c: i for i, c in enumerate(unknown)}
    matrix = []
    for eq in equations:
        row = [Fraction(0)] * (len(unknown) + 1)
        for cell, coef in eq.items():
            if cell in index:
                row[index[cell]] += coef
            else:
                row[-1] -= coef * Fraction(shown[cell] or 0)
        matrix.append(row)
    width, r, pivots = len(unknown), 0, []
    for col in range(width):
        p = next((i for i in range(r, len(matrix)) if matrix[i][col] != 0), None)
        if p is None:
            continue
        matrix[r], matrix[p] = matrix[p], matrix[r]
        matrix[r] = [v / matrix[r][col] for v in matrix[r]]
        for i in range(len(matrix)):
            if i != r and matrix[i][col] != 0:
                f = matrix[i][col]
                matrix[i] = [a - f * b for a, b in zip(matrix[i], matrix[r], strict=True)]
        pivots.append((r, col))
        r += 1
    return {
        unknown[col]: matrix[i][-1]
        for i, col in pivots
        if all(matrix[i][j] == 0 for j in range(width) if j != col)
    }


def table_equations(
    rows: list[str], columns: list[str], sums: list[tuple[str, list[str]]]
) -> list[dict[Cell, int]]:
    """A table's known sums: the total row of every column, and column sums within rows."""
    body = [r for r in rows if r != "total"]
    equations: list[dict[Cell, int]] = []
    for column in columns if "total" in rows else ():
        equations.append({("total", column): 1, **{(r, column): -1 for r in body}})
    for row in rows:
        for total, parts in sums:
            equations.append({(row, total): 1, **{(row, p): -1 for p in parts}})
    return equations


def expected_trend(truths: list[Truth], start: datetime, end: datetime) -> dict[str, Any]:
    """Per month: cases received in it, and cases whose first resolution fell in it."""
    months: dict[str, Counter[str]] = defaultdict(Counter)
    for t in truths:
        if start <= t.received_at < end:
            months[t.received_at.astimezone(ICT).strftime("%Y-%m")]["received"] += 1
        if t.resolved_at and start <= t.resolved_at[0] < end:
            months[t.resolved_at[0].astimezone(ICT).strftime("%Y-%m")]["resolved"] += 1
    return {m: dict(c) for m, c in months.items()}
