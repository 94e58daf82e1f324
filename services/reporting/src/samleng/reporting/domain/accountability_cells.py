"""The public cells of ``domain.accountability``, suppressed with the rest of the year's
publication (``domain.publication``). Pure.

Rows (period | area | what):

- ``2026-Q2|12|overall``: the overall deadline (due = within + missed) and the cases
  resolved, per month, quarter and year, for the country and each province;
- ``2026-Q2|national|office:<id>`` and the total ``2026-Q2|national|office``: per office,
  resolved, reopened, and deadlines due = met + missed, per quarter and year;
- ``2026-05|national|level:<level>`` and the total ``2026-05|national|levels``: per month,
  resolved and still in progress (= from this year + carried over), for the country (by
  province they doubled the audit's work for rows nearly all suppressed; officials have
  them in full detail).

Known sums: the ones within rows above, offices and levels add up to their totals, the
country = its provinces; a month's resolved total is the trend's first-resolved count of
the area, and the cases of this year still in progress at the end of January, March and
December are the *open* cases received in that month, quarter and year.

Medians and 90th percentiles are not counts: they stay out of the audit, and are shown
only beside a shown count of at least ``threshold`` cases (else ``None``, like a
suppressed count); the reopen rate likewise, beside shown counts.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime

from samleng.reporting.domain.accountability import (
    MONTHLY_COLUMNS,
    days_to_resolve,
    monthly_of,
    office_resolutions,
    overall_of,
)
from samleng.reporting.domain.cases import CaseRecord
from samleng.reporting.domain.deadlines import resolution_verdicts
from samleng.reporting.domain.figures import distribution_of
from samleng.reporting.domain.periods import Period
from samleng.reporting.domain.suppression import (
    TOTAL_ROW,
    Cell,
    Relation,
    SuppressedTable,
    Suppression,
)

NATIONAL = "national"
OVERALL_COLUMNS = ("due", "within", "missed", "resolved")
OFFICE_COLUMNS = ("resolved", "reopened", "due", "met", "missed")
#: Shown beside the counts, never audited: (statistic, the count it describes).
OVERALL_STATS = (("median", "resolved"), ("p90", "resolved"))
OFFICE_STATS = (("median", "resolved"), ("p90", "resolved"), ("reopen_rate", "reopened"))
#: The columns of the tables served.
OVERALL_TABLE = (*OVERALL_COLUMNS, *(stat for stat, _ in OVERALL_STATS))
OFFICES_TABLE = (*OFFICE_COLUMNS, *(stat for stat, _ in OFFICE_STATS))


@dataclass
class AccountabilityCells:
    """The counts (audited with the publication) and the statistics beside them."""

    values: defaultdict[Cell, int] = field(default_factory=lambda: defaultdict(int))
    rows: dict[str, tuple[str, ...]] = field(default_factory=dict)
    #: per row, how many cases took each number of days (a year of cases is a long list)
    days: defaultdict[str, Counter[int]] = field(default_factory=lambda: defaultdict(Counter))

    def add(self, row: str, columns: tuple[str, ...], column: str, n: int = 1) -> None:
        self.rows.setdefault(row, columns)
        self.values[(row, column)] += n

    def count(self, record: CaseRecord, periods: list[Period], now: datetime) -> None:
        """Count one case into the cells of a year's periods."""
        if record.received_at is None or record.province is None:
            return
        for period in periods:
            _count(self, record, period, now)

    def completed(self) -> AccountabilityCells:
        """The cells with every column of every row (zeros are cells too), once counted."""
        for row, columns in self.rows.items():
            for column in columns:
                self.values[(row, column)] += 0
        return self


def _count(cells: AccountabilityCells, record: CaseRecord, period: Period, now: datetime) -> None:
    assert record.received_at is not None and record.province is not None
    end = min(period.end, now)
    areas = (NATIONAL, record.province)
    monthly = len(period.label) == 7 and "Q" not in period.label
    if monthly:
        for area in (NATIONAL,):
            for column, level in monthly_of(record, period, now).items():
                for row in (
                    f"{period.label}|{area}|level:{level}",
                    f"{period.label}|{area}|levels",
                ):
                    cells.add(row, MONTHLY_COLUMNS, column)
    if not period.start <= record.received_at < end:
        return
    verdict = overall_of(record, end)
    taken = days_to_resolve(record, period, end)
    for area in areas:
        row = f"{period.label}|{area}|overall"
        cells.add(row, OVERALL_COLUMNS, "due", int(verdict is not None))
        if verdict is not None:
            cells.add(row, OVERALL_COLUMNS, "within" if verdict else "missed")
        if taken is not None:
            cells.add(row, OVERALL_COLUMNS, "resolved")
            cells.days[row][taken] += 1
    if monthly:
        return
    for office, (resolved, reopened) in office_resolutions(record, end).items():
        for row in (
            f"{period.label}|{NATIONAL}|office:{office}",
            f"{period.label}|{NATIONAL}|office",
        ):
            cells.add(row, OFFICE_COLUMNS, "resolved")
            cells.add(row, OFFICE_COLUMNS, "reopened", int(reopened))
            cells.days[row][period.calendar.working_day_of(record.received_at, resolved)] += 1
    for found in resolution_verdicts(record, end):
        for row in (
            f"{period.label}|{NATIONAL}|office:{found.office_id}",
            f"{period.label}|{NATIONAL}|office",
        ):
            cells.add(row, OFFICE_COLUMNS, "due")
            cells.add(row, OFFICE_COLUMNS, "met" if found.kept else "missed")


def relations(rows: Mapping[str, tuple[str, ...]], year: int) -> list[Relation]:
    """The known sums of the accountability cells, and their links to the status rows."""
    found: list[Relation] = []
    children: defaultdict[str, list[str]] = defaultdict(list)
    for row, columns in rows.items():
        period, area, what = row.split("|")
        if columns == OVERALL_COLUMNS:
            found.append(((row, "due"), ((row, "within"), (row, "missed"))))
            if area != NATIONAL:
                children[f"{period}|{NATIONAL}|overall"].append(row)
        elif columns == OFFICE_COLUMNS:
            found.append(((row, "due"), ((row, "met"), (row, "missed"))))
            if what != "office":
                children[f"{period}|{area}|office"].append(row)
        elif columns == MONTHLY_COLUMNS:
            found.append(((row, "in_progress"), ((row, "from_this_year"), (row, "carried_over"))))
            if what != "levels":
                children[f"{period}|{area}|levels"].append(row)
            elif area != NATIONAL:
                children[f"{period}|{NATIONAL}|levels"].append(row)
            if what.startswith("level:") and area != NATIONAL:
                children[f"{period}|{NATIONAL}|{what}"].append(row)
            if what == "levels":
                found += _links_to_status(row, period, area, year)
    for parent, parts in children.items():
        if parent in rows:
            for column in rows[parent]:
                found.append(((parent, column), tuple((p, column) for p in sorted(parts))))
    return found


def _links_to_status(row: str, period: str, area: str, year: int) -> list[Relation]:
    links: list[Relation] = [((row, "resolved"), ((f"{period}|{area}", "first_resolved"),))]
    same_cohort = {"01": period, "03": f"{year:04d}-Q1", "12": f"{year:04d}"}.get(period[5:])
    if same_cohort is not None:
        links.append(((row, "from_this_year"), ((f"{same_cohort}|{area}", "open"),)))
    return links


def tables(
    cells: AccountabilityCells,
    values: Mapping[Cell, int],
    done: Suppression,
    threshold: int,
    cut: Callable[[list[tuple[str, str]], tuple[str, ...]], SuppressedTable],
) -> dict[str, SuppressedTable]:
    """Cut the cells into the tables served: ``overall/<period>``, ``offices/<period>``
    and ``monthly/<period>/<area>``; statistics added beside the counts they describe."""
    slices: defaultdict[str, list[tuple[str, str]]] = defaultdict(list)
    kinds: dict[str, tuple[str, ...]] = {}
    for row, columns in sorted(cells.rows.items()):
        period, area, what = row.split("|")
        if columns == OVERALL_COLUMNS:
            name = f"overall/{period}/national"
            slices[name].append((TOTAL_ROW if area == NATIONAL else area, row))
        elif columns == OFFICE_COLUMNS:
            name = f"offices/{period}/national"
            slices[name].append((what.split(":", 1)[1] if ":" in what else TOTAL_ROW, row))
        else:
            name = f"monthly/{period}/{area}"
            slices[name].append((what.split(":", 1)[1] if ":" in what else TOTAL_ROW, row))
        kinds[name] = columns
    found = {}
    for name, members in slices.items():
        table = cut(members, kinds[name])
        stats = (
            OVERALL_STATS
            if name.startswith("overall")
            else OFFICE_STATS
            if name.startswith("offices")
            else ()
        )
        found[name] = _with_stats(table, dict(members), stats, cells, threshold)
    return found


def _with_stats(
    table: SuppressedTable,
    row_of: Mapping[str, str],
    stats: tuple[tuple[str, str], ...],
    cells: AccountabilityCells,
    threshold: int,
) -> SuppressedTable:
    if not stats:
        return table
    shown = dict(table.cells)
    for key in table.rows:
        spread = distribution_of(cells.days[row_of[key]])
        for stat, base in stats:
            count = table.cells[(key, base)]
            value: float | None
            if stat == "reopen_rate":
                resolved = table.cells[(key, "resolved")]
                value = round(count / resolved, 3) if count is not None and resolved else None
            else:
                value = spread[stat] if count is not None and count >= threshold else None
            shown[(key, stat)] = value
    columns = (*table.columns, *(stat for stat, _ in stats))
    return SuppressedTable(table.rows, columns, shown, table.primary, table.complementary)
