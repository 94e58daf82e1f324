"""Directory versions as data: validation says what to fix; diffs say what changes."""

import pytest
from pydantic import ValidationError

from samleng.common.reference import service_catalogue
from samleng.routing.adapters.directory import bundled_spec, compile_spec
from samleng.routing.adapters.gazetteer import ATTRIBUTION, gazetteer_areas
from samleng.routing.domain.spec import (
    DirectorySpec,
    InvalidDirectory,
    compile_directory,
    diff_directories,
)

pytestmark = pytest.mark.unit


def edited(**changes: object) -> DirectorySpec:
    return DirectorySpec.model_validate({**bundled_spec().model_dump(mode="json"), **changes})


def test_the_bundled_pilot_covers_every_area_and_keeps_the_attribution() -> None:
    spec = bundled_spec()
    directory = compile_spec(spec)
    assert len({a.province_code for a in directory.areas.values()}) == 25
    assert len(directory.areas) > 1600
    assert "data.mef.gov.kh" in spec.attribution and "data.mef.gov.kh" in ATTRIBUTION
    office = directory.offices["district-ombudsman:1702"]
    assert office.name_en == "Angkor Thum district ombudsman" and "អង្គរធំ" in office.name_km


def test_invalid_versions_are_refused_with_every_problem_named() -> None:
    bad = edited(
        version="x-1",
        served_provinces=["17", "99"],
        provincial_departments=["moh", "mars"],
        offices=[{"office_id": "extra:1", "level": "province", "kind": "k",
                  "name_en": "e", "name_km": "k", "ministry": "venus"}],
    )  # fmt: skip
    with pytest.raises(InvalidDirectory) as refused:
        compile_directory(bad, gazetteer_areas(), service_catalogue().ministries)
    for problem in ("'99' is not in the gazetteer", "unknown ministry 'mars'", "'venus'"):
        assert problem in str(refused.value)
    with pytest.raises(ValidationError, match="twice"):
        edited(served_provinces=["17", "17"])
    with pytest.raises(ValidationError, match="resolve_working_days"):
        edited(sla={"default": {"resolve_working_days": -1}})


def test_an_added_office_replaces_the_generated_one_and_the_diff_shows_it() -> None:
    renamed = {
        "office_id": "owso:1702", "level": "district", "kind": "owso",
        "name_en": "Angkor Thom OWSO (new building)", "name_km": "ការិយាល័យច្រកចេញចូលតែមួយ អង្គរធំ",
        "ministry": "moi", "province_code": "17", "district_code": "1702",
    }  # fmt: skip
    old = compile_spec(bundled_spec())
    new = compile_spec(edited(version="v2", served_provinces=["17"], offices=[renamed]))
    assert new.offices["owso:1702"].name_en == "Angkor Thom OWSO (new building)"
    diff = diff_directories(old, new)
    assert diff["offices_changed"] == ["owso:1702"]
    assert diff["provinces_switched_off"] == ["01", "02", "03", "04", "05", "06", "07", "14", "21"]
    assert diff["provinces_switched_on"] == [] and diff["sla_changed"] is False


def test_single_offices_and_communes_are_checked_and_the_diff_names_them() -> None:
    with pytest.raises(ValidationError, match="nothing is switched on"):
        edited(served_provinces=[])
    with pytest.raises(ValidationError, match="served_communes lists an entry twice"):
        edited(served_communes=["170201", "170201"])
    bad = edited(served_provinces=[], served_offices=["owso:9999"], served_communes=["999999"])
    with pytest.raises(InvalidDirectory) as refused:
        compile_directory(bad, gazetteer_areas(), service_catalogue().ministries)
    assert "served office 'owso:9999' is not in the directory" in str(refused.value)
    assert "served commune '999999' is not in the gazetteer" in str(refused.value)
    old = compile_spec(bundled_spec())
    footprint = compile_spec(bundled_spec("our-voice-pilot.json"))
    diff = diff_directories(old, footprint)
    assert len(diff["provinces_switched_off"]) == 10
    assert len(diff["communes_switched_on"]) == 30
    assert sum(o.startswith("owsu:") for o in diff["offices_switched_on"]) == 3
    assert sum(o.startswith("owso:") for o in diff["offices_switched_on"]) == 8


def test_the_footprint_is_marked_illustrative_and_spans_the_ten_pilot_provinces() -> None:
    spec = bundled_spec("our-voice-pilot.json")
    assert spec.description.startswith("ILLUSTRATIVE")
    directory = compile_spec(spec)
    provinces = {directory.areas[c].province_code for c in directory.served_communes}
    assert provinces == set(bundled_spec().served_provinces)
    assert directory.serves_office(directory.offices["commune:170201"])
    assert not directory.serves_office(directory.offices["commune:170203"])
    assert directory.serves_office(directory.offices["district-ombudsman:1702"])
    assert directory.serves_office(directory.national_team)
