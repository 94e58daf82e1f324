"""Every handler of routing's table, on in-memory fakes: a case and the events it causes
are stored together, exactly once, and refusals are poison."""

from __future__ import annotations

from datetime import timedelta

import pytest

from samleng.common.events import (
    ActorRef,
    CaseStatus,
    Category,
    CitizenActionData,
    ClosedData,
    ComplaintAcknowledged,
    ComplaintAssigned,
    ComplaintClosed,
    ComplaintEscalated,
    ComplaintRejected,
    ComplaintReopened,
    ComplaintResolved,
    ComplaintSubmitted,
    ComplaintWithdrawn,
    EscalationRequested,
    Event,
    FeedbackKind,
    ForwardRequested,
    InformationProvided,
    InformationRequested,
    Location,
    MoveRequestData,
    OfficeActionData,
    RejectedData,
    ReopenedData,
    SubmittedData,
    TransferRequested,
)
from samleng.routing.entrypoints.clocks import ClockLoop
from samleng.routing.handlers import (
    HANDLERS,
    CaseNotYetRouted,
    apply_to_case,
    fire_clocks,
    route_new_case,
)
from samleng.routing.ports import RoutingPorts
from services.routing.tests.unit.fakes import CaseRecord, FakeCases, fake_ports

pytestmark = pytest.mark.unit

OFFICE = "commune:170201"


def submitted(complaint_id: str = "c-1") -> ComplaintSubmitted:
    location = Location(province_code="17", district_code="1702", commune_code="170201")
    data = SubmittedData(kind=FeedbackKind.COMPLAINT, category=Category.DELAY, location=location)
    return ComplaintSubmitted.first(complaint_id, producer="intake", data=data)


async def routed(ports: RoutingPorts, cases: FakeCases) -> ComplaintAssigned:
    """Route a new case; its assignment."""
    await route_new_case(submitted(), ports)
    [assigned] = cases.published("complaint.assigned")
    assert isinstance(assigned, ComplaintAssigned)
    return assigned


def action(cls: type[Event], cause: Event) -> Event:
    """An office's or citizen's action of type ``cls`` following ``cause``."""
    data: object = OfficeActionData(office_id=OFFICE)
    if cls is ComplaintRejected:
        data = RejectedData(office_id=OFFICE, reason="out_of_scope")
    elif cls is ComplaintWithdrawn:
        data = CitizenActionData()
    elif cls is ComplaintReopened:
        data = ReopenedData(by=ActorRef(role="citizen"), appeal=True)
    elif cls is ComplaintClosed:
        data = ClosedData(how="confirmed_by_citizen", office_id=OFFICE)
    elif cls in (TransferRequested, ForwardRequested, EscalationRequested):
        data = MoveRequestData(
            office_id=OFFICE, reason="x", to_office_id="owso:1702", to_ministry="moh"
        )
    return cls.caused_by(cause, producer="intake", data=data)


async def test_a_new_case_is_stored_with_its_assignment_once() -> None:
    ports, cases, _ = fake_ports()
    assigned = await routed(ports, cases)
    assert assigned.data.office.office_id == OFFICE and assigned.sequence == 2
    case = cases.case("c-1")
    assert case.status == CaseStatus.ASSIGNED
    assert {t.deadline for t in case.timers} == {"acknowledge", "resolve", "overall"}


async def test_a_redelivered_submission_re_announces_the_same_assignment() -> None:
    ports, cases, clock = fake_ports()
    first = await routed(ports, cases)
    clock.advance(timedelta(hours=1))
    await route_new_case(submitted(), ports)
    assert [e.event_id for e in cases.published("complaint.assigned")] == [first.event_id] * 2
    assert len(cases.records) == 1


@pytest.mark.parametrize(
    ("cls", "status", "emitted"),
    [
        (ComplaintAcknowledged, CaseStatus.ACKNOWLEDGED, []),
        (ComplaintResolved, CaseStatus.RESOLVED, []),
        (ComplaintRejected, CaseStatus.REJECTED, []),
        (ComplaintWithdrawn, CaseStatus.WITHDRAWN, []),
        (ComplaintClosed, CaseStatus.CLOSED, []),
        (TransferRequested, CaseStatus.ASSIGNED, ["complaint.transferred"]),
        (ForwardRequested, CaseStatus.ASSIGNED, ["complaint.forwarded"]),
        (EscalationRequested, CaseStatus.ASSIGNED, ["complaint.escalated"]),
    ],
)
async def test_each_action_changes_the_case_and_stores_what_it_causes(
    cls: type[Event], status: CaseStatus, emitted: list[str]
) -> None:
    ports, cases, _ = fake_ports()
    assigned = await routed(ports, cases)
    event = action(cls, assigned)
    await apply_to_case(event, ports)
    case = cases.case("c-1")
    assert case.status == status and case.has_seen(str(event.event_id))
    assert [e.type for e in cases.outbox[1:]] == emitted
    # handled once: a redelivery changes nothing and stores nothing
    version = cases.records["c-1"].version
    await apply_to_case(event, ports)
    assert cases.records["c-1"].version == version and len(cases.outbox) == 1 + len(emitted)


async def test_an_appeal_of_a_resolution_escalates() -> None:
    ports, cases, _ = fake_ports()
    resolved = action(ComplaintResolved, await routed(ports, cases))
    await apply_to_case(resolved, ports)
    await apply_to_case(action(ComplaintReopened, resolved), ports)
    [escalated] = cases.published("complaint.escalated")
    assert isinstance(escalated, ComplaintEscalated) and escalated.data.trigger == "appeal"
    assert cases.case("c-1").office.office_id == "district-ombudsman:1702"


def test_the_table_names_every_event_routing_acts_on() -> None:
    assert set(HANDLERS.handlers) == {
        ComplaintSubmitted,
        ComplaintAcknowledged,
        ComplaintResolved,
        ComplaintRejected,
        ComplaintReopened,
        ComplaintWithdrawn,
        ComplaintClosed,
        TransferRequested,
        ForwardRequested,
        EscalationRequested,
        InformationRequested,
        InformationProvided,
    }


async def test_an_action_before_the_case_is_routed_is_retried() -> None:
    ports, _, _ = fake_ports()
    with pytest.raises(CaseNotYetRouted):
        await apply_to_case(action(ComplaintAcknowledged, submitted()), ports)


async def test_a_request_that_can_never_be_carried_out_is_refused_with_the_reason() -> None:
    ports, cases, _ = fake_ports()
    assigned = await routed(ports, cases)
    wrong = MoveRequestData(office_id="owsu:17", reason="x", to_office_id="owso:1702")
    await apply_to_case(TransferRequested.caused_by(assigned, producer="t", data=wrong), ports)
    withdrawn = action(ComplaintWithdrawn, assigned)
    await apply_to_case(withdrawn, ports)
    await apply_to_case(action(EscalationRequested, withdrawn), ports)
    refusals = cases.published("complaint.move_refused")
    assert [r.data.request for r in refusals] == ["transfer", "escalation"]  # type: ignore[attr-defined]
    assert "only the responsible office" in refusals[0].data.reason_en  # type: ignore[attr-defined]
    assert "withdrawn" in refusals[1].data.reason_en and refusals[1].data.reason_km  # type: ignore[attr-defined]
    assert refusals[0].data.office_id == "owsu:17"  # type: ignore[attr-defined]
    assert cases.published("complaint.escalated") == []


async def test_a_decision_lost_to_a_concurrent_change_is_taken_again_on_the_new_case() -> None:
    ports, cases, _ = fake_ports()
    assigned = await routed(ports, cases)
    acknowledged = action(ComplaintAcknowledged, assigned)

    def the_citizen_withdrew_meanwhile(record: CaseRecord) -> None:
        record.case.status = CaseStatus.WITHDRAWN
        record.version += 1

    cases.meanwhile = the_citizen_withdrew_meanwhile
    await apply_to_case(acknowledged, ports)
    # decided again on what the other replica stored: a withdrawn case stays withdrawn
    assert cases.case("c-1").status == CaseStatus.WITHDRAWN
    assert cases.case("c-1").has_seen(str(acknowledged.event_id))


async def test_clocks_fire_once_and_give_the_case_back() -> None:
    ports, cases, clock = fake_ports()
    await routed(ports, cases)
    clock.advance(timedelta(days=10))
    loop = ClockLoop(ports, poll_seconds=1, lease_seconds=60)
    assert await loop.sweep() == 1
    assert [e.type for e in cases.outbox[1:]] == [
        "complaint.deadline_passed",
        "complaint.escalated",
    ]
    assert cases.records["c-1"].lease_owner == ""
    assert cases.case("c-1").office.office_id == "district-ombudsman:1702"
    # the ombudsman's fresh clocks are not due: a second pass fires nothing
    assert await loop.sweep() == 0


async def test_a_clock_that_lost_a_race_stores_nothing() -> None:
    ports, cases, clock = fake_ports()
    await routed(ports, cases)
    clock.advance(timedelta(days=10))
    claimed = await cases.claim_due(clock.now(), clock.now(), "replica-a", timedelta(minutes=1))
    assert claimed is not None
    assert (
        await cases.claim_due(clock.now(), clock.now(), "replica-b", timedelta(minutes=1)) is None
    )

    def a_message_changed_it(record: CaseRecord) -> None:
        record.version += 1

    cases.meanwhile = a_message_changed_it
    assert await fire_clocks(claimed, ports) is False
    assert cases.published("complaint.escalated") == []


async def test_an_appeal_of_a_rejection_escalates_and_restarts_the_clocks() -> None:
    ports, cases, _ = fake_ports()
    rejected = action(ComplaintRejected, await routed(ports, cases))
    await apply_to_case(rejected, ports)
    assert cases.case("c-1").timers == []
    await apply_to_case(action(ComplaintReopened, rejected), ports)
    [escalated] = cases.published("complaint.escalated")
    assert isinstance(escalated, ComplaintEscalated) and escalated.data.trigger == "appeal"
    assert escalated.data.deadlines is not None
    assert "appealed the rejection" in escalated.data.reason_en and escalated.data.reason_km
    case = cases.case("c-1")
    assert case.office.office_id == "district-ombudsman:1702"
    assert case.status == CaseStatus.ASSIGNED
    assert {t.deadline for t in case.timers} == {"acknowledge", "resolve", "overall"}


async def test_a_rejected_case_reopened_without_appeal_goes_back_to_its_office() -> None:
    ports, cases, _ = fake_ports()
    rejected = action(ComplaintRejected, await routed(ports, cases))
    await apply_to_case(rejected, ports)
    reopened = ComplaintReopened.caused_by(
        rejected, producer="intake", data=ReopenedData(by=ActorRef(role="officer"), appeal=False)
    )
    await apply_to_case(reopened, ports)
    case = cases.case("c-1")
    assert case.office.office_id == OFFICE and case.status == CaseStatus.ACKNOWLEDGED
    assert [t.deadline for t in case.timers] == ["resolve", "overall"]
    assert cases.published("complaint.escalated") == []
