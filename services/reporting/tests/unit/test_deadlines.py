"""Deadlines are routing's, charged to the office that held the case when one passed; the
events routing added (deadlines changed, move refused, no-reply closures) count right and
any delivery order gives the same figures."""

from __future__ import annotations

import random
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

import pytest

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
from samleng.reporting.domain import accountability, figures
from samleng.reporting.domain.cases import fold
from samleng.reporting.domain.periods import parse_period
from services.reporting.tests.unit.fakes import CALENDAR

pytestmark = pytest.mark.unit

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
MARCH = parse_period("2026-03", CALENDAR)
YEAR = parse_period("2026", CALENDAR)
LATER = datetime(2026, 6, 1, tzinfo=UTC)


def _submitted() -> ComplaintSubmitted:
    data = SubmittedData(
        kind=FeedbackKind.COMPLAINT,
        category=Category.DELAY,
        location=Location(province_code="12", district_code="1201", commune_code="120101"),
    )
    return ComplaintSubmitted.first("c-1", producer="intake", data=data, occurred_at=MONDAY)


def _deadlines(since: datetime, days: int) -> Deadlines:
    return Deadlines(
        resolve_by=CALENDAR.deadline(since, days), overall_by=CALENDAR.deadline(MONDAY, 20)
    )


def _assigned_at(
    at: datetime, days: int
) -> tuple[list[Event], Callable[[type[Event], object, datetime], None]]:
    """A submission and its assignment to the commune office with ``days`` to resolve, and
    a function that adds the next event of the case."""
    chain: list[Event] = [_submitted()]

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


def _missed_then_escalated() -> list[Event]:
    """The commune office lets its 5 days pass; routing escalates; the ombudsman resolves
    within its own deadline, but after the overall one."""
    assigned_at = MONDAY + timedelta(minutes=1)
    chain, then = _assigned_at(assigned_at, 5)
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


def test_a_missed_deadline_is_charged_to_the_office_that_held_the_case() -> None:
    record = fold("c-1", _missed_then_escalated())
    assert figures.sla_by_office([record], YEAR, LATER) == {
        COMMUNE.office_id: {"due": 1, "met": 0},
        OMBUDSMAN.office_id: {"due": 1, "met": 1},
    }
    assert figures.sla_verdict(record, LATER) is False  # the case missed one deadline
    overall = accountability.overall([record], YEAR, LATER)
    assert (overall["due"], overall["within"], overall["missed"]) == (1, 0, 1)
    assert overall["days_to_resolve"] == {"n": 1, "median": 25, "p90": 25}
    offices = accountability.by_office([record], YEAR, LATER)
    assert offices[OMBUDSMAN.office_id]["resolved"] == 1
    assert offices[COMMUNE.office_id]["missed"] == 1
    # by level: resolved with the district ombudsman, none left in progress
    levels = accountability.monthly_by_level([record], parse_period("2026-04", CALENDAR), LATER)
    resolved_in_april = {**dict.fromkeys(accountability.MONTHLY_COLUMNS, 0), "resolved": 1}
    assert levels == {"district_ombudsman": resolved_in_april}
    march = accountability.monthly_by_level([record], MARCH, LATER)
    assert march["district_ombudsman"]["in_progress"] == 1  # open at the end of March


def test_a_refused_move_changes_nothing_counted() -> None:
    events = _missed_then_escalated()
    without = [e for e in events if not isinstance(e, MoveRequestRefused)]
    with_refusal, plain = fold("c-1", events), fold("c-1", without)
    for period in (MARCH, parse_period("2026", CALENDAR)):
        assert figures.status_row([with_refusal], period, LATER) == figures.status_row(
            [plain], period, LATER
        )
    assert with_refusal.transitions == plain.transitions


def test_a_paused_clock_misses_nothing_and_no_reply_is_not_resolved() -> None:
    chain, then = _assigned_at(MONDAY, 2)
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
    record = fold("c-1", chain)
    assert figures.sla_by_office([record], MARCH, LATER) == {}  # paused before it passed
    row = figures.status_row([record], MARCH, LATER)
    assert (row["closed_no_reply"], row["resolved"], row["closed_auto"]) == (1, 0, 0)
    assert figures.breakdown([record], "kind", MARCH, LATER)["complaint"]["ended_otherwise"] == 1


def test_any_delivery_order_and_duplicates_give_the_same_figures() -> None:
    events = _missed_then_escalated()
    expected = fold("c-1", events)
    rng = random.Random(5)  # noqa: S311 - a reproducible shuffle
    for _ in range(20):
        stream = events + rng.sample(events, k=3)
        rng.shuffle(stream)
        record = fold("c-1", stream)
        assert record.holdings == expected.holdings
        assert accountability.by_office([record], MARCH, LATER) == accountability.by_office(
            [expected], MARCH, LATER
        )
