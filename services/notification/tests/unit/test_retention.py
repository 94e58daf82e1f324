"""Notification's retention policy: the pure rules (when a case is final, when its contacts
are due) and the handlers with fakes (finality from events in any order, once; nothing sent
to a case whose contacts were erased, and a replay does not bring them back)."""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta

import pytest

from samleng.common.events import (
    ActorRef,
    CitizenActionData,
    ClosedData,
    ComplaintClosed,
    ComplaintRejected,
    ComplaintReopened,
    ComplaintResolved,
    ComplaintSubmitted,
    ComplaintWithdrawn,
    Event,
    OfficeActionData,
    RejectedData,
    ReopenedData,
    SealedContact,
)
from samleng.notification.delivering import Courier
from samleng.notification.domain.delivery import DeliveryState, RetryPolicy, Target
from samleng.notification.domain.retention import (
    ADDRESS_ERASED,
    ContactRetention,
    Finality,
    finality_of,
)
from samleng.notification.handlers import HANDLERS, confirm_contact
from samleng.notification.ports import NotificationPorts
from samleng.notification.retention.handlers import apply_retention
from services.notification.tests.integration.helpers import assigned, office, submitted
from services.notification.tests.unit.fakes import (
    T0,
    Clock,
    FakeCaseMemory,
    FakeCaseRetention,
    FakeChannel,
    FakeDeliveryQueue,
    FakeKeyring,
    fake_ports,
)
from services.notification.tests.unit.test_couriers import delivery

pytestmark = pytest.mark.unit

A = office("commune:a")
CITIZEN_SMS = SealedContact(channel="sms", ciphertext="sealed:+85599000001", key_id="k1")
POLICY = ContactRetention(contacts_days=180)


def life(at: datetime = T0) -> list[Event]:
    """Submitted (with an SMS contact), assigned, resolved, closed: the events of one case."""
    first = submitted(str(uuid.uuid4()), (CITIZEN_SMS,), language="en")
    events: list[Event] = [first, assigned(first, A)]
    events.append(ComplaintResolved.caused_by(events[-1], producer="test", data=_office()))
    closed = ComplaintClosed.caused_by(
        events[-1], producer="test", data=ClosedData(how="auto_closed", office_id="commune:a")
    )
    events.append(closed.model_copy(update={"occurred_at": at}))
    return events


def _office() -> OfficeActionData:
    return OfficeActionData(office_id="commune:a")


def reopened(cause: Event) -> ComplaintReopened:
    """The citizen reopens the case after ``cause``."""
    data = ReopenedData(by=ActorRef(role="citizen"), office_id="commune:a")
    return ComplaintReopened.caused_by(cause, producer="test", data=data)


async def handle(ports: NotificationPorts, *events: Event) -> None:
    """Dispatch through the table; the citizen confirms their contact after submission."""
    dispatch = HANDLERS.bind(ports)
    for event in events:
        await dispatch(event)
        if isinstance(event, ComplaintSubmitted):
            assert await confirm_contact(ports.consent.index.code_for(event.complaint_id, 0), ports)


def retention_of(ports: NotificationPorts) -> FakeCaseRetention:
    assert isinstance(ports.retention, FakeCaseRetention)
    return ports.retention


def citizen_deliveries(ports: NotificationPorts) -> list[str]:
    """Event types of every delivery planned to the citizen (confirmation requests too)."""
    assert isinstance(ports.deliveries, FakeDeliveryQueue)
    return [d.event_type for d in ports.deliveries.deliveries.values() if d.audience == "citizen"]


# --- the pure rules ----------------------------------------------------------------------


def test_closed_rejected_and_withdrawn_make_a_case_final_and_a_reopening_undoes_it() -> None:
    *_, closed = life()
    rejected = ComplaintRejected.caused_by(
        closed, producer="t", data=RejectedData(office_id="commune:a", reason="spam")
    )
    withdrawn = ComplaintWithdrawn.caused_by(
        closed, producer="t", data=CitizenActionData(office_id=None)
    )
    for event in (closed, rejected, withdrawn):
        assert finality_of(event) == Finality(event.sequence, event.occurred_at)
    again = reopened(closed)
    assert finality_of(again) == Finality(again.sequence, None)
    assert finality_of(life()[0]) is None and finality_of(life()[2]) is None


def test_only_newer_news_supersedes_what_the_case_knows() -> None:
    final = Finality(5, T0)
    assert final.supersedes(None)
    assert Finality(6, None).supersedes(final)
    assert not Finality(5, T0 + timedelta(days=1)).supersedes(final)  # the same event again
    assert not Finality(4, T0).supersedes(Finality(6, None))  # an older closure, late


def test_contacts_are_due_only_once_the_period_after_finality_has_passed() -> None:
    assert not POLICY.due(T0, T0 + timedelta(days=180))
    assert POLICY.due(T0, T0 + timedelta(days=180, seconds=1))
    assert not POLICY.due(None, T0 + timedelta(days=1000))  # not final: never
    assert POLICY.cutoff(T0) == T0 - timedelta(days=180)


# --- the handlers, with fakes ---------------------------------------------------------------


async def test_each_final_event_and_a_reopening_is_recorded_by_sequence_in_any_order() -> None:
    ports = fake_ports()
    events = life()
    first, *_, closed = events
    again = reopened(closed)
    await handle(ports, *events, again, closed, closed)  # the closure replayed after
    known = retention_of(ports).finality[first.complaint_id]
    assert known == Finality(again.sequence, None)  # still reopened
    later = ComplaintWithdrawn.caused_by(again, producer="t", data=CitizenActionData())
    await handle(ports, later, again)
    assert retention_of(ports).finality[first.complaint_id] == Finality(
        later.sequence, later.occurred_at
    )


async def test_events_of_cases_that_are_not_final_write_nothing_more() -> None:
    ports = fake_ports()
    events = life()
    await handle(ports, *events[:-1])  # submitted, assigned, resolved
    assert retention_of(ports).writes == 0


async def test_contacts_are_erased_after_the_period_and_not_before() -> None:
    ports = fake_ports()
    events = life(at=T0)
    await handle(ports, *events)
    store, complaint_id = retention_of(ports), events[0].complaint_id
    day_180 = T0 + timedelta(days=180)
    assert await apply_retention(store, POLICY, day_180, dry_run=True) == 0
    assert await apply_retention(store, POLICY, day_180) == 0
    later = day_180 + timedelta(hours=1)
    assert await apply_retention(store, POLICY, later, dry_run=True) == 1
    memory = ports.cases
    assert isinstance(memory, FakeCaseMemory)
    assert memory.cases[complaint_id].contacts == (CITIZEN_SMS,)  # a dry run erases nothing
    assert await apply_retention(store, POLICY, later) == 1
    assert memory.cases[complaint_id].contacts == ()
    assert await apply_retention(store, POLICY, later) == 0


async def test_a_reopening_cancels_the_erasure() -> None:
    ports = fake_ports()
    events = life(at=T0)
    await handle(ports, *events, reopened(events[-1]))
    assert await apply_retention(retention_of(ports), POLICY, T0 + timedelta(days=400)) == 0


async def test_after_erasure_nothing_goes_to_the_citizen_and_a_replay_restores_nothing() -> None:
    ports = fake_ports()
    events = life(at=T0)
    first = events[0]
    await handle(ports, *events)
    await apply_retention(retention_of(ports), POLICY, T0 + timedelta(days=181))
    before = citizen_deliveries(ports)
    late = reopened(events[-1])
    resolved = ComplaintResolved.caused_by(late, producer="t", data=_office())
    await HANDLERS.bind(ports)(late)
    await HANDLERS.bind(ports)(resolved)
    await HANDLERS.bind(ports)(first)  # complaint.submitted, replayed
    assert citizen_deliveries(ports) == before  # nothing new to the citizen
    memory = ports.cases
    assert isinstance(memory, FakeCaseMemory)
    assert memory.cases[first.complaint_id].contacts == ()


async def test_a_delivery_whose_address_was_erased_fails_if_sent_again() -> None:
    queue, sms, clock = FakeDeliveryQueue(), FakeChannel(), Clock()
    await queue.plan([delivery(target=Target())])
    courier = Courier(
        queue, sms, FakeKeyring(), RetryPolicy(10, 60, 3), lease=timedelta(seconds=120),
        poll_seconds=0.01, clock=clock,
    )  # fmt: skip
    await courier.deliver_due()
    stored = queue.deliveries[delivery().id]
    assert stored.state == DeliveryState.FAILED and sms.sent == []
    assert stored.last_error == ADDRESS_ERASED
