import pytest

from samleng.common.events import (
    Category,
    ComplaintAssigned,
    ComplaintSubmitted,
    FeedbackKind,
    Location,
    SubmittedData,
)
from samleng.routing.adapters.directory import NATIONAL_TEAM, gazetteer_directory
from samleng.routing.handlers import on_submitted

pytestmark = pytest.mark.unit


def submitted(commune: str) -> ComplaintSubmitted:
    location = Location(province_code=commune[:2], district_code=commune[:4], commune_code=commune)
    data = SubmittedData(kind=FeedbackKind.COMPLAINT, category=Category.DELAY, location=location)
    return ComplaintSubmitted.first("c-1", producer="intake", data=data)


def test_directory_covers_every_commune_of_the_gazetteer() -> None:
    directory = gazetteer_directory()
    assert len(directory.commune_offices) > 1600
    assert directory.commune_office("170201") is not None


def test_a_case_goes_to_its_commune_office_with_an_explanation() -> None:
    event = on_submitted(submitted("170201"), gazetteer_directory())
    assert isinstance(event, ComplaintAssigned)
    assert event.data.office.office_id == "commune:170201"
    assert event.data.rule == "commune-office"
    assert event.data.directory_version == gazetteer_directory().version
    assert event.sequence == 2


def test_a_commune_without_an_office_goes_to_the_national_team() -> None:
    event = on_submitted(submitted("999999"), gazetteer_directory())
    assert event.data.office.office_id == NATIONAL_TEAM.office_id
    assert event.data.rule == "no-local-office"


def test_deciding_twice_gives_the_same_event() -> None:
    cause = submitted("170201")
    a = on_submitted(cause, gazetteer_directory())
    b = on_submitted(cause, gazetteer_directory())
    assert a.event_id == b.event_id and a.data == b.data
