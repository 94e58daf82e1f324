"""Every handler of notification's table, with in-memory fakes: who is told what, once."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from samleng.common.events import (
    ActorRef,
    CitizenActionData,
    ClosedData,
    ComplaintAssigned,
    ComplaintClosed,
    ComplaintEscalated,
    ComplaintForwarded,
    ComplaintLinked,
    ComplaintRejected,
    ComplaintReopened,
    ComplaintResolved,
    ComplaintSubmitted,
    ComplaintTransferred,
    ComplaintWithdrawn,
    ContactResumed,
    ContactResumedData,
    ContactStopped,
    ContactStoppedData,
    DeadlineApproaching,
    DeadlineData,
    DeadlinePassed,
    EscalatedData,
    Event,
    InformationProvided,
    InformationRequested,
    LinkedData,
    MovedData,
    MoveRefusedData,
    MoveRequestRefused,
    OfficeActionData,
    SealedContact,
)
from samleng.notification.domain.consent import CONFIRMATION_KIND
from samleng.notification.domain.delivery import DeliveryState, Endpoint, Recipient
from samleng.notification.handlers import HANDLERS, confirm_contact, send_digests
from samleng.notification.ports import NotificationPorts
from services.notification.tests.integration.helpers import assigned, moved, office, submitted
from services.notification.tests.unit.fakes import (
    FakeAlertFeed,
    FakeBell,
    FakeCaseMemory,
    FakeDeliveryQueue,
    FakeRecipientDirectory,
    fake_ports,
)

pytestmark = pytest.mark.unit

A, B = office("commune:a"), office("district:b", "district")
CITIZEN_SMS = SealedContact(channel="sms", ciphertext="sealed:+85599000001", key_id="k1")
DARA = Recipient(
    "commune:a", "dara", "en", (Endpoint("email", "dara@a.example"), Endpoint("sms", "+8551"))
)


def ports_with(*officers: Recipient) -> NotificationPorts:
    """Fake ports where these officers receive their offices' alerts."""
    directory = FakeRecipientDirectory({r.key: r for r in officers})
    return fake_ports(recipients=directory)


async def handle(ports: NotificationPorts, *events: Event, confirm: bool = True) -> None:
    """Dispatch events through the table, as the inbox does; after complaint.submitted,
    the citizen confirms every contact with the code it received (unless ``confirm`` is
    False)."""
    dispatch = HANDLERS.bind(ports)
    for event in events:
        await dispatch(event)
        if confirm and isinstance(event, ComplaintSubmitted):
            for index in range(len(event.data.contacts)):
                code = ports.consent.index.code_for(event.complaint_id, index)
                assert await confirm_contact(code, ports)


def planned(ports: NotificationPorts, *, requests: bool = False) -> list[tuple[str, str, str, str]]:
    """(event type, recipient, channel, state) of every planned delivery (confirmation
    requests only when ``requests``)."""
    queue = ports.deliveries
    assert isinstance(queue, FakeDeliveryQueue)
    return [
        (d.event_type, d.recipient, d.channel, d.state)
        for d in queue.deliveries.values()
        if requests or d.kind != CONFIRMATION_KIND
    ]


def rings(ports: NotificationPorts) -> int:
    """How often the couriers were woken (not counting for confirmation requests)."""
    assert isinstance(ports.couriers, FakeBell)
    assert isinstance(ports.deliveries, FakeDeliveryQueue)
    requests = {
        d.complaint_id for d in ports.deliveries.deliveries.values() if d.kind == CONFIRMATION_KIND
    }
    return ports.couriers.rings - len(requests)


def then(cause: Event, cls: Any, data: Any) -> Any:
    """The event of type ``cls`` that follows ``cause``."""
    return cls.caused_by(cause, producer="test", data=data)


def case() -> ComplaintSubmitted:
    """A new case whose citizen left an SMS contact, in English."""
    return submitted(str(uuid.uuid4()), (CITIZEN_SMS,), language="en")


async def test_assigned_tells_the_office_feed_each_officer_channel_and_the_citizen() -> None:
    ports = ports_with(DARA)
    first = case()
    assignment = assigned(first, A)
    await handle(ports, first, assignment)
    citizen = f"citizen:{first.complaint_id}:0"
    assert planned(ports) == [
        ("complaint.assigned", "office:commune:a", "in_app", "sent"),
        ("complaint.assigned", DARA.key, "email", "pending"),
        ("complaint.assigned", DARA.key, "sms", "pending"),
        ("complaint.assigned", citizen, "sms", "pending"),
    ]
    queue = ports.deliveries
    assert isinstance(queue, FakeDeliveryQueue)
    to_citizen = queue.deliveries[f"{assignment.event_id}|{citizen}|sms"]
    assert to_citizen.target.sealed and to_citizen.target.ciphertext == CITIZEN_SMS.ciphertext
    assert to_citizen.language == "en" and "https://samleng.example/track" in to_citizen.text
    assert first.complaint_id not in to_citizen.text
    feed = queue.deliveries[f"{assignment.event_id}|office:commune:a|in_app"]
    assert feed.title_en == "A new case was assigned to Office commune:a."
    # the office feed is its sent in-app deliveries: the alert is in it already, and no
    # courier is woken for it
    assert isinstance(ports.feed, FakeAlertFeed)
    (alert,) = ports.feed.alerts
    assert (alert.event_id, alert.recipient, alert.channel) == (
        str(assignment.event_id),
        "office:commune:a",
        "in_app",
    )
    assert alert.title_en == feed.title_en and alert.created_at == assignment.occurred_at
    assert feed.sent_at is not None and feed.attempts == 1
    assert rings(ports) == 1
    assert isinstance(ports.couriers, FakeBell) and ports.couriers.channels == {"email", "sms"}


async def test_an_event_for_the_feed_alone_wakes_no_courier_and_a_repeat_adds_no_alert() -> None:
    ports = ports_with()
    first = case()
    transfer = then(first, ComplaintTransferred, MovedData(**moved(first, B, A)))
    await handle(ports, transfer, transfer)
    assert planned(ports) == [("complaint.transferred", "office:commune:a", "in_app", "sent")]
    assert isinstance(ports.feed, FakeAlertFeed) and len(ports.feed.alerts) == 1
    assert rings(ports) == 0


async def test_one_case_write_per_event_and_none_for_a_citizen_notice_once_contacts_confirmed() -> (
    None
):
    ports = ports_with(DARA)
    first = case()
    assignment = assigned(first, A)
    question = then(assignment, InformationRequested, OfficeActionData(office_id=A.office_id))
    await handle(ports, first, assignment)
    # the contacts, the citizen's confirmation, the assignment
    assert isinstance(ports.cases, FakeCaseMemory) and ports.cases.writes == 3
    await handle(ports, question)
    assert ports.cases.writes == 3
    assert len(planned(ports)) == 5


async def test_a_duplicated_event_plans_nothing_new_and_wakes_no_courier() -> None:
    ports = ports_with(DARA)
    first = case()
    assignment = assigned(first, A)
    await handle(ports, first, assignment, assignment)
    assert len(planned(ports)) == 4
    assert rings(ports) == 1


async def test_submitted_remembers_the_contacts_and_sends_what_the_citizen_missed() -> None:
    ports = ports_with()
    first = case()
    question = then(first, InformationRequested, OfficeActionData(office_id=A.office_id))
    await handle(ports, question)
    assert planned(ports) == [] and rings(ports) == 0
    await handle(ports, first)
    assert planned(ports) == [
        ("complaint.information_requested", f"citizen:{first.complaint_id}:0", "sms", "pending")
    ]
    assert rings(ports) == 1


async def test_escalated_tells_both_offices_and_the_citizen() -> None:
    ports = ports_with(DARA)
    first = case()
    escalation = then(
        first, ComplaintEscalated, EscalatedData(**moved(first, A, B), trigger="appeal")
    )
    await handle(ports, first, escalation)
    assert [(r, c) for _, r, c, _ in planned(ports)] == [
        ("office:district:b", "in_app"),
        ("office:commune:a", "in_app"),
        (DARA.key, "email"),
        (DARA.key, "sms"),
        (f"citizen:{first.complaint_id}:0", "sms"),
    ]


async def test_forwarded_tells_the_new_office_and_the_citizen() -> None:
    ports = ports_with(DARA)
    first = case()
    await handle(ports, first, then(first, ComplaintForwarded, MovedData(**moved(first, B, A))))
    assert [(r, c) for _, r, c, _ in planned(ports)] == [
        ("office:commune:a", "in_app"),
        (DARA.key, "email"),
        (DARA.key, "sms"),
        (f"citizen:{first.complaint_id}:0", "sms"),
    ]


async def test_transferred_tells_only_the_new_office() -> None:
    ports = ports_with(DARA)
    first = case()
    await handle(ports, first, then(first, ComplaintTransferred, MovedData(**moved(first, B, A))))
    assert [r for _, r, _, _ in planned(ports)] == ["office:commune:a", DARA.key, DARA.key]


@pytest.mark.parametrize("deadline", [DeadlineApproaching, DeadlinePassed])
async def test_a_deadline_tells_the_office_whose_deadline_it_is_without_a_case_write(
    deadline: Any,
) -> None:
    ports = ports_with(DARA)
    first = case()
    due = datetime(2026, 3, 3, 9, 0, tzinfo=UTC)
    event = then(first, deadline, DeadlineData(office=A, deadline="resolve", due_at=due))
    await handle(ports, event)
    assert [(r, c) for _, r, c, _ in planned(ports)] == [
        ("office:commune:a", "in_app"),
        (DARA.key, "email"),
        (DARA.key, "sms"),
    ]
    assert isinstance(ports.cases, FakeCaseMemory) and ports.cases.writes == 0
    assert isinstance(ports.deliveries, FakeDeliveryQueue) and ports.deliveries.writes == 1


@pytest.mark.parametrize(
    ("event_class", "data"),
    [
        (InformationRequested, OfficeActionData(office_id="commune:a")),
        (ComplaintResolved, OfficeActionData(office_id="commune:a")),
    ],
)
async def test_a_question_or_a_resolution_tells_only_the_citizen(
    event_class: Any, data: Any
) -> None:
    ports = ports_with(DARA)
    first = case()
    await handle(ports, first, then(first, event_class, data))
    assert [(r, c) for _, r, c, _ in planned(ports)] == [(f"citizen:{first.complaint_id}:0", "sms")]


@pytest.mark.parametrize(
    ("data", "told"),
    [
        (ClosedData(how="auto_closed", office_id="commune:a", reason="no_reply"), True),
        (ClosedData(how="auto_closed", office_id="commune:a"), True),
        (ClosedData(how="confirmed_by_citizen", office_id="commune:a"), False),
    ],
)
async def test_a_closure_tells_the_citizen_unless_they_made_it(
    data: ClosedData, told: bool
) -> None:
    ports = ports_with(DARA)
    first = case()
    await handle(ports, first, then(first, ComplaintClosed, data))
    expected = [(f"citizen:{first.complaint_id}:0", "sms")] if told else []
    assert [(r, c) for _, r, c, _ in planned(ports)] == expected


async def test_a_refused_move_tells_the_office_that_asked() -> None:
    ports = ports_with(DARA)
    first = case()
    refusal = MoveRefusedData(
        office_id=A.office_id, request="escalation", request_event_id=str(uuid.uuid4()),
        reason_en="the national team is the top of the ladder",
        reason_km="ក្រុមការងារថ្នាក់ជាតិគឺជាថ្នាក់ខ្ពស់បំផុត",
        requested_by=ActorRef(role="officer", office_id=A.office_id),
    )  # fmt: skip
    await handle(ports, first, then(first, MoveRequestRefused, refusal))
    assert [(r, c) for _, r, c, _ in planned(ports)] == [
        ("office:commune:a", "in_app"),
        (DARA.key, "email"),
        (DARA.key, "sms"),
    ]
    queue = ports.deliveries
    assert isinstance(queue, FakeDeliveryQueue)
    (feed,) = [d for d in queue.deliveries.values() if d.channel == "in_app"]
    assert feed.title_en == (
        "Your office's escalation request for a case was refused; the case stays with you: "
        "the national team is the top of the ladder"
    )


async def test_an_answer_before_the_assignment_waits_for_the_office_in_charge_then() -> None:
    ports = ports_with(DARA)
    first = case()
    assignment = assigned(first, A)
    answer = then(assignment, InformationProvided, CitizenActionData(office_id=None))
    later = then(answer, ComplaintTransferred, MovedData(**moved(first, A, B)))
    await handle(ports, first, answer)
    assert planned(ports) == []
    await handle(ports, assignment)
    to_a = sorted((t, r) for t, r, c, _ in planned(ports) if c == "in_app")
    assert to_a == [
        ("complaint.assigned", "office:commune:a"),
        ("complaint.information_provided", "office:commune:a"),
    ]
    assert isinstance(ports.cases, FakeCaseMemory)
    assert ports.cases.cases[first.complaint_id].office_notices == ()
    await handle(ports, later)  # a later move does not send the answer again
    assert [r for t, r, _, _ in planned(ports) if t == "complaint.information_provided"] == [
        "office:commune:a",
        DARA.key,
        DARA.key,
    ]


async def test_an_answer_naming_no_office_goes_to_the_office_the_case_is_with() -> None:
    ports = ports_with()
    first = case()
    assignment = assigned(first, A)
    answer = then(assignment, InformationProvided, CitizenActionData(office_id=None))
    await handle(ports, first, assignment, answer)
    assert ("complaint.information_provided", "office:commune:a", "in_app", "sent") in (
        planned(ports)
    )


async def test_a_channel_this_deployment_lacks_is_planned_failed_with_the_reason() -> None:
    ports = ports_with(Recipient("commune:a", "sokha", "km", (Endpoint("telegram", "4242"),)))
    await handle(ports, assigned(case(), A))
    queue = ports.deliveries
    assert isinstance(queue, FakeDeliveryQueue)
    (telegram,) = [d for d in queue.deliveries.values() if d.channel == "telegram"]
    assert telegram.state == DeliveryState.FAILED
    assert telegram.last_error == "the telegram channel is not configured in this deployment"


async def test_a_digest_taker_gets_held_alerts_gathered_into_one_delivery() -> None:
    vanna = Recipient("commune:a", "vanna", "en", (Endpoint("email", "v@a.example"),), True)
    ports = ports_with(vanna)
    await handle(ports, assigned(case(), A), assigned(case(), A))
    queue = ports.deliveries
    assert isinstance(queue, FakeDeliveryQueue)
    assert len(queue.in_state(DeliveryState.HELD)) == 2
    now = datetime(2026, 3, 3, 1, 0, tzinfo=UTC)
    assert await send_digests(ports, now) == 1
    assert await send_digests(ports, now + timedelta(minutes=1)) == 0
    (digest,) = [d for d in queue.deliveries.values() if d.kind == "digest"]
    assert digest.state == DeliveryState.PENDING and len(digest.items) == 2
    assert digest.subject == "Samleng: 2 alert(s) for 3 March 2026"
    assert digest.text.count("A new case was assigned to Office commune:a.") == 2
    gathered = queue.in_state(DeliveryState.DIGESTED)
    assert len(gathered) == 2 and {d.digest_id for d in gathered} == {digest.id}


async def test_a_link_tells_the_citizen_only_and_names_no_other_case() -> None:
    ports = ports_with(DARA)
    first = case()
    assignment = assigned(first, A)
    link = then(assignment, ComplaintLinked, LinkedData(office_id="commune:a", original_id="o-1"))
    await handle(ports, first, assignment, link, link)
    citizen = f"citizen:{first.complaint_id}:0"
    told = [p for p in planned(ports) if p[0] == "complaint.linked"]
    assert told == [("complaint.linked", citizen, "sms", "pending")]
    queue = ports.deliveries
    assert isinstance(queue, FakeDeliveryQueue)
    text = queue.deliveries[f"{link.event_id}|{citizen}|sms"].text
    assert "same problem" in text and "o-1" not in text and first.complaint_id not in text
    # closed with its original: told so, not that the time to confirm ran out
    closed = then(
        link, ComplaintClosed, ClosedData(how="auto_closed", office_id="commune:a", follows="o-1")
    )
    await handle(ports, closed)
    text = queue.deliveries[f"{closed.event_id}|{citizen}|sms"].text
    assert "together with the other reports" in text and "o-1" not in text


def test_every_event_of_the_table_is_tested_here() -> None:
    tested = {
        ComplaintSubmitted, ComplaintAssigned, ComplaintEscalated, ComplaintForwarded,
        ComplaintTransferred, DeadlineApproaching, DeadlinePassed, InformationRequested,
        InformationProvided, ComplaintResolved, ComplaintClosed, MoveRequestRefused,
        ContactStopped, ComplaintLinked, ContactResumed,
        # their finality, in test_retention.py
        ComplaintRejected, ComplaintWithdrawn, ComplaintReopened,
    }  # fmt: skip
    assert set(HANDLERS.event_types()) == tested


async def test_a_contact_the_case_was_filed_from_needs_no_confirmation() -> None:
    ports = ports_with()
    holder = CITIZEN_SMS.model_copy(update={"from_holder": True})
    first = submitted(str(uuid.uuid4()), (holder,), language="en")
    await handle(ports, first, assigned(first, A), confirm=False)
    citizen = f"citizen:{first.complaint_id}:0"
    assert planned(ports, requests=True) == [
        ("complaint.assigned", "office:commune:a", "in_app", "sent"),
        ("complaint.assigned", citizen, "sms", "pending"),
    ]


async def test_stop_suppresses_every_later_message_to_that_address_on_any_case() -> None:
    ports = ports_with()
    holder = CITIZEN_SMS.model_copy(update={"from_holder": True})
    first = submitted(str(uuid.uuid4()), (holder,), language="en")
    other = submitted(str(uuid.uuid4()), (CITIZEN_SMS,), language="en")  # typed on the web
    stop = then(first, ContactStopped, ContactStoppedData(contact=CITIZEN_SMS))
    await handle(ports, first, confirm=False)
    await handle(ports, other, stop, assigned(first, A), assigned(other, A))
    to_citizen = [p for p in planned(ports) if p[1].startswith("citizen:")]
    assert [state for *_, state in to_citizen] == ["suppressed", "suppressed"]
    again = submitted(str(uuid.uuid4()), (holder,), language="en")  # filed from it again
    await handle(ports, again, assigned(again, A), confirm=False)
    assert ("complaint.assigned", f"citizen:{again.complaint_id}:0", "sms", "pending") in planned(
        ports
    )


async def test_start_after_stop_lets_messages_go_to_that_address_again() -> None:
    ports = ports_with()
    holder = CITIZEN_SMS.model_copy(update={"from_holder": True})
    first = submitted(str(uuid.uuid4()), (holder,), language="en")
    stop = then(first, ContactStopped, ContactStoppedData(contact=holder))
    start = then(stop, ContactResumed, ContactResumedData(contact=holder))
    start = start.model_copy(update={"occurred_at": stop.occurred_at + timedelta(seconds=1)})
    await handle(ports, first, stop, assigned(first, A), confirm=False)
    await handle(
        ports, start, then(first, ComplaintResolved, OfficeActionData(office_id="commune:a"))
    )
    to_citizen = [(p[0], p[3]) for p in planned(ports) if p[1].startswith("citizen:")]
    assert to_citizen == [
        ("complaint.assigned", "suppressed"),
        ("complaint.resolved", "pending"),
    ]


async def test_a_stop_that_comes_after_a_later_start_changes_nothing() -> None:
    ports = ports_with()
    holder = CITIZEN_SMS.model_copy(update={"from_holder": True})
    first = submitted(str(uuid.uuid4()), (holder,), language="en")
    stop = then(first, ContactStopped, ContactStoppedData(contact=holder))
    start = then(stop, ContactResumed, ContactResumedData(contact=holder))
    start = start.model_copy(update={"occurred_at": stop.occurred_at + timedelta(seconds=1)})
    await handle(ports, first, start, stop, stop, assigned(first, A), confirm=False)
    assert [p[3] for p in planned(ports) if p[1].startswith("citizen:")] == ["pending"]
