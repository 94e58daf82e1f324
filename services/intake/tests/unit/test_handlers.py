"""Intake's handler table with in-memory ports: routing's decisions folded into the case."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from samleng.common.events import (
    CaseStatus,
    ClosedData,
    ComplaintAssigned,
    ComplaintClosed,
    ComplaintEscalated,
    ComplaintForwarded,
    ComplaintResolved,
    ComplaintSubmitted,
    ComplaintTransferred,
    Deadlines,
    DeadlinesChanged,
    DeadlinesChangedData,
    EscalatedData,
    MovedData,
    MoveRefusedData,
    MoveRequestRefused,
    OfficeRef,
)
from samleng.common.handling import PoisonMessage
from samleng.intake.domain.model import open_case
from samleng.intake.handlers import HANDLERS, UnknownCase
from samleng.intake.ports import StaleCase
from services.intake.tests.unit.fakes import (
    OFFICE,
    SUBMISSION,
    InMemoryCases,
    assigned_by_routing,
    fake_ports,
    submitted_case,
)

pytestmark = pytest.mark.unit

NOW = datetime(2026, 11, 3, 9, 0, tzinfo=UTC)
COMMUNE = OFFICE
DISTRICT = OfficeRef(
    office_id="district:1702",
    level="district",
    kind="district_ombudsman",
    name_en="District ombudsman",
    name_km="ស្រុក",
)
DUE = Deadlines(acknowledge_by=NOW + timedelta(days=1), resolve_by=NOW + timedelta(days=10))


def assigned(cause: ComplaintSubmitted) -> ComplaintAssigned:
    return assigned_by_routing(cause, deadlines=DUE)


MOVE = MovedData(
    from_office=COMMUNE,
    to_office=DISTRICT,
    reason_en="about the commune's own officials",
    reason_km="មន្ត្រីឃុំ",
    rule="conflict-of-interest",
    directory_version="v",
)


def test_the_table_follows_exactly_routings_decisions_and_resolutions() -> None:
    # intake's own resolutions too: the cases linked to a resolved original follow it
    assert set(HANDLERS.event_types()) == {
        ComplaintResolved,
        ComplaintAssigned,
        ComplaintForwarded,
        ComplaintTransferred,
        ComplaintEscalated,
        ComplaintClosed,
        DeadlinesChanged,
        MoveRequestRefused,
    }
    assert HANDLERS.service == "intake" and HANDLERS.queue == "intake.case-updates"


async def test_an_assignment_puts_the_case_with_the_office_once() -> None:
    ports = fake_ports()
    case, submitted = await submitted_case(ports, NOW)
    dispatch = HANDLERS.bind(ports)
    event = assigned(submitted)
    await dispatch(event)
    stored = await ports.cases.get(case.complaint_id)
    assert stored is not None and stored.status is CaseStatus.ASSIGNED
    assert stored.office == COMMUNE and stored.deadlines == DUE and stored.version == 1
    assert stored.timeline[-1].text_en.startswith("Assigned to A")

    await dispatch(event)  # a redelivery
    assert (
        isinstance(ports.cases, InMemoryCases)
        and ports.cases.saves == 1
        and await ports.cases.get(case.complaint_id) == stored
    )


@pytest.mark.parametrize(
    ("event_type", "data", "escalated", "verb"),
    [
        (ComplaintForwarded, MOVE, False, "Forwarded"),
        (ComplaintTransferred, MOVE, False, "Transferred"),
        (
            ComplaintEscalated,
            EscalatedData(**MOVE.model_dump(), trigger="resolution_overdue"),
            True,
            "Escalated",
        ),
    ],
)
async def test_a_move_takes_the_case_to_another_office_and_says_why(
    event_type: type[ComplaintForwarded | ComplaintTransferred | ComplaintEscalated],
    data: MovedData,
    escalated: bool,
    verb: str,
) -> None:
    ports = fake_ports()
    case, submitted = await submitted_case(ports, NOW)
    first = assigned(submitted)
    move = event_type.caused_by(first, producer="routing", data=data)
    dispatch = HANDLERS.bind(ports)
    await dispatch(move)  # out of order: the move arrives before the assignment
    await dispatch(first)
    stored = await ports.cases.get(case.complaint_id)
    assert stored is not None and stored.office == DISTRICT
    assert stored.status is CaseStatus.ASSIGNED and stored.escalated is escalated
    assert stored.timeline[-1].text_en.startswith(verb)
    assert "Why: about the commune's own officials" in stored.timeline[-1].text_en


async def test_a_closing_closes_the_case_and_never_moves_back() -> None:
    ports = fake_ports()
    case, submitted = await submitted_case(ports, NOW)
    first = assigned(submitted)
    closed = ComplaintClosed.caused_by(
        first, producer="routing", data=ClosedData(how="auto_closed", office_id=COMMUNE.office_id)
    )
    dispatch = HANDLERS.bind(ports)
    await dispatch(closed)
    await dispatch(first)  # the older decision arrives late
    stored = await ports.cases.get(case.complaint_id)
    assert stored is not None and stored.status is CaseStatus.CLOSED
    assert stored.office == COMMUNE and len(stored.timeline) == 3
    assert stored.timeline[-1].text_en.startswith("Closed automatically")


async def test_a_decision_about_an_unknown_case_is_poison() -> None:
    ports = fake_ports()
    _, submitted = open_case(SUBMISSION, "hash", NOW)  # never stored
    with pytest.raises(UnknownCase) as refused:
        await HANDLERS.bind(ports)(assigned(submitted))
    assert isinstance(refused.value, PoisonMessage)


async def test_a_case_saved_meanwhile_is_read_again_and_both_changes_kept() -> None:
    ports = fake_ports()
    case, submitted = await submitted_case(ports, NOW)
    cases = ports.cases
    assert isinstance(cases, InMemoryCases)
    # another writer (a citizen's action) saves the case between the handler's read and save
    cases.racing.append(case)
    await HANDLERS.bind(ports)(assigned(submitted))
    stored = await cases.get(case.complaint_id)
    assert stored is not None and stored.status is CaseStatus.ASSIGNED
    assert stored.version == 2  # the racing save, then the handler's second attempt


async def test_a_case_that_keeps_changing_is_retried_then_left_to_redelivery() -> None:
    ports = fake_ports()
    case, submitted = await submitted_case(ports, NOW)
    cases = ports.cases
    assert isinstance(cases, InMemoryCases)
    cases.racing.extend([case] * 10)
    with pytest.raises(StaleCase):
        await HANDLERS.bind(ports)(assigned(submitted))


async def test_a_refused_move_is_shown_and_leaves_the_case_where_it_is() -> None:
    ports = fake_ports()
    case, submitted = await submitted_case(ports, NOW)
    first = assigned(submitted)
    refused = MoveRequestRefused.caused_by(
        first,
        producer="routing",
        data=MoveRefusedData(
            office_id=COMMUNE.office_id,
            request="transfer",
            request_event_id="r-1",
            reason_en="unknown office 'x:1'",
            reason_km="ការិយាល័យ 'x:1' មិនមានទេ",
            to_office_id="x:1",
        ),
    )
    dispatch = HANDLERS.bind(ports)
    await dispatch(first)
    await dispatch(refused)
    await dispatch(refused)  # a redelivery
    stored = await ports.cases.get(case.complaint_id)
    assert stored is not None and stored.status is CaseStatus.ASSIGNED
    assert stored.office == COMMUNE and stored.deadlines == DUE
    [refusal] = stored.move_refusals
    assert (refusal.request, refusal.to, refusal.office_id) == (
        "transfer",
        "x:1",
        COMMUNE.office_id,
    )
    assert "was refused" in stored.timeline[-1].text_en and "x:1" in stored.timeline[-1].text_km
    assert stored.timeline[-1].status is CaseStatus.ASSIGNED


async def test_paused_clocks_and_a_no_reply_closing_are_shown_without_moving_the_status() -> None:
    ports = fake_ports()
    case, submitted = await submitted_case(ports, NOW)
    first = assigned(submitted)
    reply_by = NOW + timedelta(days=7)
    paused = DeadlinesChanged.caused_by(
        first,
        producer="routing",
        data=DeadlinesChangedData(
            office=COMMUNE,
            deadlines=Deadlines(overall_by=NOW + timedelta(days=40), reply_by=reply_by),
            why="paused_for_citizen",
        ),
    )
    closed = ComplaintClosed.caused_by(
        paused,
        producer="routing",
        data=ClosedData(how="auto_closed", office_id=COMMUNE.office_id, reason="no_reply"),
    )
    dispatch = HANDLERS.bind(ports)
    await dispatch(first)
    await dispatch(paused)
    stored = await ports.cases.get(case.complaint_id)
    assert stored is not None and stored.status is CaseStatus.ASSIGNED
    assert stored.deadlines is not None and stored.deadlines.reply_by == reply_by
    assert stored.next_due is None and not stored.overdue(NOW + timedelta(days=30))
    assert "clock is paused" in stored.timeline[-1].text_en
    await dispatch(closed)
    stored = await ports.cases.get(case.complaint_id)
    assert stored is not None and stored.status is CaseStatus.CLOSED
    assert "not answered in time" in stored.timeline[-1].text_en
    assert stored.timeline[-1].text_km
