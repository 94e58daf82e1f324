"""Who sees the full detail of which area: national analysts everything, officials the
areas of their offices and what lies inside them, ministries and admins nothing."""

from __future__ import annotations

import pytest

from samleng.common.auth import Principal, Role
from samleng.reporting.domain.cases import CaseRecord
from samleng.reporting.domain.figures import Area
from samleng.reporting.domain.scope import (
    WHOLE_COUNTRY,
    AreaRequired,
    InvalidArea,
    NoAreaToShow,
    OutsideScope,
    area_label,
    query_of,
    requested_area,
    scope_of,
    territory_of,
    within,
)

pytestmark = pytest.mark.unit

PROVINCE_17 = Area(province="17")
DISTRICT_1702 = Area(province="17", district="1702")
COMMUNE_170201 = Area(province="17", district="1702", commune="170201")


def user(*roles: Role, offices: tuple[str, ...] = ()) -> Principal:
    return Principal(subject="s-1", roles=frozenset(roles), offices=frozenset(offices))


@pytest.mark.parametrize(
    ("office_id", "area"),
    [
        ("commune:170201", COMMUNE_170201),
        ("commune-police:170201", COMMUNE_170201),
        ("district:1702", DISTRICT_1702),
        ("owso:1702", DISTRICT_1702),
        ("district-police:1702", DISTRICT_1702),
        ("district-ombudsman:1702", DISTRICT_1702),
        ("province:17", PROVINCE_17),
        ("owsu:17", PROVINCE_17),
        ("provincial-ombudsman:17", PROVINCE_17),
        ("department:17:moh", PROVINCE_17),
        ("national:moi-team", WHOLE_COUNTRY),
        ("ministry:moh", None),  # a ministry has no territory
        ("department:17", None),  # malformed: no ministry
        ("owso:17", None),  # a district office needs a 4-digit district
        ("commune:1702x1", None),
        ("embassy:17", None),  # a kind this service does not know
        ("national:", None),
    ],
)
def test_every_office_kind_of_the_directory_serves_its_area(
    office_id: str, area: Area | None
) -> None:
    assert territory_of(office_id) == area


def test_a_national_analyst_sees_any_area_and_gets_the_country_by_default() -> None:
    scope = scope_of(user(Role.NATIONAL_ANALYST))
    assert scope.choose(None) == WHOLE_COUNTRY
    assert scope.choose(COMMUNE_170201) == COMMUNE_170201
    assert scope.choose(Area(province="01")) == Area(province="01")


def test_a_district_official_sees_the_district_and_its_communes_only() -> None:
    scope = scope_of(user(Role.OFFICER, offices=("owso:1702",)))
    assert scope.choose(None) == DISTRICT_1702
    assert scope.choose(DISTRICT_1702) == DISTRICT_1702
    assert scope.choose(COMMUNE_170201) == COMMUNE_170201
    for outside in (Area(province="17", district="1701"), PROVINCE_17, WHOLE_COUNTRY):
        with pytest.raises(OutsideScope) as refused:
            scope.choose(outside)
        assert refused.value.allowed == (DISTRICT_1702,)


def test_a_province_official_sees_the_province_and_everything_in_it() -> None:
    scope = scope_of(user(Role.OMBUDSMAN, offices=("provincial-ombudsman:17",)))
    assert scope.choose(Area(province="17", district="1701")) == Area("17", "1701")
    assert scope.choose(COMMUNE_170201) == COMMUNE_170201
    with pytest.raises(OutsideScope):
        scope.choose(Area(province="12"))
    with pytest.raises(OutsideScope):
        scope.choose(Area(province="12", district="1217"))  # "17" inside, not a prefix


def test_a_commune_official_sees_only_the_commune() -> None:
    scope = scope_of(user(Role.OFFICE_HEAD, offices=("commune:170201",)))
    assert scope.choose(None) == COMMUNE_170201
    with pytest.raises(OutsideScope):
        scope.choose(DISTRICT_1702)
    with pytest.raises(OutsideScope):
        scope.choose(Area(province="17", district="1702", commune="170202"))


def test_several_areas_must_be_chosen_from_and_nested_ones_count_once() -> None:
    nested = scope_of(user(Role.OFFICER, offices=("commune:170201", "district:1702", "owso:1702")))
    assert nested.areas == (DISTRICT_1702,)
    assert nested.choose(None) == DISTRICT_1702
    two = scope_of(user(Role.OFFICER, offices=("commune:120101", "district:1702", "ministry:moh")))
    with pytest.raises(AreaRequired) as asked:
        two.choose(None)
    assert asked.value.allowed == (Area("12", "1201", "120101"), DISTRICT_1702)
    assert two.choose(Area("12", "1201", "120101")) == Area("12", "1201", "120101")
    assert two.choose(COMMUNE_170201) == COMMUNE_170201


def test_the_national_team_sees_the_whole_country() -> None:
    scope = scope_of(user(Role.OMBUDSMAN, offices=("national:moi-team", "owsu:17")))
    assert scope.areas == (WHOLE_COUNTRY,)
    assert scope.choose(Area(province="01")) == Area(province="01")


@pytest.mark.parametrize(
    "principal",
    [
        user(Role.MINISTRY_LIAISON, offices=("ministry:moh",)),
        user(Role.ADMIN),
        user(Role.ADMIN, offices=("owsu:17",)),  # administers the system, not its office's cases
        user(Role.OFFICER),  # an official without an office
    ],
)
def test_ministries_admins_and_officials_without_an_area_get_no_detail(
    principal: Principal,
) -> None:
    scope = scope_of(principal)
    assert scope.areas == ()
    for asked in (None, WHOLE_COUNTRY, PROVINCE_17):
        with pytest.raises(NoAreaToShow):
            scope.choose(asked)


def test_a_national_analyst_admin_is_still_a_national_analyst() -> None:
    assert scope_of(user(Role.ADMIN, Role.NATIONAL_ANALYST)).areas == (WHOLE_COUNTRY,)


def test_requested_codes_must_name_one_area() -> None:
    assert requested_area() is None
    assert requested_area(province="17") == PROVINCE_17
    assert requested_area(district="1702") == DISTRICT_1702
    assert requested_area(commune="170201") == COMMUNE_170201
    assert requested_area("17", "1702", "170201") == COMMUNE_170201
    assert requested_area(province="17", commune="170201") == COMMUNE_170201
    with pytest.raises(InvalidArea) as wrong:
        requested_area(district="1702", commune="120101")
    assert (wrong.value.inner, wrong.value.outer) == (("commune", "120101"), ("district", "1702"))
    with pytest.raises(InvalidArea, match="district 1201 is not in province 17"):
        requested_area(province="17", district="1201")
    with pytest.raises(InvalidArea, match="commune 120101 is not in province 17"):
        requested_area(province="17", commune="120101")


def test_a_commune_area_counts_only_that_communes_cases() -> None:
    here = CaseRecord("a", province="17", district="1702", commune="170201")
    next_door = CaseRecord("b", province="17", district="1702", commune="170202")
    assert COMMUNE_170201.contains(here) and not COMMUNE_170201.contains(next_door)
    assert DISTRICT_1702.contains(here) and DISTRICT_1702.contains(next_door)
    assert (COMMUNE_170201.code, DISTRICT_1702.code, WHOLE_COUNTRY.code) == ("170201", "1702", None)
    assert within(COMMUNE_170201, PROVINCE_17) and not within(PROVINCE_17, COMMUNE_170201)


def test_areas_are_named_and_asked_for_as_a_person_would() -> None:
    names = {"1702": {"en": "Angkor Thum", "km": "អង្គរធំ"}}
    assert area_label(DISTRICT_1702, names) == {
        "en": "district 1702 (Angkor Thum)",
        "km": "ស្រុក/ខណ្ឌ 1702 (អង្គរធំ)",
    }
    assert area_label(COMMUNE_170201, names)["en"] == "commune 170201"
    assert area_label(WHOLE_COUNTRY, names)["en"] == "the whole country"
    assert query_of(COMMUNE_170201) == {"commune": "170201"}
    assert query_of(PROVINCE_17) == {"province": "17"}
    assert query_of(WHOLE_COUNTRY) == {}
