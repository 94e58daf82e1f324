"""No hidden cell of the public tables can be worked out by playing tables against each other.

The reader here knows every published table of two years (status by country, province and
district; trend; breakdowns; service standards; extra-fee reports; backlog) and every sum
that links them: a table's total row, the columns that add up within a row, a quarter as
the sum of its months and a year of its quarters, the country as the sum of its provinces,
the same figure in two tables, and last year's backlog carried into this year's. From
those it solves for the hidden cells, by its own elimination (modulo a large prime, not
the rational elimination reporting uses), and must not pin down any non-zero one.
"""

from __future__ import annotations

import random
from collections import Counter, defaultdict
from collections.abc import Iterator, Mapping
from datetime import UTC, datetime, timedelta

import pytest

from samleng.reporting.domain.cases import CaseRecord, fold
from samleng.reporting.domain.desks import DESK_COLUMNS, DeskCount
from samleng.reporting.domain.figures import distribution, distribution_of
from samleng.reporting.domain.publication import PUBLIC_DIMENSIONS, build
from samleng.reporting.domain.suppression import SuppressedTable
from services.reporting.tests.integration import helpers
from services.reporting.tests.unit.fakes import CALENDAR

pytestmark = pytest.mark.unit

NOW = datetime(2026, 11, 23, 5, tzinfo=UTC)
PRIME = 2**61 - 1
Quantity = tuple[str, ...]
STATUSES = (
    "awaiting_routing",
    "in_progress",
    "resolved_awaiting_confirmation",
    "closed_confirmed",
    "closed_auto",
    "rejected",
    "withdrawn",
    "closed_no_reply",
)


def _records(n: int, seed: int) -> list[CaseRecord]:
    events, _ = helpers.generate(n, seed=seed)
    mine = defaultdict(list)
    for event in events:
        mine[event.complaint_id].append(event)
    return [fold(cid, evs) for cid, evs in mine.items()]


def _publish(records: list[CaseRecord], threshold: int) -> dict[str, SuppressedTable]:
    tables: dict[str, SuppressedTable] = {}
    carried: dict[str, int | None] = {}
    for year in (2025, 2026):
        publication = build(records, year, NOW, threshold, carried, CALENDAR)
        carried = publication.carried
        tables.update(publication.tables)
    return tables


# --- what the reader makes of the tables ---------------------------------------------------


def quantity(name: str, key: str, column: str) -> Quantity:
    """The figure behind one published cell, whichever table shows it."""
    kind, *middle, period, area = name.split("/")
    total = key == "total"
    if kind == "status":
        return ("area", period, area if total else key, column)
    if kind == "trend":
        flow = "first_resolved" if column == "resolved" else column
        return ("area", period if total else key, area, flow)
    if kind == "breakdown":
        if total:
            return ("area", period, area, column)
        return ("group", period, area, middle[0], key, column)
    if kind == "sla":
        return ("sla", period, "national" if total else key, column)
    if kind == "desks":  # the desks' values of the national channel breakdown, by month too
        figure = "open" if column == "in_progress" else column
        return ("group", period, "national", "channel", key, figure)
    if kind == "fees":
        return ("fees", period, "total" if total else key)
    if kind == "overall":
        return ("overall", period, "national" if total else key, column)
    if kind == "offices":
        return ("office", period, "total" if total else key, column)
    if kind == "monthly":
        return ("level", period, area, "total" if total else key, column)
    assert kind == "backlog", name
    return ("backlog", period, "total" if total else key, column)


def published(tables: Mapping[str, SuppressedTable]) -> dict[Quantity, float | None]:
    """Every figure the tables show (None: hidden); one figure shows the same everywhere."""
    seen: dict[Quantity, float | None] = {}
    for name, table in tables.items():
        for (key, column), value in table.cells.items():
            if column in STATISTICS:
                continue  # not counts: shown only beside shown counts, never summed
            q = quantity(name, key, column)
            assert seen.setdefault(q, value) == value, f"{q} shown as {seen[q]} and {value}"
    for name, table in tables.items():
        if len(table.rows) == 1:  # a table of one row is its own total
            for (_, column), value in table.cells.items():
                seen.setdefault(quantity(name, "total", column), value)
    return seen


#: Columns that are not counts (medians, percentiles, rates).
STATISTICS = frozenset({"median", "p90", "reopen_rate"})


def _sum(total: Quantity, parts: list[Quantity]) -> dict[Quantity, int]:
    equation = {total: 1}
    for part in parts:
        equation[part] = equation.get(part, 0) - 1
    return equation


def equations(tables: Mapping[str, SuppressedTable], known: set[Quantity]) -> Iterator[dict]:
    """Every sum the reader knows holds between the figures."""
    for name, table in tables.items():
        body = [k for k in table.rows if k != "total"]
        if len(table.rows) == 1:  # a table of one row is its own total
            for column in table.columns:
                total = quantity(name, "total", column)
                if total != quantity(name, body[0], column):
                    yield _sum(total, [quantity(name, body[0], column)])
        if "total" in table.rows:
            for column in (c for c in table.columns if c not in STATISTICS):
                yield _sum(
                    quantity(name, "total", column), [quantity(name, k, column) for k in body]
                )
    for q in known:
        if q[0] == "area" and q[3] == "received":
            yield _sum(q, [(*q[:3], s) for s in STATUSES])
            yield _sum((*q[:3], "open"), [(*q[:3], s) for s in STATUSES[:2]])
            yield _sum((*q[:3], "resolved"), [(*q[:3], s) for s in STATUSES[2:5]])
            if (*q[:3], "ended_otherwise") in known:  # shown with breakdowns, not districts
                yield _sum((*q[:3], "ended_otherwise"), [(*q[:3], s) for s in STATUSES[5:]])
        if q[0] == "group" and q[5] == "received":
            yield _sum(q, [(*q[:5], c) for c in ("open", "resolved", "ended_otherwise")])
        if q[0] == "group" and q[2] != "national":  # a province's share of the country's
            national = (q[0], q[1], "national", *q[3:])
            provinces = [p for p in known if p[:2] == q[:2] and p[3:] == q[3:]]
            yield _sum(national, [p for p in provinces if p[2] != "national"])
        if q[0] == "sla" and q[3] == "due":
            yield _sum(q, [(*q[:3], "met"), (*q[:3], "missed")])
        if q[0] == "backlog" and q[3] == "open_at_start":
            yield _sum(q, [(*q[:3], c) for c in ("resolved", "ended_otherwise", "still_open")])
            since = q[2]
            if since == "2025" and q[1] == "2026":
                yield _sum(q, [("area", "2025", "national", "open")])
            elif since != "total" and q[1] == "2026":
                yield _sum(q, [("backlog", "2025", since, "still_open")])
    yield from _promises(known)
    yield from _over_time(known)


def _promises(known: set[Quantity]) -> Iterator[dict]:
    """The overall deadline, offices and the monthly figures by level: sums within rows,
    provinces to the country, and the cells they repeat of the status tables."""
    for q in known:
        if q[0] in ("overall", "office") and q[3] == "due":
            kept = "within" if q[0] == "overall" else "met"
            yield _sum(q, [(*q[:3], kept), (*q[:3], "missed")])
        if q[0] == "level" and q[4] == "in_progress":
            yield _sum(q, [(*q[:4], "from_this_year"), (*q[:4], "carried_over")])
        if q[0] == "level" and q[3] == "total":
            period, area = q[1], q[2]
            if q[4] == "resolved":
                yield _sum(q, [("area", period, area, "first_resolved")])
            cohort = {"01": period, "03": f"{period[:4]}-Q1", "12": period[:4]}.get(period[5:])
            if q[4] == "from_this_year" and cohort:
                yield _sum(q, [("area", cohort, area, "open")])


def _over_time(known: set[Quantity]) -> Iterator[dict]:
    """Counts of what happened in a period: a quarter is its months, a year its quarters."""
    for q in known:
        flow = (
            (q[0] == "area" and q[3] in ("received", "first_resolved"))
            or (q[0] == "group" and q[5] == "received")
            or q[0] == "fees"
        )
        if not flow:
            continue
        period, rest = q[1], q[2:]
        if len(period) == 4:
            parts = [f"{period}-Q{n}" for n in range(1, 5)]
        elif "Q" in period:
            first = 3 * int(period[-1]) - 2
            parts = [f"{period[:4]}-{m:02d}" for m in range(first, first + 3)]
        else:
            continue
        cells = [c for c in ((q[0], p, *rest) for p in parts) if c in known]
        if cells:  # else not published at that grain (breakdowns are not, by month)
            yield _sum(q, cells)


def pinned_down(shown: dict[Quantity, float | None], eqs: Iterator[dict]) -> set[Quantity]:
    """Hidden figures whose value the equations fix (Gauss-Jordan modulo a prime). A
    figure no table shows is zero: its row is absent because nothing was counted."""
    pivots: dict[Quantity, dict[Quantity, int]] = {}
    for equation in eqs:
        row = {q: c % PRIME for q, c in equation.items() if shown.get(q, 0) is None}
        row = {q: c for q, c in row.items() if c}
        for q in [q for q in row if q in pivots]:
            if q in row:
                factor = row[q]
                for k, v in pivots[q].items():
                    row[k] = (row.get(k, 0) - factor * v) % PRIME
                    if not row[k]:
                        del row[k]
        if not row:
            continue
        lead = min(row)
        inverse = pow(row[lead], PRIME - 2, PRIME)
        row = {q: v * inverse % PRIME for q, v in row.items()}
        for other in pivots.values():
            if lead in other:
                factor = other[lead]
                for k, v in row.items():
                    other[k] = (other.get(k, 0) - factor * v) % PRIME
                    if not other[k]:
                        del other[k]
        pivots[lead] = row
    return {lead for lead, row in pivots.items() if len(row) == 1}


# --- the tests -------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def records() -> list[CaseRecord]:
    return _records(240, seed=11)


@pytest.fixture(scope="module")
def tables(records: list[CaseRecord]) -> dict[str, SuppressedTable]:
    return _publish(records, threshold=5)


def test_no_hidden_figure_follows_from_all_the_tables_together(
    records: list[CaseRecord], tables: dict[str, SuppressedTable]
) -> None:
    truth = published(_publish(records, threshold=1))  # k = 1 hides nothing
    shown = published(tables)
    assert set(shown) == set(truth)
    for q, value in shown.items():
        assert value is None or value == truth[q], q
        assert not 0 < (truth[q] or 0) < 5 or value is None, f"small figure shown: {q}"
    hidden = {q for q, v in shown.items() if v is None}
    assert len(hidden) > 100  # the data set has plenty to protect
    leaked = {q for q in pinned_down(shown, equations(tables, set(shown))) if truth[q]}
    assert not leaked, sorted(leaked)[:10]
    # and what is worth most stays readable: the country's years
    for year in ("2025", "2026"):
        for column in ("received", "open", "resolved"):
            figure = ("area", year, "national", column)
            assert shown[figure] == truth[figure], figure


def test_the_reader_finds_a_month_left_alone_beside_its_quarter() -> None:
    """The attack itself: the quarter and two months shown give the third month."""
    months = {f"2026-0{m}": m + 6 for m in (1, 2, 3)}
    tables = {
        f"trend/2026-Q1/{area}": SuppressedTable(
            (*months, "total"),
            ("received",),
            {**{(m, "received"): v for m, v in months.items()}, ("total", "received"): 24},
            frozenset(),
            frozenset(),
        )
        for area in ("national",)
    }
    hidden = {**published(tables), ("area", "2026-03", "national", "received"): None}
    found = pinned_down(hidden, equations(tables, set(hidden)))
    assert ("area", "2026-03", "national", "received") in found


def test_desk_figures_are_published_by_month_and_protected_with_the_rest(
    records: list[CaseRecord], tables: dict[str, SuppressedTable]
) -> None:
    """The monthly desk tables take part in the audit above; here: they exist for every
    month, name only desk channels, and agree with the quarter's channel breakdown."""
    months = [n for n in tables if n.startswith("desks/") and len(n.split("/")[1]) == 7]
    assert len(months) >= 20
    for name in months:
        assert set(tables[name].rows) <= {"counter", "hotline", "social_media"}
        assert tables[name].columns == DESK_COLUMNS
    truth = _publish(records, threshold=1)
    quarter = truth["breakdown/channel/2026-Q1/national"]
    for channel in ("counter", "hotline", "social_media"):
        by_month = sum(
            truth[f"desks/2026-0{m}/national"].cells.get((channel, "received")) or 0
            for m in (1, 2, 3)
            if f"desks/2026-0{m}/national" in truth
        )
        assert by_month == quarter.cells[(channel, "received")]


def test_public_dimensions_cover_every_breakdown_table(
    tables: dict[str, SuppressedTable],
) -> None:
    dimensions = {name.split("/")[1] for name in tables if name.startswith("breakdown/")}
    assert dimensions == set(PUBLIC_DIMENSIONS)
    periods = {name.split("/")[2] for name in tables if name.startswith("breakdown/")}
    assert periods == {"2025", "2026", *(f"{y}-Q{q}" for y in (2025, 2026) for q in range(1, 5))}
    assert not any(
        name.split("/")[-1].isdigit() and len(name.split("/")[-1]) == 4
        for name in tables
        if name.startswith("breakdown/")
    )  # no district


def _backlog_records() -> list[CaseRecord]:
    """12 cases of 2023 and 5 of 2024 still open on 1 January 2025, all ended in May."""

    def case(n: int, received: datetime, end: str) -> CaseRecord:
        ended = datetime(2025, 5, 15, 3, tzinfo=UTC)
        timeline = [(received, "awaiting_routing"), (received + timedelta(hours=1), "in_progress")]
        return CaseRecord(
            f"c{n}",
            received_at=received,
            province="12",
            district="1201",
            transitions=[*timeline, (ended, end)],
            resolutions=[ended] if end == "resolved" else [],
            status=end,
            last_event_at=ended,
        )

    old, last = datetime(2023, 6, 15, tzinfo=UTC), datetime(2024, 6, 15, tzinfo=UTC)
    ends = [(old, "rejected")] * 12 + [(last, "resolved")] * 4 + [(last, "rejected")]
    return [case(n, at, end) for n, (at, end) in enumerate(ends)]


def test_a_backlog_shown_last_year_is_shown_again() -> None:
    """Last year showed both carried cells: they are public, so this year's backlog shows
    them (and the build does not try to hide their total, which they fix)."""
    later = datetime(2026, 2, 1, tzinfo=UTC)
    backlog = build(_backlog_records(), 2025, later, 5, {"2023": 12, "2024": 5}, CALENDAR).tables[
        "backlog/2025/national"
    ]
    assert backlog.cells[("2023", "open_at_start")] == 12
    assert backlog.cells[("2024", "open_at_start")] == 5
    assert backlog.cells[("total", "open_at_start")] == 17


def test_a_backlog_hidden_last_year_stays_hidden() -> None:
    """Last year hid one carried cell: this year's whole "open at start" column is hidden,
    or its total minus last year's shown cells would give the hidden one."""
    later = datetime(2026, 2, 1, tzinfo=UTC)
    backlog = build(
        _backlog_records(), 2025, later, 5, {"2023": 12, "2024": None}, CALENDAR
    ).tables["backlog/2025/national"]
    assert all(backlog.cells[(row, "open_at_start")] is None for row in backlog.rows)


def test_desk_messages_are_cells_of_the_publication_a_month_cannot_be_recomputed_from(
    records: list[CaseRecord],
) -> None:
    """Messages received and dismissed sit beside the desks' cases; a month's small
    counts are hidden, and so is whatever would give them back (a quarter = its months)."""
    counts = [
        DeskCount(f"r{i}", "social_media", "received", datetime(2026, 1, 5, i, tzinfo=UTC))
        for i in range(9)
    ] + [
        DeskCount("r-feb", "social_media", "received", datetime(2026, 2, 5, tzinfo=UTC)),
        DeskCount("r-mar", "social_media", "received", datetime(2026, 3, 5, tzinfo=UTC)),
        DeskCount("r-mar2", "social_media", "received", datetime(2026, 3, 6, tzinfo=UTC)),
    ]
    counts += [
        DeskCount(f"d{i}", "social_media", "dismissed", datetime(2026, 1, 6, i, tzinfo=UTC), "spam")
        for i in range(6)
    ]
    publication = build(records, 2026, NOW, 5, {}, CALENDAR, counts)
    tables = publication.tables
    january = tables["desks/2026-01/national"]
    assert january.columns == DESK_COLUMNS
    assert january.cells[("social_media", "messages_received")] == 9
    assert january.cells[("social_media", "messages_dismissed")] == 6
    assert january.cells[("counter", "messages_received")] == 0  # no Page messages there
    february = tables["desks/2026-02/national"]
    assert february.cells[("social_media", "messages_received")] is None  # 1 < 5
    # February's 1 and March's 2 are hidden; the quarter (12) minus January (9) gives
    # only their sum
    quarter = tables["desks/2026-Q1/national"]
    assert quarter.cells[("social_media", "messages_received")] == 12
    march = tables["desks/2026-03/national"]
    assert march.cells[("social_media", "messages_received")] is None
    # with only February hidden, the quarter minus January would give it: one more hides
    alone = build(records, 2026, NOW, 5, {}, CALENDAR, counts[:10] + counts[12:])
    cells = [
        alone.tables[f"desks/{p}/national"].cells[("social_media", "messages_received")]
        for p in ("2026-01", "2026-02", "2026-Q1")
    ]
    assert cells[1] is None and None in (cells[0], cells[2])


def test_the_spread_of_counted_days_is_the_spread_of_the_days() -> None:
    rng = random.Random(5)  # noqa: S311 - test data
    for size in [0, 1, 2, 3, 4, 9, 10, 11, 100, 101, *(rng.randrange(1, 400) for _ in range(200))]:
        days = [rng.choice([1, 1, 2, 3, 5, 8, rng.randrange(1, 90)]) for _ in range(size)]
        spread = distribution_of(Counter(days))
        assert spread == distribution(days)
        assert [type(spread[k]) for k in spread] == [type(v) for v in distribution(days).values()]
