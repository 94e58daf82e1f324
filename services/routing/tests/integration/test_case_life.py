"""The life of a case against its limits, on the real broker and database, with a manual
clock (no sleeping): three transfers to the overall deadline and the move limit, and the
office's clocks paused while a question waits for the citizen, closing as no_reply."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import aio_pika
import pytest

from samleng.common.calendar import working_calendar
from samleng.common.events import (
    ActorRef,
    CitizenActionData,
    ComplaintAcknowledged,
    ComplaintClosed,
    ComplaintEscalated,
    ComplaintReopened,
    DeadlinesChanged,
    Event,
    InformationProvided,
    InformationRequested,
    MoveRequestRefused,
    OfficeActionData,
    ReopenedData,
    TransferRequested,
)
from samleng.routing.adapters.clock import ManualClock
from samleng.routing.app import create_app
from samleng.routing.settings import RoutingSettings
from services.routing.tests.integration.helpers import (
    MONDAY,
    Feed,
    case_record,
    move_request,
    passes,
    submitted,
    tap_all,
)
from tests.support import publish_event, running, settings_for

pytestmark = pytest.mark.integration

HOPS = ["commune:170202", "commune:170203", "commune:170204"]
OMBUDSMAN = "provincial-ombudsman:17"


def limited(stack: Any, **overrides: Any) -> RoutingSettings:
    return settings_for(stack, RoutingSettings, "routing", clock_poll_seconds=0.05, **overrides)


async def three_transfers(amqp: aio_pika.abc.AbstractChannel, feed: Feed, cause: Event) -> Event:
    """Transfer a routed case three times (each office hands it on); the last transfer."""
    [last] = await feed.wait(cause.complaint_id, "complaint.assigned")
    office = "commune:170201"
    for step, to in enumerate(HOPS, start=1):
        await publish_event(amqp, move_request(TransferRequested, last, office, to_office_id=to))
        last = (await feed.wait(cause.complaint_id, "complaint.transferred", step))[-1]
        office = to
    return last


async def test_three_transfers_then_the_overall_deadline_and_the_move_limit(
    stack: Any, amqp: aio_pika.abc.AbstractChannel
) -> None:
    settings = limited(stack, overall_working_days=10, move_limit=3)
    clock = ManualClock(MONDAY)
    feed = await tap_all(amqp)
    slow, passed_on = submitted("170201"), submitted("170201")
    app = create_app(settings, clock=clock)
    async with running(app):
        for cause in (slow, passed_on):
            await publish_event(amqp, cause)
        # one case: a fourth hand-off goes to the provincial ombudsman instead
        last = await three_transfers(amqp, feed, passed_on)
        await publish_event(
            amqp,
            move_request(TransferRequested, last, HOPS[-1], to_office_id="commune:170201"),
        )
        [redirected] = await feed.wait(passed_on.complaint_id, "complaint.escalated")
        # the other case: three hand-offs, then the last office sits on it
        last = await three_transfers(amqp, feed, slow)
        [assigned] = feed.distinct(slow.complaint_id, "complaint.assigned")
        overall_by = assigned.data.deadlines.overall_by  # type: ignore[attr-defined]
        await publish_event(
            amqp,
            ComplaintAcknowledged.caused_by(
                last, producer="test", data=OfficeActionData(office_id=HOPS[-1])
            ),
        )
        transfers = feed.distinct(slow.complaint_id, "complaint.transferred")
        clock.advance(overall_by - MONDAY + timedelta(minutes=1))
        [overdue] = await feed.wait(slow.complaint_id, "complaint.escalated")
        # with the provincial ombudsman, one more hand-off is refused: it must resolve it
        await publish_event(
            amqp, move_request(TransferRequested, overdue, OMBUDSMAN, to_office_id="owso:1702")
        )
        [refused] = await feed.wait(slow.complaint_id, "complaint.move_refused")
        await passes(app.state.clocks)
    # every move carried the same overall deadline, counted from the submission
    calendar = working_calendar(settings)
    assert overall_by == calendar.deadline(MONDAY, 10)
    assert [t.data.to_office.office_id for t in transfers] == HOPS  # type: ignore[attr-defined]
    assert {t.data.deadlines.overall_by for t in transfers} == {overall_by}  # type: ignore[attr-defined]
    assert isinstance(overdue, ComplaintEscalated)
    assert overdue.data.limit == "overall_deadline" and overdue.data.rule == "overall-deadline"
    assert overdue.data.from_office.office_id == HOPS[-1]
    assert overdue.data.to_office.office_id == OMBUDSMAN
    assert "overall time" in overdue.data.reason_en and "អម្បុដ្សម៉ាន់ខេត្ត" in overdue.data.reason_km
    assert isinstance(refused, MoveRequestRefused) and refused.data.office_id == OMBUDSMAN
    assert "handed on 3 times" in refused.data.reason_en and refused.data.reason_km
    assert isinstance(redirected, ComplaintEscalated)
    assert redirected.data.limit == "move_limit" and redirected.data.trigger == "officer_request"
    assert redirected.data.to_office.office_id == OMBUDSMAN
    assert "3 times" in redirected.data.reason_en
    assert len(feed.distinct(passed_on.complaint_id, "complaint.transferred")) == 3
    record = await case_record(settings, slow.complaint_id)
    assert record is not None and record["office_id"] == OMBUDSMAN
    assert [m["rule"] for m in record["moves"]][-1] == "overall-deadline"


async def test_a_question_pauses_the_office_clock_and_silence_closes_the_case_as_no_reply(
    stack: Any, amqp: aio_pika.abc.AbstractChannel
) -> None:
    settings = limited(stack, no_reply_working_days=5)
    clock = ManualClock(MONDAY)
    feed = await tap_all(amqp)
    cause = submitted("170201", service_code="residence.family_book")  # standard: 7 days
    app = create_app(settings, clock=clock)
    calendar = working_calendar(settings)
    async with running(app):
        await publish_event(amqp, cause)
        [assigned] = await feed.wait(cause.complaint_id, "complaint.assigned")
        deadlines = assigned.data.deadlines  # type: ignore[attr-defined]
        ask = InformationRequested.caused_by(
            assigned, producer="test", data=OfficeActionData(office_id="commune:170201")
        )
        await publish_event(amqp, ask)
        [paused] = await feed.wait(cause.complaint_id, "complaint.deadlines_changed")
        # the acknowledge deadline passes while the office waits: nothing escalates
        clock.advance(deadlines.acknowledge_by - MONDAY + timedelta(hours=1))
        await passes(app.state.clocks)
        answer = InformationProvided.caused_by(paused, producer="test", data=CitizenActionData())
        await publish_event(amqp, answer)
        changes = await feed.wait(cause.complaint_id, "complaint.deadlines_changed", 2)
        resumed_at = clock.now()
        # a second question, never answered: the case closes as no_reply
        again = InformationRequested.caused_by(
            changes[1], producer="test", data=OfficeActionData(office_id="commune:170201")
        )
        await publish_event(amqp, again)
        changes = await feed.wait(cause.complaint_id, "complaint.deadlines_changed", 3)
        reply_by = changes[2].data.deadlines.reply_by  # type: ignore[attr-defined]
        clock.advance(reply_by - clock.now() + timedelta(minutes=1))
        [closed] = await feed.wait(cause.complaint_id, "complaint.closed")
        # the citizen reopens it: new deadlines
        reopen = ComplaintReopened.caused_by(
            closed, producer="test", data=ReopenedData(by=ActorRef(role="citizen"))
        )
        await publish_event(amqp, reopen)
        changes = await feed.wait(cause.complaint_id, "complaint.deadlines_changed", 4)
    assert deadlines.resolve_by == calendar.deadline(MONDAY, 7)  # the service's standard
    assert deadlines.sla_rule.endswith("+service-standard")
    assert isinstance(paused, DeadlinesChanged) and paused.data.why == "paused_for_citizen"
    assert paused.data.deadlines.acknowledge_by is None and paused.data.deadlines.resolve_by is None
    assert paused.data.deadlines.reply_by == calendar.deadline(MONDAY, 5)
    assert feed.distinct(cause.complaint_id, "complaint.escalated") == []
    assert feed.distinct(cause.complaint_id, "complaint.deadline_passed") == []
    resumed = changes[1]
    assert isinstance(resumed, DeadlinesChanged) and resumed.data.why == "resumed"
    # the office gets back exactly the working time it had left when it asked
    left = calendar.working_time_between(MONDAY, deadlines.acknowledge_by)
    assert resumed.data.deadlines.acknowledge_by == calendar.add_working_time(resumed_at, left)
    assert isinstance(closed, ComplaintClosed) and closed.data.reason == "no_reply"
    assert closed.data.how == "auto_closed"
    reopened = changes[3]
    assert isinstance(reopened, DeadlinesChanged) and reopened.data.why == "reopened"
    assert reopened.data.deadlines.resolve_by == calendar.deadline(clock.now(), 7)
    assert reopened.data.deadlines.overall_by == calendar.deadline(clock.now(), 30)
