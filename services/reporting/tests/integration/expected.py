"""The figures expected from a generated history, computed from the generator's ground
truth independently of reporting's code; and what a reader of a published table can work
out from it."""

from __future__ import annotations

import statistics
from collections import Counter, defaultdict
from datetime import date, datetime, timedelta
from typing import Any

import holidays

from services.reporting.tests.integration.helpers import ICT, SERVICES, Truth

# --- the expected figures, computed from the truth ------------------------------------


def working_days(a: datetime, b: datetime) -> int:
    """Mon-Fri non-holiday dates after a's and up to b's Phnom Penh date."""
    first, last = a.astimezone(ICT).date(), b.astimezone(ICT).date()
    kh = holidays.country_holidays("KH", years=range(first.year, last.year + 1))
    days = (first + timedelta(days=i) for i in range(1, (last - first).days + 1))
    return sum(1 for d in days if d.isoweekday() <= 5 and d not in kh)


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


def expected_sla_by_office(
    truths: list[Truth], start: datetime, end: datetime
) -> dict[str, dict[str, int]]:
    """Per office: cases due under the service standard and those resolved within it."""
    rows: dict[str, Counter[str]] = defaultdict(Counter)
    for t in truths:
        standard = SERVICES[t.service][1]
        if not start <= t.received_at < end or standard is None:
            continue
        if (t.status_at(end) or "") in ("rejected", "withdrawn"):
            continue
        done = [r for r in t.resolved_at if r < end]
        if done:
            met = working_days(t.received_at, done[-1]) <= standard
        elif working_days(t.received_at, end) > standard:
            met = False
        else:
            continue
        rows[t.office]["due"] += 1
        rows[t.office]["met"] += met
    return {office: {"due": c["due"], "met": c["met"]} for office, c in rows.items()}


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


def recover(shown: dict[Cell, int | None], equations: list[dict[Cell, int]]) -> dict[Cell, Any]:
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
                row[-1] -= coef * (shown[cell] or 0)
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
