"""Small cells are hidden, and no hidden cell can be recomputed from what is shown."""

from __future__ import annotations

import random
from collections.abc import Mapping, Sequence

import pytest

from samleng.reporting.domain.suppression import (
    TOTAL_ROW,
    Cell,
    Relation,
    SuppressedTable,
    suppress_cells,
    table_of,
)
from services.reporting.tests.integration.expected import recover, table_equations

pytestmark = pytest.mark.unit


def additive_relations(
    rows: Sequence[str], columns: Sequence[str], sums: Sequence[tuple[str, Sequence[str]]] = ()
) -> list[Relation]:
    """One table's known sums: each column's total row, and the columns summing others."""
    body = [r for r in rows if r != TOTAL_ROW]
    relations: list[Relation] = []
    if TOTAL_ROW in rows:
        relations += [((TOTAL_ROW, c), tuple((r, c) for r in body)) for c in columns]
    for row in rows:
        relations += [((row, total), tuple((row, p) for p in parts)) for total, parts in sums]
    return relations


def suppress(
    rows: Sequence[str],
    columns: Sequence[str],
    values: Mapping[Cell, int],
    relations: Sequence[Relation],
    threshold: int,
) -> SuppressedTable:
    """One table on its own, its total row worth more than the body."""
    done = suppress_cells(values, relations, threshold, weight=lambda c: c[0] == TOTAL_ROW)
    return table_of(rows, columns, values, done)


COLUMNS = ("received", "a", "b", "c", "open")
SUMS = (("received", ("a", "b", "c")), ("open", ("a", "b")))


def _table(rng: random.Random, n_rows: int) -> tuple[list[str], dict[tuple[str, str], int]]:
    rows = [f"r{i}" for i in range(n_rows)]
    values: dict[tuple[str, str], int] = {}
    for row in rows:
        a, b, c = (rng.choice([0, 1, 2, 3, 6, 9, 14, 30]) for _ in range(3))
        values.update({(row, "a"): a, (row, "b"): b, (row, "c"): c})
        values[(row, "received")] = a + b + c
        values[(row, "open")] = a + b
    for column in COLUMNS:
        values[(TOTAL_ROW, column)] = sum(values[(r, column)] for r in rows)
    return [*rows, TOTAL_ROW], values


def _attack(shown: dict[tuple[str, str], float | None], rows: list[str]) -> dict:
    """What a reader can work out from the table's known sums (independent elimination)."""
    sums = [(total, list(parts)) for total, parts in SUMS]
    return recover(shown, table_equations(rows, list(COLUMNS), sums))


@pytest.mark.parametrize("seed", range(25))
def test_no_small_cell_shows_and_none_can_be_recomputed(seed: int) -> None:
    rng = random.Random(seed)  # noqa: S311 - reproducible tables
    rows, values = _table(rng, rng.randint(2, 7))
    relations = additive_relations(rows, COLUMNS, SUMS)
    table = suppress(rows, COLUMNS, values, relations, threshold=5)
    for cell, value in values.items():
        if 0 < value < 5:
            assert table.cells[cell] is None, cell
        elif cell not in table.complementary:
            assert table.cells[cell] == value
    recovered = _attack(table.cells, rows)
    leaked = {c: v for c, v in recovered.items() if values[c] != 0}
    assert not leaked, f"recomputable from totals: {leaked}"


def test_a_lone_small_cell_gets_a_complement_in_its_row_and_column() -> None:
    rows = ["x", "y", TOTAL_ROW]
    values = {
        ("x", "n"): 3,
        ("y", "n"): 20,
        (TOTAL_ROW, "n"): 23,
    }
    table = suppress(rows, ("n",), values, additive_relations(rows, ("n",)), threshold=5)
    assert table.cells[("x", "n")] is None
    assert table.complementary == {("y", "n")}  # the smallest body cell, not the total
    assert table.cells[(TOTAL_ROW, "n")] == 23


def test_threshold_is_configurable() -> None:
    rows = ["x", "y", TOTAL_ROW]
    values = {("x", "n"): 7, ("y", "n"): 20, (TOTAL_ROW, "n"): 27}
    relations = additive_relations(rows, ("n",))
    assert suppress(rows, ("n",), values, relations, threshold=5).cells[("x", "n")] == 7
    assert suppress(rows, ("n",), values, relations, threshold=10).cells[("x", "n")] is None


def test_cells_published_before_stay_as_they_were() -> None:
    """A cell hidden in an earlier publication is hidden again (forced); one shown there is
    never taken as a complement (pinned), so the complement comes from elsewhere."""
    rows = ["x", "y", "z", TOTAL_ROW]
    values = {("x", "n"): 3, ("y", "n"): 20, ("z", "n"): 30, (TOTAL_ROW, "n"): 53}
    relations = additive_relations(rows, ("n",))
    done = suppress_cells(values, relations, 5, pinned=[("y", "n")], weight=lambda c: 0)
    assert done.primary == {("x", "n")} and done.complementary == {("z", "n")}
    forced = suppress_cells(
        values, relations, 5, forced=[("y", "n")], pinned=[("z", "n")], weight=lambda c: 0
    )
    assert ("y", "n") in forced.hidden and ("z", "n") not in forced.hidden
