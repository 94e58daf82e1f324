"""Case lives with routing's deadlines, for reporting's tests: a deadline missed before an
escalation (with a refused move on the way), and a question never answered (the clock
paused, the case closed as no_reply)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta

from samleng.common.events import (
    AssignedData,
    Category,
    ClosedData,
    ComplaintAssigned,
    ComplaintClosed,
    ComplaintEscalated,
    ComplaintResolved,
    ComplaintSubmitted,
    Deadlines,
    DeadlinesChanged,
    DeadlinesChangedData,
    EscalatedData,
    Event,
    FeedbackKind,
    InformationRequested,
    Location,
    MoveRefusedData,
    MoveRequestRefused,
    OfficeActionData,
    OfficeRef,
    SubmittedData,
)
from services.reporting.tests.unit.fakes import CALENDAR

MONDAY = datetime(2026, 3, 2, 3, tzinfo=UTC)  # 10:00 in Phnom Penh
COMMUNE = OfficeRef(
    office_id="commune:120101", level="commune", kind="commune_office", name_en="C", name_km="ឃ"
)
OMBUDSMAN = OfficeRef(
    office_id="district-ombudsman:1201",
    level="district",
    kind="district_ombudsman",
    name_en="O",
    name_km="អ",
)


def _submitted(complaint_id: str) -> ComplaintSubmitted:
    data = SubmittedData(
        kind=FeedbackKind.COMPLAINT,
        category=Category.DELAY,
        location=Location(province_code="12", district_code="1201", commune_code="120101"),
    )
    return ComplaintSubmitted.first(complaint_id, producer="intake", data=data, occurred_at=MONDAY)


def _deadlines(since: datetime, days: int) -> Deadlines:
    return Deadlines(
        resolve_by=CALENDAR.deadline(since, days), overall_by=CALENDAR.deadline(MONDAY, 20)
    )


def _assigned_at(
    complaint_id: str, at: datetime, days: int
) -> tuple[list[Event], Callable[[type[Event], object, datetime], None]]:
    """A submission and its assignment to the commune office with ``days`` to resolve, and
    a function that adds the next event of the case."""
    chain: list[Event] = [_submitted(complaint_id)]

    def then(cls: type[Event], data: object, when: datetime) -> None:
        chain.append(cls.caused_by(chain[-1], producer="routing", data=data, occurred_at=when))

    assigned = AssignedData(
        office=COMMUNE,
        rule="r",
        explanation_en="e",
        explanation_km="ក",
        directory_version="v",
        deadlines=_deadlines(at, days),
    )
    then(ComplaintAssigned, assigned, at)
    return chain, then


def missed_then_escalated(complaint_id: str = "c-1") -> list[Event]:
    """The commune office lets its 5 days pass; routing escalates; the ombudsman resolves
    within its own deadline, but after the overall one."""
    assigned_at = MONDAY + timedelta(minutes=1)
    chain, then = _assigned_at(complaint_id, assigned_at, 5)
    refused = MoveRefusedData(
        office_id=COMMUNE.office_id,
        request="transfer",
        request_event_id="x",
        reason_en="no",
        reason_km="ទេ",
    )
    then(MoveRequestRefused, refused, MONDAY + timedelta(days=1))
    escalated_at = CALENDAR.deadline(assigned_at, 5) + timedelta(minutes=5)
    then(
        ComplaintEscalated,
        EscalatedData(
            from_office=COMMUNE,
            to_office=OMBUDSMAN,
            reason_en="late",
            reason_km="យឺត",
            rule="ladder",
            directory_version="v",
            trigger="resolution_overdue",
            deadlines=_deadlines(escalated_at, 30),
        ),
        escalated_at,
    )
    resolved_at = CALENDAR.deadline(MONDAY, 25)
    then(ComplaintResolved, OfficeActionData(office_id=OMBUDSMAN.office_id), resolved_at)
    return chain


def never_answered(complaint_id: str = "c-2") -> list[Event]:
    """The office asks a question two hours after the case arrives; routing pauses its
    clock; the citizen never answers and the case closes as no_reply."""
    chain, then = _assigned_at(complaint_id, MONDAY, 2)
    asked = MONDAY + timedelta(hours=2)
    then(InformationRequested, OfficeActionData(office_id=COMMUNE.office_id), asked)
    paused = DeadlinesChangedData(
        office=COMMUNE,
        deadlines=Deadlines(reply_by=CALENDAR.deadline(asked, 10)),
        why="paused_for_citizen",
    )
    then(DeadlinesChanged, paused, asked + timedelta(seconds=1))
    closed_at = CALENDAR.deadline(asked, 10) + timedelta(minutes=1)
    then(ComplaintClosed, ClosedData(how="auto_closed", reason="no_reply"), closed_at)
    return chain
