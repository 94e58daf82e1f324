"""Public tables: status figures by area and breakdowns, with small cells suppressed. Pure."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from datetime import datetime

from samleng.reporting.domain.cases import CaseRecord
from samleng.reporting.domain.figures import (
    STATUS_COLUMNS,
    STATUS_PARTITION,
    Area,
    backlog,
    breakdown,
    extra_fees,
    sla_by,
    status_row,
    trend,
)
from samleng.reporting.domain.periods import Period
from samleng.reporting.domain.suppression import (
    TOTAL_ROW,
    Cell,
    SuppressedTable,
    additive_relations,
    suppress,
)

#: Columns that are sums of others, in every row of the status table.
STATUS_SUMS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("received", STATUS_PARTITION),
    ("open", ("awaiting_routing", "in_progress")),
    ("resolved", ("resolved_awaiting_confirmation", "closed_confirmed", "closed_auto")),
)
BREAKDOWN_COLUMNS = ("received", "open", "resolved", "ended_otherwise")
BREAKDOWN_SUMS = (("received", ("open", "resolved", "ended_otherwise")),)


def sub_area_of(record: CaseRecord, area: Area) -> str | None:
    """The row of a case in an area's table: its province, its district, or none."""
    if area.district is not None:
        return None
    if area.province is not None:
        return record.district
    return record.province


def status_table(
    records: Sequence[CaseRecord], area: Area, period: Period, now: datetime, threshold: int
) -> SuppressedTable:
    """Status figures per sub-area (provinces, or districts of a province) and in total."""
    mine = [r for r in records if area.contains(r)]
    groups: dict[str, list[CaseRecord]] = defaultdict(list)
    for record in mine:
        key = sub_area_of(record, area)
        if key is not None:
            groups[key].append(record)
    table = {key: status_row(group, period, now) for key, group in sorted(groups.items())}
    table = {key: row for key, row in table.items() if row["received"]}
    table[TOTAL_ROW] = status_row(mine, period, now)
    return _publish(table, STATUS_COLUMNS, STATUS_SUMS, threshold)


def breakdown_table(
    records: Sequence[CaseRecord],
    area: Area,
    dimension: str,
    period: Period,
    now: datetime,
    threshold: int,
) -> SuppressedTable:
    """One breakdown (gender, service, month...) of the area's cohort, with a total row."""
    mine = [r for r in records if area.contains(r)]
    table = breakdown(mine, dimension, period, now)
    total = dict.fromkeys(BREAKDOWN_COLUMNS, 0)
    for row in table.values():
        for column in BREAKDOWN_COLUMNS:
            total[column] += row[column]
    table[TOTAL_ROW] = total
    return _publish(table, BREAKDOWN_COLUMNS, BREAKDOWN_SUMS, threshold)


def trend_table(
    records: Sequence[CaseRecord], area: Area, period: Period, now: datetime, threshold: int
) -> SuppressedTable:
    """Received and first resolved per month of the period, with a total row."""
    mine = [r for r in records if area.contains(r)]
    table = trend(mine, period, now)
    table[TOTAL_ROW] = {
        column: sum(row[column] for row in table.values()) for column in ("received", "resolved")
    }
    return _publish(table, ("received", "resolved"), (), threshold)


def backlog_table(
    records: Sequence[CaseRecord], area: Area, period: Period, now: datetime, threshold: int
) -> SuppressedTable:
    """Cases open at the start of the period, by year received, and what became of them."""
    mine = [r for r in records if area.contains(r)]
    table = backlog(mine, period, now)
    columns = ("open_at_start", "resolved", "ended_otherwise", "still_open")
    table[TOTAL_ROW] = {c: sum(row[c] for row in table.values()) for c in columns}
    sums = (("open_at_start", ("resolved", "ended_otherwise", "still_open")),)
    return _publish(table, columns, sums, threshold)


def extra_fee_table(
    records: Sequence[CaseRecord], area: Area, period: Period, now: datetime, threshold: int
) -> SuppressedTable:
    """Reports of fees above the official fee, per service (counts only: sums of riel
    of a suppressed cell could be recomputed too)."""
    mine = [r for r in records if area.contains(r)]
    fees = extra_fees(mine, period, now, "service")
    table = {key: {"reports": row["reports"]} for key, row in fees.items()}
    table[TOTAL_ROW] = {"reports": sum(row["reports"] for row in table.values())}
    return _publish(table, ("reports",), (), threshold)


def sla_table(
    records: Sequence[CaseRecord], area: Area, period: Period, now: datetime, threshold: int
) -> SuppressedTable:
    """Cases due under their service standard and those that met it, per sub-area."""
    mine = [r for r in records if area.contains(r)]
    by_area = sla_by(mine, period, now, lambda r: sub_area_of(r, area) or "")
    by_area.pop("", None)
    overall = sla_by(mine, period, now, lambda r: TOTAL_ROW)
    table = {**by_area, TOTAL_ROW: overall.get(TOTAL_ROW, {"due": 0, "met": 0})}
    for row in table.values():
        row["missed"] = row["due"] - row["met"]
    return _publish(table, ("due", "met", "missed"), (("due", ("met", "missed")),), threshold)


def _publish(
    table: dict[str, dict[str, int]],
    columns: Sequence[str],
    sums: Sequence[tuple[str, Sequence[str]]],
    threshold: int,
) -> SuppressedTable:
    if len(table) == 2:  # one row and its total: the same figures twice, publish them once
        table = {key: row for key, row in table.items() if key != TOTAL_ROW}
    rows = list(table)
    values: dict[Cell, int] = {(r, c): table[r][c] for r in rows for c in columns}
    relations = additive_relations(rows, columns, sums)
    return suppress(rows, columns, values, relations, threshold)
