"""SLA clocks on the real broker and database, with a controllable clock (no sleeping):
the whole escalation ladder, two replicas escalating exactly once, a restart that keeps
the clock, the auto-close of a resolved case, and the appeal of a rejected one."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import aio_pika
import pytest

from samleng.common.events import (
    ActorRef,
    ComplaintClosed,
    ComplaintEscalated,
    ComplaintRejected,
    ComplaintReopened,
    ComplaintResolved,
    OfficeActionData,
    RejectedData,
    ReopenedData,
)
from samleng.routing.adapters.clock import ManualClock
from samleng.routing.app import create_app
from samleng.routing.settings import RoutingSettings
from services.routing.tests.integration.helpers import (
    MONDAY,
    case_record,
    passes,
    submitted,
    tap_all,
    until_record,
)
from tests.support import publish_event, running, settings_for

pytestmark = pytest.mark.integration

LADDER = ["district-ombudsman:1702", "provincial-ombudsman:17", "national:moi-team"]


def fast(stack: Any) -> RoutingSettings:
    return settings_for(stack, RoutingSettings, "routing", clock_poll_seconds=0.05)


async def test_missed_deadlines_climb_the_whole_ladder(
    stack: Any, amqp: aio_pika.abc.AbstractChannel
) -> None:
    settings = fast(stack)
    clock = ManualClock(MONDAY)
    feed = await tap_all(amqp)
    cause = submitted("170201")
    app = create_app(settings, clock=clock)
    async with running(app):
        await publish_event(amqp, cause)
        [assigned] = await feed.wait(cause.complaint_id, "complaint.assigned")
        deadlines = assigned.data.deadlines  # type: ignore[attr-defined]
        clock.advance(deadlines.acknowledge_by - MONDAY - timedelta(hours=2))
        [warning] = await feed.wait(cause.complaint_id, "complaint.deadline_approaching")
        assert warning.data.deadline == "acknowledge"  # type: ignore[attr-defined]
        for step in range(1, 4):
            clock.advance(timedelta(days=30))
            escalations = await feed.wait(cause.complaint_id, "complaint.escalated", step)
        # at the top, time passing brings no further escalation
        clock.advance(timedelta(days=90))
        await passes(app.state.clocks)
    assert [e.data.to_office.office_id for e in escalations] == LADDER  # type: ignore[attr-defined]
    assert escalations[0].data.from_office.office_id == "commune:170201"  # type: ignore[attr-defined]
    assert {e.data.trigger for e in escalations} == {"acknowledgement_overdue"}  # type: ignore[attr-defined]
    assert len(feed.distinct(cause.complaint_id, "complaint.escalated")) == 3
    passed = feed.distinct(cause.complaint_id, "complaint.deadline_passed")
    assert len(passed) >= 3
    sequences = [e.sequence for e in escalations]
    assert sequences == sorted(sequences) and sequences[0] > assigned.sequence


async def test_two_replicas_escalate_a_case_exactly_once(
    stack: Any, amqp: aio_pika.abc.AbstractChannel
) -> None:
    settings = fast(stack)
    clock = ManualClock(MONDAY)  # both replicas see the same time, as on one cluster
    feed = await tap_all(amqp)
    cases = [submitted("170201") for _ in range(6)]
    first, second = create_app(settings, clock=clock), create_app(settings, clock=clock)
    async with running(first), running(second):
        for cause in cases:
            await publish_event(amqp, cause)
        for cause in cases:
            await feed.wait(cause.complaint_id, "complaint.assigned")
        clock.advance(timedelta(days=10))
        for cause in cases:
            await feed.wait(cause.complaint_id, "complaint.escalated")
        await passes(first.state.clocks, second.state.clocks)
    for cause in cases:
        assert len(feed.distinct(cause.complaint_id, "complaint.escalated")) == 1
        record = await case_record(settings, cause.complaint_id)
        assert record is not None
        assert [m["to"] for m in record["moves"]] == ["district-ombudsman:1702"]


async def test_a_restart_in_the_middle_does_not_lose_a_clock(
    stack: Any, amqp: aio_pika.abc.AbstractChannel
) -> None:
    settings = fast(stack)
    clock = ManualClock(MONDAY)
    feed = await tap_all(amqp)
    cause = submitted("170201")
    async with running(create_app(settings, clock=clock)):
        await publish_event(amqp, cause)
        await feed.wait(cause.complaint_id, "complaint.assigned")
    # routing is down while the deadline passes; a new process finds the clock in the case
    clock.advance(timedelta(days=10))
    async with running(create_app(settings, clock=clock)):
        [escalated] = await feed.wait(cause.complaint_id, "complaint.escalated")
    assert isinstance(escalated, ComplaintEscalated)
    assert escalated.data.to_office.office_id == LADDER[0]


async def test_a_resolved_case_closes_itself_after_the_confirmation_period(
    stack: Any, amqp: aio_pika.abc.AbstractChannel
) -> None:
    settings = fast(stack)
    clock = ManualClock(MONDAY)
    feed = await tap_all(amqp)
    cause = submitted("170201")
    async with running(create_app(settings, clock=clock)):
        await publish_event(amqp, cause)
        [assigned] = await feed.wait(cause.complaint_id, "complaint.assigned")
        resolved = ComplaintResolved.caused_by(
            assigned, producer="test", data=OfficeActionData(office_id="commune:170201")
        )
        await publish_event(amqp, resolved)
        await until_record(
            settings,
            cause.complaint_id,
            lambda r: [t["deadline"] for t in r["timers"]] == ["confirm"],
        )
        clock.advance(timedelta(days=30))
        [closed] = await feed.wait(cause.complaint_id, "complaint.closed")
    assert isinstance(closed, ComplaintClosed) and closed.data.how == "auto_closed"
    assert feed.distinct(cause.complaint_id, "complaint.escalated") == []
    record = await case_record(settings, cause.complaint_id)
    assert record is not None and record["status"] == "closed" and record["next_due_at"] is None


async def test_an_appeal_of_a_rejected_case_climbs_one_level_with_new_clocks(
    stack: Any, amqp: aio_pika.abc.AbstractChannel
) -> None:
    settings = fast(stack)
    clock = ManualClock(MONDAY)
    feed = await tap_all(amqp)
    cause = submitted("170201")
    async with running(create_app(settings, clock=clock)):
        await publish_event(amqp, cause)
        [assigned] = await feed.wait(cause.complaint_id, "complaint.assigned")
        rejected = ComplaintRejected.caused_by(
            assigned,
            producer="test",
            data=RejectedData(office_id="commune:170201", reason="out_of_scope"),
        )
        appeal = ComplaintReopened.caused_by(
            rejected, producer="test", data=ReopenedData(by=ActorRef(role="citizen"), appeal=True)
        )
        await publish_event(amqp, rejected)

        await until_record(
            settings, cause.complaint_id, lambda r: r["status"] == "rejected" and r["timers"] == []
        )
        await publish_event(amqp, appeal)
        [escalated] = await feed.wait(cause.complaint_id, "complaint.escalated")
        # the ombudsman's clocks run: missing them climbs the ladder again
        clock.advance(timedelta(days=30))
        escalations = await feed.wait(cause.complaint_id, "complaint.escalated", 2)
    assert isinstance(escalated, ComplaintEscalated) and escalated.data.trigger == "appeal"
    assert escalated.data.to_office.office_id == LADDER[0]
    assert escalated.data.deadlines is not None
    assert escalations[1].data.to_office.office_id == LADDER[1]  # type: ignore[attr-defined]
