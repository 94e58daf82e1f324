"""What full detail may show one viewer: the conduct rule and person attributes."""

from __future__ import annotations

import itertools

import pytest

from samleng.common.auth import Principal, Role
from samleng.reporting.domain.cases import CaseRecord
from samleng.reporting.domain.disclosure import (
    PERSON_ATTRIBUTES,
    Disclosure,
    accused_among,
    disclosure_for,
    suppressed_person_rows,
)

pytestmark = pytest.mark.unit

COLUMNS = ("received", "open", "resolved", "ended_otherwise")


def _case(about: str | None, conduct: bool = True, commune: str = "170302") -> CaseRecord:
    return CaseRecord(
        "c",
        province=commune[:2],
        district=commune[:4],
        commune=commune,
        about_office_id=about,
        about_conduct=conduct,
    )


def test_a_named_office_never_sees_the_case_about_its_conduct_and_the_others_do() -> None:
    case = _case("commune:170302")
    assert accused_among(case, frozenset({"commune:170302"}))
    assert accused_among(case, frozenset({"owso:1703", "commune:170302"}))
    assert not accused_among(case, frozenset({"owso:1703"}))
    assert not accused_among(_case("commune:170302", conduct=False), frozenset({"commune:170302"}))


def test_without_a_named_office_every_office_serving_the_place_may_be_the_one_concerned() -> None:
    case = _case(None)
    for office in ("commune:170302", "owso:1703", "department:17:moh", "ministry:moh"):
        assert accused_among(case, frozenset({office})), office
    for office in ("district-ombudsman:1703", "provincial-ombudsman:17", "national:team"):
        assert not accused_among(case, frozenset({office})), office
    assert not accused_among(case, frozenset({"commune:120101", "owso:1201"}))  # elsewhere


def test_analysts_see_person_attributes_unsuppressed_and_officials_suppressed() -> None:
    rows = {"female": {"received": 1, "open": 1, "resolved": 0, "ended_otherwise": 0}}
    assert Disclosure().breakdown("gender", rows) == rows
    assert Disclosure(threshold=5).breakdown("channel", rows) == rows  # not a person's
    shown = Disclosure(threshold=5).breakdown("gender", rows)
    assert set(shown) == set(PERSON_ATTRIBUTES["gender"])
    assert shown["female"]["received"] is None


def test_analysts_get_person_attributes_unsuppressed_and_officials_do_not() -> None:
    analyst = Principal("a", frozenset({Role.NATIONAL_ANALYST}), frozenset())
    official = Principal("o", frozenset({Role.OFFICER}), frozenset({"commune:170302"}))
    assert disclosure_for(analyst, 5) == Disclosure()
    assert disclosure_for(official, 5) == Disclosure(frozenset({"commune:170302"}), 5)


@pytest.mark.parametrize("seed", range(30))
def test_no_hidden_cell_follows_from_the_public_totals(seed: int) -> None:
    """Every small cell is hidden and no row or column has exactly one hidden non-zero cell
    (it would follow from its total: the row's received, or the status row's figure)."""
    counts = itertools.cycle([0, 1, 2, 0, 7, 3, 0, 12, 4, 0, 1])
    for _ in range(seed):
        next(counts)
    rows: dict[str, dict[str, int]] = {}
    for value in PERSON_ATTRIBUTES["age_band"]:
        parts = {c: next(counts) for c in COLUMNS[1:]}
        rows[value] = {"received": sum(parts.values()), **parts}
    shown = suppressed_person_rows(rows, "age_band", 5)
    for key, row in shown.items():
        for column, cell in row.items():
            assert cell is None or cell == rows[key][column]
            assert cell is None or cell == 0 or cell >= 5
        hidden_here = [c for c, cell in row.items() if cell is None]
        assert len(hidden_here) != 1 or rows[key][hidden_here[0]] == 0
    for column in COLUMNS:
        hidden = [k for k in shown if shown[k][column] is None]
        assert len(hidden) != 1 or rows[hidden[0]][column] == 0
