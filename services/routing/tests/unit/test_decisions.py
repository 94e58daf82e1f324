"""Decisions on one case, without I/O: warnings, the ladder, requests, auto-close."""

from datetime import UTC, datetime, timedelta

import pytest

from samleng.common.calendar import WorkingCalendar
from samleng.common.events import (
    ActorRef,
    CaseStatus,
    Category,
    ComplaintAcknowledged,
    ComplaintClosed,
    ComplaintEscalated,
    ComplaintForwarded,
    ComplaintReopened,
    ComplaintResolved,
    ComplaintSubmitted,
    ComplaintTransferred,
    DeadlineApproaching,
    DeadlinePassed,
    EscalationRequested,
    Event,
    FeedbackKind,
    ForwardRequested,
    Location,
    MoveRequestData,
    OfficeActionData,
    ReopenedData,
    SubmittedData,
    TransferRequested,
)
from samleng.common.reference import service_catalogue
from samleng.routing.adapters.directory import bundled_directory
from samleng.routing.domain.case import Case, CaseClosed
from samleng.routing.domain.decisions import Context, on_case_event, on_clock, on_submitted
from samleng.routing.domain.rules import MoveRefused

pytestmark = pytest.mark.unit

MONDAY = datetime(2026, 11, 23, 3, 0, tzinfo=UTC)  # 10:00 in Phnom Penh


def ctx(at: datetime) -> Context:
    return Context(bundled_directory(), service_catalogue(), WorkingCalendar(), at)


def new_case() -> tuple[Case, ComplaintSubmitted]:
    location = Location(province_code="17", district_code="1702", commune_code="170201")
    data = SubmittedData(kind=FeedbackKind.COMPLAINT, category=Category.DELAY, location=location)
    submitted = ComplaintSubmitted.first("c-1", producer="intake", data=data)
    case, _ = on_submitted(submitted, ctx(MONDAY))
    return case, submitted


def test_a_warning_comes_before_the_deadline_then_the_ladder_climbs() -> None:
    case, _ = new_case()
    ack_due = next(t.due_at for t in case.timers if t.deadline == "acknowledge")
    warned = on_clock(case, ctx(ack_due - timedelta(hours=1)))
    assert [type(e) for e in warned] == [DeadlineApproaching]
    assert on_clock(case, ctx(ack_due - timedelta(minutes=30))) == []  # warns once

    offices = []
    at = ack_due
    for _ in range(4):
        at += timedelta(days=1)
        events = on_clock(case, ctx(at))
        if any(isinstance(e, ComplaintEscalated) for e in events):
            offices.append(case.office.office_id)
            at = case.next_due_at or at
    assert offices == ["district-ombudsman:1702", "provincial-ombudsman:17", "national:moi-team"]
    # at the top the deadline passes without a further escalation
    events = on_clock(case, ctx(at + timedelta(days=60)))
    assert DeadlinePassed in {type(e) for e in events}
    assert ComplaintEscalated not in {type(e) for e in events}


def test_sequences_continue_from_the_last_event_seen() -> None:
    case, _ = new_case()
    events = on_clock(case, ctx(MONDAY + timedelta(days=10)))
    assert [e.sequence for e in events] == [3, 4]
    assert isinstance(events[1], ComplaintEscalated)
    assert events[1].data.trigger == "acknowledgement_overdue"


def test_acknowledging_stops_only_the_acknowledge_clock() -> None:
    case, submitted = new_case()
    ack = ComplaintAcknowledged.caused_by(
        submitted, producer="intake", data=OfficeActionData(office_id="commune:170201")
    )
    on_case_event(case, ack, ctx(MONDAY))
    assert [t.deadline for t in case.timers] == ["resolve", "overall"]
    assert case.has_seen(str(ack.event_id))
    # an action of another office changes nothing
    other = ComplaintAcknowledged.caused_by(
        ack, producer="intake", data=OfficeActionData(office_id="commune:170202")
    )
    case2, _ = new_case()
    on_case_event(case2, other, ctx(MONDAY))
    assert {t.deadline for t in case2.timers} == {"acknowledge", "resolve", "overall"}


def test_a_resolved_case_auto_closes_unless_appealed() -> None:
    case, submitted = new_case()
    resolved = ComplaintResolved.caused_by(
        submitted, producer="intake", data=OfficeActionData(office_id="commune:170201")
    )
    on_case_event(case, resolved, ctx(MONDAY))
    assert [t.deadline for t in case.timers] == ["confirm"]
    [closed] = on_clock(case, ctx(MONDAY + timedelta(days=30)))
    assert isinstance(closed, ComplaintClosed) and closed.data.how == "auto_closed"
    assert case.status == CaseStatus.CLOSED and case.timers == []

    appealed, submitted = new_case()
    on_case_event(appealed, resolved, ctx(MONDAY))
    reopen = ComplaintReopened.caused_by(
        resolved, producer="intake", data=ReopenedData(by=ActorRef(role="citizen"), appeal=True)
    )
    [escalated] = on_case_event(appealed, reopen, ctx(MONDAY + timedelta(days=1)))
    assert isinstance(escalated, ComplaintEscalated) and escalated.data.trigger == "appeal"
    assert appealed.office.office_id == "district-ombudsman:1702"
    assert {t.deadline for t in appealed.timers} == {"acknowledge", "resolve", "overall"}


def request(cls: type[Event], cause: ComplaintSubmitted, **fields: object) -> Event:
    data = MoveRequestData.model_validate({"office_id": "commune:170201", "reason": "x", **fields})
    return cls.caused_by(cause, producer="intake", data=data)


def test_requests_move_the_case_or_are_refused_with_a_reason() -> None:
    case, submitted = new_case()
    [moved] = on_case_event(
        case, request(TransferRequested, submitted, to_office_id="owso:1702"), ctx(MONDAY)
    )
    assert isinstance(moved, ComplaintTransferred) and moved.data.to_office.office_id == "owso:1702"
    assert moved.data.reason_km and moved.data.deadlines is not None

    case, submitted = new_case()
    [forwarded] = on_case_event(
        case, request(ForwardRequested, submitted, to_ministry="moh"), ctx(MONDAY)
    )
    assert isinstance(forwarded, ComplaintForwarded)
    assert forwarded.data.to_office.office_id == "department:17:moh"
    assert (
        forwarded.data.to_office.ministry == "moh" and forwarded.data.rule == "forward-to-ministry"
    )

    case, submitted = new_case()
    [up] = on_case_event(case, request(EscalationRequested, submitted), ctx(MONDAY))
    assert isinstance(up, ComplaintEscalated) and up.data.trigger == "officer_request"

    case, submitted = new_case()
    with pytest.raises(MoveRefused, match="only the responsible office"):
        on_case_event(
            case,
            request(TransferRequested, submitted, office_id="owso:1702", to_office_id="owsu:17"),
            ctx(MONDAY),
        )
    with pytest.raises(MoveRefused, match="to_ministry"):
        on_case_event(case, request(ForwardRequested, submitted), ctx(MONDAY))
    case.status = CaseStatus.WITHDRAWN
    with pytest.raises(CaseClosed):
        on_case_event(case, request(EscalationRequested, submitted), ctx(MONDAY))


def test_a_conduct_complaint_can_never_be_sent_to_the_accused_office() -> None:
    location = Location(province_code="17", district_code="1702", commune_code="170201")
    data = SubmittedData(
        kind=FeedbackKind.COMPLAINT,
        category=Category.RUDE_CONDUCT,
        location=location,
        about_office_id="commune:170201",
        about_office_conduct=True,
    )
    submitted = ComplaintSubmitted.first("c-2", producer="intake", data=data)
    case, assigned = on_submitted(submitted, ctx(MONDAY))
    assert case.accused_office_id == "commune:170201"
    holder = case.office.office_id
    assert holder != "commune:170201"
    transfer = TransferRequested.caused_by(
        assigned,
        producer="intake",
        data=MoveRequestData(
            office_id=holder, reason="wrong office", to_office_id="commune:170201"
        ),
    )
    with pytest.raises(MoveRefused, match="conduct"):
        on_case_event(case, transfer, ctx(MONDAY))
    # any other office is still a possible target
    elsewhere = TransferRequested.caused_by(
        assigned,
        producer="intake",
        data=MoveRequestData(office_id=holder, reason="wrong office", to_office_id="owsu:17"),
    )
    [moved] = on_case_event(case, elsewhere, ctx(MONDAY))
    assert isinstance(moved, ComplaintTransferred) and moved.data.to_office.office_id == "owsu:17"
