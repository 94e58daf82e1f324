"""A small history with linked reports: three citizens report one pothole, a fourth another.

The office links two of the pothole reports to the first and unlinks one of them again,
then resolves the first (the linked one follows) and the other problem. So: 4 reports
received, 1 linked, 2 problems resolved (the pothole once, the other problem once).
"""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta

from samleng.common.events import (
    ActorRef,
    AssignedData,
    Category,
    ComplaintAssigned,
    ComplaintLinked,
    ComplaintResolved,
    ComplaintSubmitted,
    ComplaintUnlinked,
    Event,
    FeedbackKind,
    LinkedData,
    Location,
    OfficeActionData,
    OfficeRef,
    SubmittedData,
)

OFFICE = OfficeRef(
    office_id="commune:170201", level="commune", kind="commune_office", name_en="A", name_km="ក"
)
ACTOR = ActorRef(role="officer", office_id=OFFICE.office_id)
EXPECTED = {"reports_received": 4, "linked_reports": 1, "problems_resolved": 2}


def _case(at: datetime) -> list[Event]:
    complaint_id = str(uuid.uuid4())
    submitted = ComplaintSubmitted.first(
        complaint_id,
        producer="intake",
        occurred_at=at,
        data=SubmittedData(
            kind=FeedbackKind.COMPLAINT,
            category=Category.OTHER,
            location=Location(province_code="17", district_code="1702", commune_code="170201"),
        ),
    )
    assigned = ComplaintAssigned.caused_by(
        submitted,
        producer="routing",
        occurred_at=at + timedelta(minutes=1),
        data=AssignedData(
            office=OFFICE,
            rule="commune-office",
            explanation_en="e",
            explanation_km="ក",
            directory_version="v",
        ),
    )
    return [submitted, assigned]


def _next(history: list[Event], kind: type[Event], data: object, minutes: int) -> Event:
    last = history[-1]
    event = kind.after(
        last.complaint_id,
        last.sequence,
        producer="intake",
        data=data,
        correlation_id=last.complaint_id,
        occurred_at=last.occurred_at + timedelta(minutes=minutes),
    )
    history.append(event)
    return event


def linked_history(start: datetime) -> list[Event]:
    """The events of the four reports, in each one's order."""
    original, linked, unlinked, other = (_case(start + timedelta(hours=h)) for h in range(4))
    original_id = original[0].complaint_id
    link = LinkedData(office_id=OFFICE.office_id, actor=ACTOR, original_id=original_id)
    done = OfficeActionData(office_id=OFFICE.office_id, actor=ACTOR)
    _next(linked, ComplaintLinked, link, 10)
    _next(unlinked, ComplaintLinked, link, 10)
    _next(unlinked, ComplaintUnlinked, link, 20)
    for history in (original, linked, other):
        _next(history, ComplaintResolved, done, 60)
    return [*original, *linked, *unlinked, *other]
