import json
import uuid

import pytest

from samleng.common.events import (
    AssignedData,
    Category,
    ComplaintAssigned,
    ComplaintSubmitted,
    FeedbackKind,
    InvalidEvent,
    Location,
    OfficeRef,
    SubmittedData,
    parse_event,
)

pytestmark = pytest.mark.unit

LOCATION = Location(province_code="17", district_code="1702", commune_code="170201")


def submitted() -> ComplaintSubmitted:
    return ComplaintSubmitted.first(
        "c-1",
        producer="intake",
        data=SubmittedData(
            kind=FeedbackKind.COMPLAINT, category=Category.EXTRA_FEE, location=LOCATION
        ),
    )


def assigned_data() -> AssignedData:
    office = OfficeRef(
        office_id="commune:170201", level="commune", kind="commune_office", name_en="x", name_km="y"
    )
    return AssignedData(
        office=office, rule="r", explanation_en="e", explanation_km="k", directory_version="v"
    )


def test_round_trip_through_the_wire() -> None:
    event = submitted()
    assert parse_event(event.to_json_bytes()) == event
    assert event.routing_key == "complaint.submitted.v1"


def test_derived_events_have_stable_ids_and_the_next_sequence() -> None:
    cause = submitted()
    a = ComplaintAssigned.caused_by(cause, producer="routing", data=assigned_data())
    b = ComplaintAssigned.caused_by(cause, producer="routing", data=assigned_data())
    assert a.event_id == b.event_id
    assert a.sequence == cause.sequence + 1
    assert a.correlation_id == cause.correlation_id


def test_events_are_frozen() -> None:
    with pytest.raises(Exception, match="frozen"):
        submitted().sequence = 3  # type: ignore[misc]


def test_fields_added_later_are_tolerated() -> None:
    raw = json.loads(submitted().to_json_bytes())
    raw["data"]["added_in_a_later_release"] = True
    assert isinstance(parse_event(raw), ComplaintSubmitted)


@pytest.mark.parametrize(
    ("body", "reason"),
    [
        (b"\xff\xfe", "not UTF-8 JSON"),
        (b"[1, 2]", "JSON object"),
        (b'{"type": "complaint.submitted"}', "integer 'version'"),
        (b'{"type": "complaint.exploded", "version": 1}', "unknown event type"),
    ],
)
def test_bad_bodies_say_what_is_wrong(body: bytes, reason: str) -> None:
    with pytest.raises(InvalidEvent, match=reason):
        parse_event(body)


def test_invalid_field_is_named() -> None:
    raw = json.loads(submitted().to_json_bytes())
    raw["data"]["location"]["commune_code"] = "abc"
    raw["event_id"] = str(uuid.uuid4())
    with pytest.raises(InvalidEvent, match=r"data\.location\.commune_code"):
        parse_event(raw)
