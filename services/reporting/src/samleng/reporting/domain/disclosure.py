"""What full detail may show one viewer (issue #13 item 1). Pure: no I/O.

- **Conduct rule.** A complaint about the conduct of an office's own officials is never
  shown to that office: not in its own area, nor in any larger area its officials may see.
  The office concerned is the one the citizen named; when none was named, routing took the
  office that provides the service in that place, which reporting cannot tell apart from
  the other offices serving the place, so the case is left out for every one of them
  (the ombudsmen and the national team, who judge such cases, still see it).
- **Person attributes.** An official's detail shows a breakdown by a person's attribute
  (self-declared gender and age band) with every value listed and small cells suppressed,
  with their complements, as the public tables are: its totals are public (the status
  row), so a lone hidden cell would follow from them. National analysts keep the
  unsuppressed figures.

    disclosure = Disclosure(offices=principal.offices, threshold=5)
    cases = [r for r in records if disclosure.shows(r)]
    rows = disclosure.breakdown("gender", figures.breakdown(cases, "gender", period, now))
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from samleng.common.auth import Principal, Role
from samleng.common.events import AgeBand, Gender
from samleng.reporting.domain.cases import CaseRecord
from samleng.reporting.domain.scope import territory_of
from samleng.reporting.domain.suppression import TOTAL_ROW, Cell, Relation, suppress_cells

#: Breakdowns by an attribute of the person who filed, with every value they can take.
PERSON_ATTRIBUTES: dict[str, tuple[str, ...]] = {
    "gender": (*(g.value for g in Gender), "unknown"),
    "age_band": (*(a.value for a in AgeBand), "unknown"),
}

#: Offices that judge conduct complaints; routing never takes one as the office concerned.
_JUDGES = frozenset({"district-ombudsman", "provincial-ombudsman", "national"})
_COLUMNS = ("received", "open", "resolved", "ended_otherwise")
_PARTS = ("open", "resolved", "ended_otherwise")


def accused_among(record: CaseRecord, offices: frozenset[str]) -> bool:
    """True when the case is (or may be) about the conduct of one of these offices."""
    if not record.about_conduct:
        return False
    if record.about_office_id is not None:
        return record.about_office_id in offices
    return any(_may_be_concerned(office, record) for office in offices)


def _may_be_concerned(office_id: str, record: CaseRecord) -> bool:
    if office_id.partition(":")[0] in _JUDGES:
        return False
    territory = territory_of(office_id)
    # an office without territory (a ministry) may provide the service anywhere
    return territory is None or territory.contains(record)


def suppressed_person_rows(
    rows: Mapping[str, Mapping[str, int]], dimension: str, threshold: int
) -> dict[str, dict[str, int | None]]:
    """A breakdown by a person's attribute with every value listed (a missing row would
    say who is not there) and its small cells, and the complements that would give them
    away, hidden (None)."""
    keys = (*PERSON_ATTRIBUTES[dimension], *sorted(set(rows) - set(PERSON_ATTRIBUTES[dimension])))
    values: dict[Cell, int] = {(k, c): rows.get(k, {}).get(c, 0) for k in keys for c in _COLUMNS}
    # The totals are public (the status row): the suppression must take them as shown, so
    # they get a value it never hides, and are pinned (never chosen as a complement).
    totals = [(TOTAL_ROW, c) for c in _COLUMNS]
    values.update(dict.fromkeys(totals, threshold))
    relations: list[Relation] = [
        ((k, "received"), tuple((k, part) for part in _PARTS)) for k in (*keys, TOTAL_ROW)
    ]
    relations += [((TOTAL_ROW, c), tuple((k, c) for k in keys)) for c in _COLUMNS]
    done = suppress_cells(values, relations, threshold, pinned=totals, weight=lambda cell: 1)
    return {
        k: {c: None if (k, c) in done.hidden else values[(k, c)] for c in _COLUMNS} for k in keys
    }


@dataclass(frozen=True)
class Disclosure:
    """What full detail may show one viewer."""

    #: the viewer's offices: cases about their conduct are left out
    offices: frozenset[str] = frozenset()
    #: person attributes are suppressed under this many cases (None: shown unsuppressed)
    threshold: int | None = None

    def shows(self, record: CaseRecord) -> bool:
        """True if the case may count in this viewer's figures."""
        return not accused_among(record, self.offices)

    def breakdown(
        self, dimension: str, rows: dict[str, dict[str, int]]
    ) -> dict[str, dict[str, int]] | dict[str, dict[str, int | None]]:
        """The breakdown as this viewer may see it."""
        if self.threshold is None or dimension not in PERSON_ATTRIBUTES:
            return rows
        return suppressed_person_rows(rows, dimension, self.threshold)


#: Every case, every figure unsuppressed: what a rebuild or a test compares.
UNRESTRICTED = Disclosure()


def disclosure_for(principal: Principal, threshold: int) -> Disclosure:
    """What this signed-in user's detail may show: nobody sees the complaints about the
    conduct of their own offices; national analysts see person attributes unsuppressed."""
    analyst = principal.has(Role.NATIONAL_ANALYST)
    return Disclosure(offices=principal.offices, threshold=None if analyst else threshold)
