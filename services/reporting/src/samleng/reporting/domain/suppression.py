"""Small-cell suppression with complementary suppression, audited by linear algebra. Pure.

A published table is a set of cells and the additive relations a reader knows hold between
them (a total row is the sum of the rows; ``received`` is the sum of the status columns).

1. Primary: every cell counting at least one and fewer than ``threshold`` cases is hidden.
2. Audit: with the shown cells known, the relations form linear equations in the hidden
   cells. A hidden cell is *recoverable* if some combination of the equations gives its
   exact value (its unit vector lies in the row space; exact rational elimination).
3. Complementary: first, cheaply, no relation may keep exactly one hidden non-zero cell;
   then, while the audit finds a recoverable non-zero cell, hide one more cell linked to
   it by the relations (the nearest shown cells; of those the smallest, preferring
   non-zero cells that are not totals) and audit again. Hiding only grows, so this ends.

Suppressed cells are published as ``None`` (JSON ``null``, ``[c]`` in CSV). This protects
against exact recomputation from totals; it does not hide bounds (a hidden cell is >= 0).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from fractions import Fraction

Cell = tuple[str, str]  # (row, column)
Relation = tuple[Cell, tuple[Cell, ...]]  # total == sum(parts)

TOTAL_ROW = "total"


@dataclass(frozen=True)
class SuppressedTable:
    """A table ready to publish: suppressed cells are None."""

    rows: tuple[str, ...]
    columns: tuple[str, ...]
    cells: dict[Cell, int | None]
    primary: frozenset[Cell]
    complementary: frozenset[Cell]

    def row(self, name: str) -> dict[str, int | None]:
        """One row as a mapping of column to value (None when suppressed)."""
        return {column: self.cells[(name, column)] for column in self.columns}


def additive_relations(
    rows: Sequence[str],
    columns: Sequence[str],
    column_sums: Sequence[tuple[str, Sequence[str]]] = (),
) -> list[Relation]:
    """Relations of a table with a total row: each column's total, and within every row,
    each ``(column, parts)`` of ``column_sums`` (a column that is the sum of others)."""
    body = [r for r in rows if r != TOTAL_ROW]
    relations: list[Relation] = []
    if TOTAL_ROW in rows:
        for column in columns:
            relations.append(((TOTAL_ROW, column), tuple((r, column) for r in body)))
    for row in rows:
        for total, parts in column_sums:
            relations.append(((row, total), tuple((row, p) for p in parts)))
    return relations


def recoverable(
    values: Mapping[Cell, int], hidden: set[Cell], relations: Sequence[Relation]
) -> set[Cell]:
    """The hidden cells whose exact value follows from the shown cells and the relations."""
    equations: list[dict[Cell, Fraction]] = []
    for total, parts in relations:
        equation: dict[Cell, Fraction] = {}
        for cell, sign in ((total, 1), *((p, -1) for p in parts)):
            if cell in hidden:
                equation[cell] = equation.get(cell, Fraction(0)) + sign
        equation = {cell: v for cell, v in equation.items() if v}
        if equation:
            equations.append(equation)
    return _determined(equations)


def _determined(equations: list[dict[Cell, Fraction]]) -> set[Cell]:
    """Unknowns fixed by a homogeneous sparse system: reduced rows with a single entry."""
    rows = [dict(eq) for eq in equations]
    pivot_rows: list[tuple[Cell, dict[Cell, Fraction]]] = []
    while rows:
        row = rows.pop()
        for pivot, reduced in pivot_rows:  # reduce the new row by the pivots found so far
            if pivot in row:
                _subtract(row, reduced, row[pivot])
        if not row:
            continue
        pivot = min(row)
        lead = row[pivot]
        row = {cell: v / lead for cell, v in row.items()}
        for _, reduced in pivot_rows:  # keep earlier pivot rows fully reduced
            if pivot in reduced:
                _subtract(reduced, row, reduced[pivot])
        pivot_rows.append((pivot, row))
    return {pivot for pivot, row in pivot_rows if len(row) == 1}


def _subtract(row: dict[Cell, Fraction], other: dict[Cell, Fraction], factor: Fraction) -> None:
    for cell, v in other.items():
        updated = row.get(cell, Fraction(0)) - factor * v
        if updated:
            row[cell] = updated
        else:
            row.pop(cell, None)


def suppress(
    rows: Sequence[str],
    columns: Sequence[str],
    values: Mapping[Cell, int],
    relations: Sequence[Relation],
    threshold: int,
) -> SuppressedTable:
    """Hide small cells, then whatever would let them be recomputed from the relations."""
    primary = {cell for cell, v in values.items() if 0 < v < threshold}
    hidden = set(primary)
    while True:
        _no_lone_hidden_cell(values, hidden, relations)  # the cheap, common case first
        # A hidden zero that the relations pin to zero discloses nobody: only non-zero counts.
        exposed = {c for c in recoverable(values, hidden, relations) if values[c]}
        if not exposed:
            break
        chosen: set[Cell] = set()
        for cell in sorted(exposed):
            candidates = _nearest_shown(cell, hidden, relations)
            if not candidates & chosen:  # one new hidden cell per exposed cell and round
                chosen.add(min(candidates, key=lambda c: _cost(c, values)))
        hidden |= chosen
    cells: dict[Cell, int | None] = {
        (r, c): (None if (r, c) in hidden else values[(r, c)]) for r in rows for c in columns
    }
    return SuppressedTable(
        tuple(rows), tuple(columns), cells, frozenset(primary), frozenset(hidden - primary)
    )


def _no_lone_hidden_cell(
    values: Mapping[Cell, int], hidden: set[Cell], relations: Sequence[Relation]
) -> None:
    """Hide more cells until no relation has exactly one hidden non-zero cell (which the
    relation alone would give away)."""
    changed = True
    while changed:
        changed = False
        for total, parts in relations:
            cells = (total, *parts)
            secret = [c for c in cells if c in hidden]
            if len(secret) == 1 and values[secret[0]]:
                shown = [c for c in cells if c not in hidden]
                if shown:
                    hidden.add(min(shown, key=lambda c: _cost(c, values)))
                    changed = True


def _nearest_shown(cell: Cell, hidden: set[Cell], relations: Sequence[Relation]) -> set[Cell]:
    """Shown cells sharing a relation with ``cell``, or if there are none, with the hidden
    cells it is linked to, and so on outwards (the recoverable value flows along them)."""
    seen, frontier = {cell}, [cell]
    while frontier:
        linked = {
            other
            for current in frontier
            for total, parts in relations
            if current in (total, *parts)
            for other in (total, *parts)
        } - seen
        shown = {c for c in linked if c not in hidden}
        if shown:
            return shown
        seen |= linked
        frontier = sorted(linked)
    raise AssertionError(f"no cell left to hide next to {cell}")  # everything is hidden


def _cost(cell: Cell, values: Mapping[Cell, int]) -> tuple[bool, bool, int, Cell]:
    # Hide as little information as possible: non-zero body cells with small counts first.
    value = values[cell]
    return (value == 0, cell[0] == TOTAL_ROW, value, cell)
