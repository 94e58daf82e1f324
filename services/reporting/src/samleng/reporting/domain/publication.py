"""Public tables, built a calendar year at a time and suppressed together. Pure.

Tables that share cells or are linked by sums can be played against each other: a quarter
minus two of its months gives the third month, a province minus all but one of its
districts gives that district. So the public tables are not suppressed one by one: every
public cell of a calendar year (its months, quarters and the year; the country, its
provinces and districts; breakdowns, trend, extra-fee reports, service-standard
compliance and the backlog) is one *publication*, whose known sums are audited as one
system (``suppression.suppress_cells``). Each table served is a slice of it.

A publication's cells are named ``(row, column)`` with rows like
``2026-Q2|12`` (period | area), ``2026-Q2|12|kind:complaint`` (a breakdown value),
``2026-Q2|national|fees:BIRTH_CERT``, ``2026-Q2|12|sla`` and ``2026|national|backlog:2025``.

Known sums (relations):
- within a row: received = the seven statuses, open, resolved, ended otherwise
  (breakdowns: received = open + resolved + ended otherwise; SLA: due = met + missed);
- areas: the country = its provinces, a province = its districts (every column);
- breakdowns: an area's received, open, resolved and ended otherwise = the sum over the
  values of each dimension; the country = its provinces, per value;
- time, for counts of what happened in a period (received, first resolved, extra-fee
  reports, the desks' messages received and dismissed): a quarter = its months, the year
  = its quarters.

The backlog of a year repeats cells of the year before (the cases still open at its end);
``previous`` carries that year's published values, so a value hidden there stays hidden
and a value shown there is never used to hide another.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime

from samleng.common.calendar import WorkingCalendar
from samleng.reporting.domain import accountability_cells, desks
from samleng.reporting.domain.cases import UNFINISHED, CaseRecord
from samleng.reporting.domain.figures import (
    STATUS_COLUMNS,
    STATUS_PARTITION,
    key_of,
    outcome_of,
    partition_of,
    sla_verdict,
)
from samleng.reporting.domain.periods import Period, parse_period
from samleng.reporting.domain.suppression import (
    TOTAL_ROW,
    Cell,
    Relation,
    SuppressedTable,
    Suppression,
    suppress_cells,
    table_of,
)

NATIONAL = "national"
#: Breakdowns published to everyone, for the country and each province. Commune and office
#: stay with signed-in officials (a commune office is a commune); province and district are
#: the status tables; month is the trend; weeks straddle months, so week counts could be
#: subtracted from monthly ones.
PUBLIC_DIMENSIONS = ("service", "category", "kind", "channel", "gender", "age_band")
GROUP_COLUMNS = ("received", "open", "resolved", "ended_otherwise")
#: Channels of the desks that file for people without the app (docs/channels.md): the
#: channel breakdown is also counted by month for the whole country, and these values of
#: it are published as the monthly desk figures (``desks/<period>``; "open" shown as
#: "in_progress", as the ministry's desk reports them), beside the messages the
#: social-media desk received and dismissed (``domain.desks``).
DESK_CHANNELS = ("counter", "hotline", "social_media")
TREND_COLUMNS = ("received", "resolved")
SLA_COLUMNS = ("due", "met", "missed")
FEE_COLUMNS = ("reports",)
BACKLOG_COLUMNS = ("open_at_start", "resolved", "ended_otherwise", "still_open")
#: Columns of an area row: the status table's, and two more the other tables show.
AREA_COLUMNS = (*STATUS_COLUMNS, "ended_otherwise", "first_resolved")
#: Columns that are sums of others, in every area row.
AREA_SUMS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("received", STATUS_PARTITION),
    ("open", ("awaiting_routing", "in_progress")),
    ("resolved", ("resolved_awaiting_confirmation", "closed_confirmed", "closed_auto")),
    ("ended_otherwise", ("rejected", "withdrawn", "closed_no_reply")),
)
#: Counts of what happened within a period, which add up over time.
FLOW_COLUMNS = ("received", "first_resolved")


@dataclass(frozen=True)
class Publication:
    """Every public table of one calendar year, suppressed as one."""

    year: int
    built_at: datetime
    tables: dict[str, SuppressedTable]
    #: the backlog cells that the next year's publication repeats, as published here
    carried: dict[str, int | None]
    suppressed: int = 0
    cells: int = 0


@dataclass
class _Cells:
    """The publication's cells while they are counted."""

    values: defaultdict[Cell, int] = field(default_factory=lambda: defaultdict(int))
    rows: dict[str, tuple[str, ...]] = field(default_factory=dict)  # row -> its columns

    def add(self, row: str, columns: tuple[str, ...], column: str, n: int = 1) -> None:
        self.rows.setdefault(row, columns)
        self.values[(row, column)] += n

    def complete(self) -> dict[Cell, int]:
        """Every cell of every row (zeros included)."""
        return {(r, c): self.values.get((r, c), 0) for r, cols in self.rows.items() for c in cols}


def periods_of(year: int, now: datetime, calendar: WorkingCalendar) -> list[Period]:
    """The months, quarters and the year itself that began before ``now``."""
    labels = [f"{year:04d}-{m:02d}" for m in range(1, 13)]
    labels += [f"{year:04d}-Q{q}" for q in range(1, 5)]
    labels.append(f"{year:04d}")
    periods = [parse_period(label, calendar) for label in labels]
    return [p for p in periods if p.start < now]


def table_id(kind: str, period: str, area: str = NATIONAL, dimension: str = "") -> str:
    """The name of one published table, e.g. ``status/2026-Q1/12``."""
    middle = f"/{dimension}" if dimension else ""
    return f"{kind}{middle}/{period}/{area}"


def build(
    records: Iterable[CaseRecord],
    year: int,
    now: datetime,
    threshold: int,
    previous: Mapping[str, int | None] | None,
    calendar: WorkingCalendar,
    desk_counts: Iterable[desks.DeskCount] = (),
) -> Publication:
    """Count, suppress and cut into tables every public figure of ``year`` (with the
    desks' messages of ``desk_counts``)."""
    periods = periods_of(year, now, calendar)
    cells = _Cells()
    promises = accountability_cells.AccountabilityCells()
    for record in records:  # read once: a year of records can be a stream, never held
        if record.received_at is not None:
            _count(cells, record, periods, year, now)
        promises.count(record, periods, now)
    desks.count_messages(cells.add, desk_counts, periods, now, NATIONAL)
    promises.completed()
    for row, columns in cells.rows.items():
        if columns == AREA_COLUMNS:
            _derive_area_row(cells, row)
        elif columns == SLA_COLUMNS:
            cells.values[(row, "missed")] = cells.values[(row, "due")] - cells.values[(row, "met")]
    values = {**cells.complete(), **promises.values}
    forced, pinned = _carried_over(values, year, previous or {})
    relations = _relations(values, cells.rows, periods)
    relations += [
        (total, parts)
        for total, parts in accountability_cells.relations(promises.rows, year)
        if total in values and all(part in values for part in parts)
    ]
    done = suppress_cells(values, relations, threshold, forced=forced, pinned=pinned, weight=_worth)
    tables = _tables(cells.rows, values, done, periods, year)

    def cut(members: list[tuple[str, str]], columns: tuple[str, ...]) -> SuppressedTable:
        return _slice(members, columns, {}, values, done)

    tables |= accountability_cells.tables(promises, values, done, threshold, cut)
    carried = {
        key: None if (value := table.cells[(row, column)]) is None else int(value)
        for key, (table, row, column) in _carry_cells(tables, year).items()
    }
    return Publication(year, now, tables, carried, len(done.hidden), len(values))


# --- counting ---------------------------------------------------------------------------


def _count(
    cells: _Cells, record: CaseRecord, periods: list[Period], year: int, now: datetime
) -> None:
    received = record.received_at
    assert received is not None
    if record.province is None or record.district is None:
        return  # the location is required at submission; a record without one counts nowhere
    province, district = record.province, record.district
    areas = (NATIONAL, province, district)
    first_resolved = record.resolutions[0] if record.resolutions else None
    for period in periods:
        end = min(period.end, now)
        if first_resolved is not None and period.start <= first_resolved < end:
            for area in areas:
                cells.add(f"{period.label}|{area}", AREA_COLUMNS, "first_resolved")
        if not period.start <= received < end:
            continue
        part = partition_of(record, end)
        group = outcome_of(record.status_at(end))
        flags = {
            "forwarded": any(at < end for at, _ in record.forwards),
            "escalated": any(at < end for at, _ in record.escalations),
            "reopened": any(at < end for at in record.reopenings),
        }
        for area in areas:
            row = f"{period.label}|{area}"
            cells.add(row, AREA_COLUMNS, "received")
            cells.add(row, AREA_COLUMNS, part)
            for column, flag in flags.items():
                if flag:
                    cells.add(row, AREA_COLUMNS, column)
        monthly = len(period.label) == 7 and "Q" not in period.label
        for area in (NATIONAL, province):
            national_channel = ("channel",) if area == NATIONAL else ()
            for dimension in national_channel if monthly else PUBLIC_DIMENSIONS:
                value = key_of(record, dimension, period.calendar)
                row = f"{period.label}|{area}|{dimension}:{value}"
                cells.add(row, GROUP_COLUMNS, "received")
                cells.add(row, GROUP_COLUMNS, group)
            verdict = sla_verdict(record, end)
            if verdict is not None:
                cells.add(f"{period.label}|{area}|sla", SLA_COLUMNS, "due")
                cells.add(f"{period.label}|{area}|sla", SLA_COLUMNS, "met", int(verdict))
        if record.extra_fee_riel is not None and record.extra_fee_riel > 0:
            service = key_of(record, "service", period.calendar)
            cells.add(f"{period.label}|{NATIONAL}|fees:{service}", FEE_COLUMNS, "reports")
            cells.add(f"{period.label}|{NATIONAL}|fees", FEE_COLUMNS, "reports")
    _count_backlog(cells, record, parse_period(f"{year:04d}", periods[0].calendar), now)


def _count_backlog(cells: _Cells, record: CaseRecord, period: Period, now: datetime) -> None:
    received = record.received_at
    assert received is not None
    if received >= period.start or period.start > now:
        return
    if record.status_at(period.start) not in UNFINISHED:
        return
    outcome = outcome_of(record.status_at(min(period.end, now)))
    outcome = "still_open" if outcome == "open" else outcome
    since = period.calendar.local_date(received).year
    for row in (f"{period.label}|{NATIONAL}|backlog:{since}", f"{period.label}|{NATIONAL}|backlog"):
        cells.add(row, BACKLOG_COLUMNS, "open_at_start")
        cells.add(row, BACKLOG_COLUMNS, outcome)


def _derive_area_row(cells: _Cells, row: str) -> None:
    for total, parts in AREA_SUMS:
        if total != "received":
            cells.values[(row, total)] = sum(cells.values[(row, p)] for p in parts)


def _worth(cell: Cell) -> int:
    """How much a cell is worth showing: the wider its period, area and group, the more
    (a complement is taken from a district's month before a country's year)."""
    row, column = cell
    period, area, *rest = row.split("|")
    worth = 2 if len(period) == 4 else 1 if "Q" in period else 0
    worth += 4 if area == NATIONAL else 2 if len(area) != 4 else 0
    worth += 0 if rest and ":" in rest[0] else 1  # a breakdown value, or a total
    worth += column in ("received", "open", "resolved", "due", "open_at_start", "reports")
    return worth


# --- relations --------------------------------------------------------------------------


def _relations(
    values: Mapping[Cell, int], rows: Mapping[str, tuple[str, ...]], periods: list[Period]
) -> list[Relation]:
    relations: list[Relation] = []
    children: defaultdict[str, list[str]] = defaultdict(list)  # parent row -> child rows
    for row, columns in rows.items():
        period, area, *rest = row.split("|")
        if columns == AREA_COLUMNS:
            relations += [((row, t), tuple((row, p) for p in parts)) for t, parts in AREA_SUMS]
            if area != NATIONAL:
                parent = NATIONAL if len(area) != 4 else area[:2]
                children[f"{period}|{parent}"].append(row)
        elif columns == GROUP_COLUMNS:
            relations.append(
                ((row, "received"), ((row, "open"), (row, "resolved"), (row, "ended_otherwise")))
            )
            dimension, _ = rest[0].split(":", 1)
            children[f"{period}|{area}|{dimension}"].append(row)  # values of one dimension
            if area != NATIONAL:
                children[f"{period}|{NATIONAL}|{rest[0]}"].append(row)  # a province's share
        elif columns == SLA_COLUMNS:
            relations.append(((row, "due"), ((row, "met"), (row, "missed"))))
            if area != NATIONAL:
                children[f"{period}|{NATIONAL}|sla"].append(row)
        elif columns == FEE_COLUMNS and rest[0] != "fees":
            children[f"{period}|{area}|fees"].append(row)
        elif columns == BACKLOG_COLUMNS:
            relations.append(((row, "open_at_start"), tuple((row, c) for c in BACKLOG_COLUMNS[1:])))
            if rest[0] != "backlog":
                children[f"{period}|{area}|backlog"].append(row)
    for parent, parts in children.items():
        if parent in rows:
            parent_row, summed = parent, rows[parent]
        else:  # the values of a dimension add up to the area row
            parent_row, summed = parent.rsplit("|", 1)[0], GROUP_COLUMNS
        for column in summed:
            relations.append(((parent_row, column), tuple((p, column) for p in sorted(parts))))
    relations += _over_time(values, rows, periods)
    return relations


def _over_time(
    values: Mapping[Cell, int], rows: Mapping[str, tuple[str, ...]], periods: list[Period]
) -> list[Relation]:
    """A quarter's flows are its months', the year's are its quarters'."""
    labels = {p.label for p in periods}
    parts_of: dict[str, list[str]] = {}
    for period in periods:
        if len(period.label) == 4:
            parts_of[period.label] = [f"{period.label}-Q{q}" for q in range(1, 5)]
        elif "-Q" in period.label:
            parts_of[period.label] = period.months()
    relations: list[Relation] = []
    for row, columns in rows.items():
        label, rest = row.split("|", 1)
        if label not in parts_of or columns in (SLA_COLUMNS, BACKLOG_COLUMNS):
            continue  # due and backlog counts depend on the period's end: they do not add up
        if columns == GROUP_COLUMNS and "Q" in label and not _by_month(rest):
            continue  # breakdowns are not published by month (but the desks' channels)
        if columns == GROUP_COLUMNS:
            flows = ["received"]
        elif columns == desks.MESSAGE_COLUMNS:
            flows = list(columns)
        else:
            flows = [c for c in columns if c in (*FLOW_COLUMNS, "reports")]
        parts = [f"{p}|{rest}" for p in parts_of[label] if p in labels and f"{p}|{rest}" in rows]
        for column in flows:
            relations.append(((row, column), tuple((p, column) for p in parts)))
    return relations


def _by_month(rest: str) -> bool:
    """Whether a breakdown row (after its period) is also counted month by month."""
    return rest.startswith(f"{NATIONAL}|channel:")


def _carried_over(
    values: Mapping[Cell, int], year: int, previous: Mapping[str, int | None]
) -> tuple[set[Cell], set[Cell]]:
    """The backlog's "open at start" cells repeat last year's published cells.

    When last year showed every one of them, they are public: pinned (never hidden as a
    complement). When it hid any, all of them and their total are hidden here: shown, their
    sums would be new equations on last year's hidden cells, which its audit never saw."""
    repeated = {
        (row, "open_at_start")
        for row, _ in values
        if row.startswith(f"{year:04d}|{NATIONAL}|backlog")
    }
    if all(value is not None for value in previous.values()):
        rows = {c for c in repeated if ":" in c[0] and c[0].rsplit(":", 1)[1] in previous}
        return set(), rows
    return {c for c in repeated if values.get(c)}, set()


# --- tables -----------------------------------------------------------------------------


def _tables(
    rows: Mapping[str, tuple[str, ...]],
    values: Mapping[Cell, int],
    done: Suppression,
    periods: list[Period],
    year: int,
) -> dict[str, SuppressedTable]:
    """Cut the publication into the tables the API serves."""
    slices: defaultdict[str, list[tuple[str, str]]] = defaultdict(list)  # id -> (key, row)
    columns_of: dict[str, tuple[str, ...]] = {}
    renamed: dict[str, dict[str, str]] = {}  # id -> column renames
    labels = {p.label: p for p in periods}
    # desks table id -> desk kind -> (its cases' row, its messages' row)
    desk_rows: defaultdict[str, dict[str, tuple[str | None, str | None]]] = defaultdict(dict)
    for row, columns in sorted(rows.items()):
        period, area, *rest = row.split("|")
        if columns == AREA_COLUMNS:
            parent = NATIONAL if area == NATIONAL or len(area) != 4 else area[:2]
            if area != NATIONAL:
                slices[table_id("status", period, parent)].append((area, row))
            own = area if len(area) == 4 else TOTAL_ROW  # a district's table is its own row
            slices[table_id("status", period, area)].append((own, row))
            columns_of[table_id("status", period, parent)] = STATUS_COLUMNS
            columns_of[table_id("status", period, area)] = STATUS_COLUMNS
            for outer in labels:
                if period in labels[outer].months() or outer == period:
                    key = TOTAL_ROW if outer == period and "-" not in outer[5:] else period
                    key = period if len(outer) == 7 and "Q" not in outer else key
                    slices[table_id("trend", outer, area)].append((key, row))
                    columns_of[table_id("trend", outer, area)] = FLOW_COLUMNS
                    renamed[table_id("trend", outer, area)] = {"first_resolved": "resolved"}
            for dimension in PUBLIC_DIMENSIONS if len(area) != 4 else ():
                slices[table_id("breakdown", period, area, dimension)].append((TOTAL_ROW, row))
        elif columns == GROUP_COLUMNS:
            dimension, key = rest[0].split(":", 1)
            if len(period) != 7 or "Q" in period:  # breakdowns are by quarter or year
                slices[table_id("breakdown", period, area, dimension)].append((key, row))
                columns_of[table_id("breakdown", period, area, dimension)] = GROUP_COLUMNS
            if dimension == "channel" and key in DESK_CHANNELS and area == NATIONAL:
                _, messages = desk_rows[table_id("desks", period)].get(key, (None, None))
                desk_rows[table_id("desks", period)][key] = (row, messages)
        elif columns == desks.MESSAGE_COLUMNS:
            key = rest[0].split(":", 1)[1]
            cases, _ = desk_rows[table_id("desks", period)].get(key, (None, None))
            desk_rows[table_id("desks", period)][key] = (cases, row)
        elif columns == SLA_COLUMNS:
            key = TOTAL_ROW if area == NATIONAL else area
            slices[table_id("sla", period)].append((key, row))
            columns_of[table_id("sla", period)] = SLA_COLUMNS
        elif columns == FEE_COLUMNS:
            key = rest[0].split(":", 1)[1] if ":" in rest[0] else TOTAL_ROW
            slices[table_id("fees", period)].append((key, row))
            columns_of[table_id("fees", period)] = FEE_COLUMNS
        elif columns == BACKLOG_COLUMNS:
            key = rest[0].split(":", 1)[1] if ":" in rest[0] else TOTAL_ROW
            slices[table_id("backlog", period)].append((key, row))
            columns_of[table_id("backlog", period)] = BACKLOG_COLUMNS
    tables = {}
    for name, members in slices.items():
        if name not in columns_of:
            continue  # a breakdown total without any value rows
        tables[name] = _slice(members, columns_of[name], renamed.get(name, {}), values, done)
    for name, of_kind in desk_rows.items():
        tables[name] = desks.desk_table(of_kind, GROUP_COLUMNS, values, done)
    return tables


def _slice(
    members: list[tuple[str, str]],
    columns: tuple[str, ...],
    renamed: Mapping[str, str],
    values: Mapping[Cell, int],
    done: Suppression,
) -> SuppressedTable:
    body = sorted((k, r) for k, r in members if k != TOTAL_ROW)
    total = [(k, r) for k, r in members if k == TOTAL_ROW]
    chosen = body + total
    keys = [k for k, _ in chosen]
    shown_columns = tuple(renamed.get(c, c) for c in columns)
    mine: dict[Cell, int] = {}
    primary, complementary = set(), set()
    for key, row in chosen:
        for column, shown in zip(columns, shown_columns, strict=True):
            mine[(key, shown)] = values[(row, column)]
            if (row, column) in done.primary:
                primary.add((key, shown))
            elif (row, column) in done.complementary:
                complementary.add((key, shown))
    return table_of(
        keys, shown_columns, mine, Suppression(frozenset(primary), frozenset(complementary))
    )


def _carry_cells(
    tables: Mapping[str, SuppressedTable], year: int
) -> dict[str, tuple[SuppressedTable, str, str]]:
    """What next year's backlog repeats: this year's still open per year received, and
    this year's own cases open at its end."""
    carried: dict[str, tuple[SuppressedTable, str, str]] = {}
    backlog = tables.get(table_id("backlog", f"{year:04d}"))
    if backlog is not None:
        for key in backlog.rows:
            if key != TOTAL_ROW:
                carried[key] = (backlog, key, "still_open")
    status = tables.get(table_id("status", f"{year:04d}", NATIONAL))
    if status is not None:
        carried[f"{year:04d}"] = (status, TOTAL_ROW, "open")
    return carried
