"""The case limits and the waiting clock, without I/O: the overall deadline, the move limit,
clocks paused while a question waits for the citizen, no_reply, the service's standard
time and a reopening's new deadlines."""

from datetime import UTC, datetime, timedelta

import pytest

from samleng.common.calendar import WorkingCalendar
from samleng.common.events import (
    ActorRef,
    CaseStatus,
    Category,
    CitizenActionData,
    ComplaintClosed,
    ComplaintEscalated,
    ComplaintReopened,
    ComplaintSubmitted,
    ComplaintTransferred,
    DeadlinesChanged,
    Event,
    FeedbackKind,
    InformationProvided,
    InformationRequested,
    Location,
    MoveRequestData,
    OfficeActionData,
    ReopenedData,
    SubmittedData,
    TransferRequested,
)
from samleng.common.reference import service_catalogue
from samleng.routing.adapters.directory import bundled_directory
from samleng.routing.domain.case import Case
from samleng.routing.domain.decisions import Context, on_case_event, on_clock, on_submitted
from samleng.routing.domain.rules import MoveRefused
from samleng.routing.domain.sla import CaseLimits

pytestmark = pytest.mark.unit

MONDAY = datetime(2026, 11, 23, 3, 0, tzinfo=UTC)  # 10:00 in Phnom Penh
CALENDAR = WorkingCalendar()
LIMITS = CaseLimits(overall_working_days=20, move_limit=3, no_reply_working_days=5)


def ctx(at: datetime) -> Context:
    return Context(bundled_directory(), service_catalogue(), CALENDAR, at, LIMITS)


def new_case(**fields: object) -> tuple[Case, Event, ComplaintSubmitted]:
    location = Location(province_code="17", district_code="1702", commune_code="170201")
    data = SubmittedData.model_validate(
        {"kind": FeedbackKind.COMPLAINT, "category": Category.DELAY, "location": location, **fields}
    )
    submitted = ComplaintSubmitted.first("c-1", producer="intake", data=data)
    case, assigned = on_submitted(submitted, ctx(MONDAY))
    return case, assigned, submitted


def transfer(cause: Event, office: str, to: str) -> TransferRequested:
    data = MoveRequestData(office_id=office, reason="not ours", to_office_id=to)
    return TransferRequested.caused_by(cause, producer="intake", data=data)


def test_working_time_between_two_instants_adds_back_to_the_later_one() -> None:
    friday_4pm = datetime(2026, 11, 27, 9, 0, tzinfo=UTC)  # 16:00 local
    tuesday_9am = datetime(2026, 12, 1, 2, 0, tzinfo=UTC)  # 09:00 local
    left = CALENDAR.working_time_between(friday_4pm, tuesday_9am)
    assert left == timedelta(hours=1 + 9.5 + 1.5)  # Friday's last hour, Monday, Tuesday to 9
    assert CALENDAR.add_working_time(friday_4pm, left) == tuesday_9am


def test_the_overall_deadline_is_set_once_and_moves_do_not_restart_it() -> None:
    case, assigned, _ = new_case()
    overall = assigned.data.deadlines.overall_by  # type: ignore[attr-defined]
    assert overall == CALENDAR.deadline(MONDAY, 20)
    cause, office, at = assigned, "commune:170201", MONDAY
    for to in ("commune:170202", "commune:170203", "commune:170204"):
        at += timedelta(days=1)
        [moved] = on_case_event(case, transfer(cause, office, to), ctx(at))
        assert isinstance(moved, ComplaintTransferred)
        assert moved.data.deadlines is not None and moved.data.deadlines.overall_by == overall
        assert moved.data.deadlines.resolve_by == CALENDAR.deadline(at, 15)  # restarted
        cause, office = moved, to
    # the fourth hand-off goes to the provincial ombudsman instead, saying why
    [limited] = on_case_event(case, transfer(cause, office, "commune:170201"), ctx(at))
    assert isinstance(limited, ComplaintEscalated)
    assert limited.data.limit == "move_limit" and limited.data.rule == "move-limit"
    assert limited.data.to_office.office_id == "provincial-ombudsman:17"
    assert "3 times" in limited.data.reason_en and "3" in limited.data.reason_km
    assert limited.data.deadlines is not None and limited.data.deadlines.overall_by == overall
    # the ombudsman may not hand it on again: it must resolve it
    with pytest.raises(MoveRefused) as refused:
        on_case_event(case, transfer(limited, "provincial-ombudsman:17", "owso:1702"), ctx(at))
    assert "handed on 3 times" in refused.value.reason_en and refused.value.reason_km


def test_the_overall_deadline_sends_an_open_case_to_the_provincial_ombudsman() -> None:
    case, assigned, _ = new_case()
    overall = assigned.data.deadlines.overall_by  # type: ignore[attr-defined]
    on_case_event(case, transfer(assigned, "commune:170201", "commune:170202"), ctx(overall))
    case.stop("acknowledge")  # the new office acknowledged; its resolve clock runs on
    events = on_clock(case, ctx(overall + timedelta(minutes=1)))
    [escalated] = [e for e in events if isinstance(e, ComplaintEscalated)]
    assert escalated.data.limit == "overall_deadline"
    assert escalated.data.trigger == "resolution_overdue"
    assert escalated.data.to_office.office_id == "provincial-ombudsman:17"
    assert "overall time" in escalated.data.reason_en
    # with the ombudsman, the passed overall deadline fires nothing more
    assert not any(t.deadline == "overall" for t in case.timers)


def test_a_question_pauses_the_office_clocks_and_the_answer_resumes_them() -> None:
    case, assigned, _ = new_case()
    resolve_by = assigned.data.deadlines.resolve_by  # type: ignore[attr-defined]
    asked_at = MONDAY + timedelta(days=1)
    ask = InformationRequested.caused_by(
        assigned, producer="intake", data=OfficeActionData(office_id="commune:170201")
    )
    [paused] = on_case_event(case, ask, ctx(asked_at))
    assert isinstance(paused, DeadlinesChanged) and paused.data.why == "paused_for_citizen"
    assert paused.data.deadlines.resolve_by is None
    assert paused.data.deadlines.reply_by == CALENDAR.deadline(asked_at, 5)
    acknowledge_by = assigned.data.deadlines.acknowledge_by  # type: ignore[attr-defined]
    assert on_clock(case, ctx(acknowledge_by + timedelta(hours=1))) == []  # paused
    answered_at = asked_at + timedelta(days=7)  # five working days later
    answer = InformationProvided.caused_by(paused, producer="intake", data=CitizenActionData())
    [resumed] = on_case_event(case, answer, ctx(answered_at))
    assert isinstance(resumed, DeadlinesChanged) and resumed.data.why == "resumed"
    new_resolve = resumed.data.deadlines.resolve_by
    assert new_resolve is not None and resumed.data.deadlines.reply_by is None
    assert CALENDAR.working_time_between(answered_at, new_resolve) == (
        CALENDAR.working_time_between(asked_at, resolve_by)
    )


def test_no_answer_in_time_closes_the_case_as_no_reply_and_a_reopening_gets_new_deadlines() -> None:
    case, assigned, _ = new_case()
    ask = InformationRequested.caused_by(
        assigned, producer="intake", data=OfficeActionData(office_id="commune:170201")
    )
    [paused] = on_case_event(case, ask, ctx(MONDAY))
    reply_by = paused.data.deadlines.reply_by  # type: ignore[attr-defined]
    [closed] = on_clock(case, ctx(reply_by + timedelta(minutes=1)))
    assert isinstance(closed, ComplaintClosed)
    assert closed.data.how == "auto_closed" and closed.data.reason == "no_reply"
    assert case.status == CaseStatus.CLOSED and case.timers == [] and case.paused == []
    later = reply_by + timedelta(days=3)
    reopen = ComplaintReopened.caused_by(
        closed, producer="intake", data=ReopenedData(by=ActorRef(role="citizen"))
    )
    [renewed] = on_case_event(case, reopen, ctx(later))
    assert isinstance(renewed, DeadlinesChanged) and renewed.data.why == "reopened"
    assert renewed.data.deadlines.resolve_by == CALENDAR.deadline(later, 15)
    assert renewed.data.deadlines.overall_by == CALENDAR.deadline(later, 20)


def test_the_services_own_standard_time_is_the_resolve_deadline() -> None:
    _, assigned, _ = new_case(service_code="residence.family_book")  # 7 working days
    deadlines = assigned.data.deadlines  # type: ignore[attr-defined]
    assert deadlines.resolve_by == CALENDAR.deadline(MONDAY, 7)
    assert deadlines.sla_rule.endswith("+service-standard")


def test_without_a_reply_clock_the_answer_still_resumes_the_office_clocks() -> None:
    case, assigned, _ = new_case()
    never = Context(bundled_directory(), service_catalogue(), CALENDAR, MONDAY,
                    CaseLimits(no_reply_working_days=0))  # fmt: skip
    ask = InformationRequested.caused_by(
        assigned, producer="intake", data=OfficeActionData(office_id="commune:170201")
    )
    [paused] = on_case_event(case, ask, never)
    assert paused.data.deadlines.reply_by is None  # type: ignore[attr-defined]
    answer = InformationProvided.caused_by(paused, producer="intake", data=CitizenActionData())
    [resumed] = on_case_event(case, answer, ctx(MONDAY + timedelta(days=2)))
    assert resumed.data.deadlines.resolve_by is not None  # type: ignore[attr-defined]
