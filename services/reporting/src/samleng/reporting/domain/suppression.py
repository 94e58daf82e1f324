"""Small-cell suppression with complementary suppression, audited by linear algebra. Pure.

A publication is a set of cells and the additive relations a reader knows hold between
them: a total is the sum of its parts (a column's total row, ``received`` as the sum of
the statuses, a province as the sum of its districts, a quarter as the sum of its months).
Cells are suppressed over the *whole* publication at once, so that tables sharing cells
or linked by sums (overlapping periods, an area and its parts) cannot be played against
each other.

1. Primary: every cell counting at least one and fewer than ``threshold`` cases is hidden.
2. Audit: with the shown cells known, the relations form linear equations in the hidden
   cells. A hidden cell is *recoverable* if some combination of the equations gives its
   exact value: its unit vector lies in the row space (exact integer elimination to
   reduced row echelon form, one connected group of hidden cells at a time).
3. Complementary: first, cheaply, no relation may keep exactly one hidden non-zero cell;
   then, while the audit finds a recoverable non-zero cell, hide one more cell linked to
   it by the relations (the nearest shown cells; of those the smallest, preferring
   non-zero cells that are not totals) and audit again. Hiding only grows, so this ends.

Suppressed cells are published as ``None`` (JSON ``null``, ``[c]`` in CSV). This protects
against exact recomputation from totals; it does not hide bounds (a hidden cell is >= 0).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from math import gcd
from typing import Any

Cell = tuple[str, str]  # (row, column)
Relation = tuple[Cell, tuple[Cell, ...]]  # total == sum(parts)
Equation = dict[Cell, int]

TOTAL_ROW = "total"


@dataclass(frozen=True)
class SuppressedTable:
    """A table ready to publish: suppressed cells are None. Cells are counts; a table may
    also carry statistics beside them (a median, a rate), hidden along with their counts."""

    rows: tuple[str, ...]
    columns: tuple[str, ...]
    cells: dict[Cell, float | None]
    primary: frozenset[Cell]
    complementary: frozenset[Cell]

    def row(self, name: str) -> dict[str, float | None]:
        """One row as a mapping of column to value (None when suppressed)."""
        return {column: self.cells[(name, column)] for column in self.columns}


@dataclass(frozen=True)
class Suppression:
    """Which cells of a publication are hidden, and why."""

    primary: frozenset[Cell]
    complementary: frozenset[Cell]

    @property
    def hidden(self) -> frozenset[Cell]:
        """Every suppressed cell."""
        return self.primary | self.complementary


class _Links:
    """The relations, indexed by the cells they contain."""

    def __init__(self, relations: Sequence[Relation], pinned: frozenset[Cell] = frozenset()):
        self.pinned = pinned
        self.relations = [(total, *parts) for total, parts in relations]
        self.signs = [(1, *(-1 for _ in parts)) for _, parts in relations]
        self.of_cell: dict[Cell, list[int]] = defaultdict(list)
        for index, cells in enumerate(self.relations):
            for cell in cells:
                self.of_cell[cell].append(index)

    def equations(self, hidden: set[Cell]) -> list[tuple[int, Equation]]:
        """The relations as equations in the hidden cells (those without one left out),
        each with the index of its relation."""
        touched = sorted({i for cell in hidden for i in self.of_cell.get(cell, ())})
        equations = []
        for index in touched:
            equation: Equation = {}
            for cell, sign in zip(self.relations[index], self.signs[index], strict=True):
                if cell in hidden:
                    equation[cell] = equation.get(cell, 0) + sign
            equation = {cell: v for cell, v in equation.items() if v}
            if equation:
                equations.append((index, equation))
        return equations

    def neighbours(self, cells: Iterable[Cell]) -> set[Cell]:
        """Every cell sharing a relation with one of ``cells``."""
        return {
            other
            for cell in cells
            for index in self.of_cell.get(cell, ())
            for other in self.relations[index]
        }


class _Audit:
    """Recoverable cells, worked out per connected group of hidden cells and remembered
    (hiding more cells leaves the groups it does not touch as they were)."""

    def __init__(self, links: _Links) -> None:
        self._links = links
        self._known: dict[frozenset[Cell], dict[Cell, frozenset[int]]] = {}

    def recoverable(self, hidden: set[Cell]) -> dict[Cell, frozenset[int]]:
        """Each recoverable cell, with the relations whose combination gives it away."""
        found: dict[Cell, frozenset[int]] = {}
        for group, numbered in _groups(self._links.equations(hidden)):
            if group not in self._known:
                indices = [index for index, _ in numbered]
                fixed = determined_by([equation for _, equation in numbered])
                self._known[group] = {
                    cell: frozenset(indices[i] for i in used) for cell, used in fixed.items()
                }
            found.update(self._known[group])
        return found


def _groups(
    equations: list[tuple[int, Equation]],
) -> list[tuple[frozenset[Cell], list[tuple[int, Equation]]]]:
    """Split the equations into groups that share no unknown."""
    parent: dict[Cell, Cell] = {}

    def root(cell: Cell) -> Cell:
        while parent.setdefault(cell, cell) != cell:
            parent[cell] = parent[parent[cell]]
            cell = parent[cell]
        return cell

    for _, equation in equations:
        first, *rest = equation
        for cell in rest:
            parent[root(cell)] = root(first)
    members: dict[Cell, set[Cell]] = defaultdict(set)
    grouped: dict[Cell, list[tuple[int, Equation]]] = defaultdict(list)
    for index, equation in equations:
        key = root(next(iter(equation)))
        members[key].update(equation)
        grouped[key].append((index, equation))
    return [(frozenset(members[key]), grouped[key]) for key in sorted(grouped)]


def determined_by(equations: Sequence[Equation]) -> dict[Cell, set[int]]:
    """Unknowns fixed by a homogeneous sparse system with integer coefficients, each with
    (a superset of) the equations, by position, whose combination fixes it.

    The rows are brought to reduced row echelon form (fraction-free: every step is exact
    integer arithmetic, rows kept divided by the gcd of their coefficients); an unknown is
    fixed exactly when some reduced row holds it alone (no pivot column occurs in another
    pivot row, so a combination giving a unit vector can only be that row itself)."""
    pivots: dict[Cell, Equation] = {}
    sources: dict[Cell, set[int]] = {}  # pivot -> the equations its row combines
    holders: dict[Cell, set[Cell]] = defaultdict(set)  # non-pivot cell -> pivot rows with it
    for position, equation in enumerate(equations):
        row = dict(equation)
        used = {position}
        for cell in [c for c in row if c in pivots]:  # pivot rows hold no other pivot
            if cell in row:
                _eliminate(row, pivots[cell], cell)
                used |= sources[cell]
        if not row:
            continue
        pivot = min(row, key=lambda c: (len(holders.get(c, ())), c))
        for other in sorted(holders.pop(pivot, ())):  # keep earlier pivot rows reduced
            reduced = pivots[other]
            before = set(reduced)
            _eliminate(reduced, row, pivot)
            sources[other] |= used
            for cell in before - set(reduced):
                holders[cell].discard(other)
            for cell in set(reduced) - before:
                holders[cell].add(other)
        holders.pop(pivot, None)
        pivots[pivot] = row
        sources[pivot] = used
        for cell in row:
            if cell != pivot:
                holders[cell].add(pivot)
    return {pivot: sources[pivot] for pivot, row in pivots.items() if len(row) == 1}


def _eliminate(row: Equation, other: Equation, cell: Cell) -> None:
    """Make ``row``'s coefficient of ``cell`` zero with a multiple of ``other``, in place:
    row := row * a - other * b, then divided by the gcd of what is left."""
    a, b = other[cell], row[cell]
    common = gcd(a, b)
    a, b = a // common, b // common
    if a != 1:
        for key in row:
            row[key] *= a
    for key, v in other.items():
        updated = row.get(key, 0) - v * b
        if updated:
            row[key] = updated
        else:
            row.pop(key, None)
    divisor = gcd(*row.values()) if row else 1
    if divisor > 1:
        for key in row:
            row[key] //= divisor


def suppress_cells(
    values: Mapping[Cell, int],
    relations: Sequence[Relation],
    threshold: int,
    *,
    forced: Iterable[Cell] = (),
    pinned: Iterable[Cell] = (),
    weight: Callable[[Cell], int],
) -> Suppression:
    """Hide small cells, then whatever would let them be recomputed from the relations.

    ``forced`` cells are hidden whatever their count and ``pinned`` ones are never chosen
    as complements: both are cells published elsewhere before, hidden or shown there.
    ``weight`` ranks how much a cell is worth showing (totals more than their parts);
    complements are the lightest cells first, then the smallest counts."""
    links = _Links(relations, _public(relations, set(pinned)))
    worth = weight

    def cost(cell: Cell) -> tuple[bool, int, int, Cell]:
        # Hide as little information as possible: non-zero cells of small worth first.
        value = values[cell]
        return (value == 0, worth(cell), value, cell)

    audit = _Audit(links)
    primary = {cell for cell, v in values.items() if 0 < v < threshold} | set(forced)
    hidden = set(primary)
    conceded: set[Cell] = set()
    while True:
        _no_lone_hidden_cell(values, hidden, links, cost)  # the cheap, common case first
        # A hidden zero that the relations pin to zero discloses nobody: only non-zero counts.
        exposed = {
            c: used
            for c, used in audit.recoverable(hidden).items()
            if values[c] and c not in conceded
        }
        if not exposed:
            break
        chosen: set[Cell] = set()
        for cell in sorted(exposed):
            # break the combination that gives it away: hide a shown cell of one of the
            # relations it uses (the nearest cells when there is none)
            candidates = {
                other
                for index in exposed[cell]
                for other in links.relations[index]
                if other not in hidden and other not in links.pinned
            } or _nearest_shown(cell, hidden, links)
            if not candidates:  # it follows from pinned cells alone: public already
                conceded.add(cell)
                continue
            if not candidates & chosen:  # one new hidden cell per exposed cell and round
                chosen.add(min(candidates, key=cost))
        hidden |= chosen
    return Suppression(frozenset(primary), frozenset(hidden - primary))


def table_of(
    rows: Sequence[str],
    columns: Sequence[str],
    values: Mapping[Cell, float | None],
    done: Suppression,
) -> SuppressedTable:
    """The cells of one table, as the publication's suppression left them."""
    hidden = done.hidden
    cells: dict[Cell, float | None] = {
        (r, c): (None if (r, c) in hidden else values[(r, c)]) for r in rows for c in columns
    }
    return SuppressedTable(
        tuple(rows),
        tuple(columns),
        cells,
        frozenset(c for c in cells if c in done.primary),
        frozenset(c for c in cells if c in done.complementary),
    )


def _no_lone_hidden_cell(
    values: Mapping[Cell, int], hidden: set[Cell], links: _Links, cost: Callable[[Cell], Any]
) -> None:
    """Hide more cells until no relation has exactly one hidden non-zero cell (which the
    relation alone would give away)."""
    pending = sorted({i for cell in hidden for i in links.of_cell.get(cell, ())})
    while pending:
        index = pending.pop()
        cells = links.relations[index]
        secret = [c for c in cells if c in hidden]
        if len(secret) == 1 and values[secret[0]]:
            shown = [c for c in cells if c not in hidden and c not in links.pinned]
            if shown:
                extra = min(shown, key=cost)
                hidden.add(extra)
                pending.extend(links.of_cell[extra])


def _nearest_shown(cell: Cell, hidden: set[Cell], links: _Links) -> set[Cell]:
    """Shown cells sharing a relation with ``cell``, or if there are none, with the hidden
    cells it is linked to, and so on outwards (the recoverable value flows along them)."""
    seen, frontier = {cell}, [cell]
    while frontier:
        linked = links.neighbours(frontier) - seen
        shown = {c for c in linked if c not in hidden and c not in links.pinned}
        if shown:
            return shown
        seen |= linked
        frontier = sorted(linked)
    return set()  # every linked cell is hidden or pinned


def _public(relations: Sequence[Relation], pinned: set[Cell]) -> frozenset[Cell]:
    """The pinned cells and every cell they fix on their own (a total of pinned cells)."""
    changed = bool(pinned)
    while changed:
        changed = False
        for total, parts in relations:
            loose = [c for c in (total, *parts) if c not in pinned]
            if len(loose) == 1:
                pinned.add(loose[0])
                changed = True
    return frozenset(pinned)
