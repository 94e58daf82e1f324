"""Notification's use cases: plan the deliveries an event causes, and the daily digests.

Deliveries go to the delivery queue, and the couriers
(:mod:`samleng.notification.delivering`) send them; only an office's in-app delivery is
stored sent as it is planned: it is the alert in its office's feed (notification's own
store), so no courier leases and settles it. Planning twice (a duplicated event, two
replicas) stores each delivery once, because a delivery's id is its (event, recipient,
channel). Handlers depend only on the ports (:mod:`samleng.notification.ports`).
"""

from __future__ import annotations

from datetime import datetime

from samleng.common.events import (
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
    ContactStopped,
    DeadlineApproaching,
    DeadlinePassed,
    Event,
    InformationProvided,
    InformationRequested,
    MoveRequestRefused,
    SealedContact,
)
from samleng.common.handling import HandlerTable
from samleng.notification.domain.cases import CaseRecord, move_of
from samleng.notification.domain.consent import parse_code, same_address
from samleng.notification.domain.delivery import Delivery, DeliveryState, SendFailed
from samleng.notification.domain.notices import notices_for
from samleng.notification.ports import NotificationPorts
from samleng.notification.retention.handlers import record_finality


async def on_submitted(event: ComplaintSubmitted, ports: NotificationPorts) -> None:
    """Remember the citizen's sealed contacts (each address once), and ask each to confirm.

    Nothing about the case goes to a contact before its holder confirms: the first
    message is a confirmation request carrying a code (``domain/consent.py``). Confirmed
    already: an address the case was filed from (``from_holder``: an SMS, a Telegram chat,
    a Messenger conversation with the Page) and the number a citizen gave a desk agent for
    their receipt (the agent reads it back to them); the receipt carries the tracking code.
    """
    complaint_id = event.complaint_id
    contacts = _unique(event.data.contacts, ports)
    case = await ports.cases.learn_contacts(complaint_id, event.data.language, contacts)
    if case.contacts_erased:  # a replay after the retention policy erased them: not again
        await ports.retention.erase_replayed(complaint_id)
        return
    receipt = event.data.receipt
    chosen = receipt.contact if receipt is not None else None  # in front of a desk agent
    if chosen is not None and chosen < len(case.contacts) and chosen not in case.confirmed:
        case = await ports.cases.confirm(complaint_id, chosen)
    now = ports.clock()
    index = ports.consent.index
    for number, contact in enumerate(case.contacts):
        if contact.from_holder:  # filed from this address: its holder wrote first
            await _resume(contact, ports, event.occurred_at)
            if number not in case.confirmed:
                case = await ports.cases.confirm(complaint_id, number)
    waiting = [i for i in range(len(case.contacts)) if i not in case.confirmed]
    await ports.confirmations.expect(
        [(index.code_key(index.code_for(complaint_id, i)), complaint_id, i) for i in waiting],
        ports.consent.code_expiry(now),
    )
    deliveries = ports.planner.confirmation_requests(complaint_id, case, now)
    if receipt is not None:
        deliveries += ports.planner.receipt(complaint_id, case, receipt, now)
    # a replay after a confirmation: the notices kept meanwhile (each planned once)
    deliveries += [d for n in case.notices for d in ports.planner.for_citizen(n, case, now)]
    await _plan(ports, deliveries)


async def _resume(contact: SealedContact, ports: NotificationPorts, at: datetime) -> None:
    try:
        address = ports.keyring.open(contact.ciphertext, contact.key_id)
    except SendFailed:
        return  # it fails at send time, with its reason
    await ports.allowance.resume(ports.consent.index.stop_key(contact.channel, address), at)


async def on_contact_stopped(event: ContactStopped, ports: NotificationPorts) -> None:
    """The holder of a contact sent STOP: nothing more goes to that address, about any case
    (unless a START of it later than this STOP is kept already: events may come late)."""
    contact = event.data.contact
    try:
        address = ports.keyring.open(contact.ciphertext, contact.key_id)
    except SendFailed:
        return  # a contact this deployment cannot open gets nothing anyway
    key = ports.consent.index.stop_key(contact.channel, address)
    await ports.allowance.stop(key, event.occurred_at)


async def on_contact_resumed(event: ContactResumed, ports: NotificationPorts) -> None:
    """The holder of a contact that sent STOP sent START: messages go to it again, about
    every case (what was suppressed meanwhile stays unsent)."""
    await _resume(event.data.contact, ports, event.occurred_at)


async def confirm_contact(typed: str, ports: NotificationPorts) -> bool:
    """A contact's holder typed the code they received: send them their case's news from
    now on (and what they missed). False when no unexpired code matches."""
    code = parse_code(typed)
    if code is None:
        return False
    now = ports.clock()
    found = await ports.confirmations.find(ports.consent.index.code_key(code), now)
    if found is None:
        return False
    complaint_id, contact = found
    case = await ports.cases.confirm(complaint_id, contact)
    missed = [d for n in case.notices for d in ports.planner.for_citizen(n, case, now, contact)]
    await _plan(ports, missed)
    return True


def _unique(
    contacts: tuple[SealedContact, ...], ports: NotificationPorts
) -> tuple[SealedContact, ...]:
    """Each address once (intake dedupes too; an older producer may not have)."""
    seen: set[tuple[str, str]] = set()
    unique = []
    for contact in contacts:
        try:
            address = ports.keyring.open(contact.ciphertext, contact.key_id)
        except SendFailed:
            unique.append(contact)  # it fails at send time, with its reason
            continue
        same = same_address(contact.channel, address)
        if same not in seen:
            seen.add(same)
            unique.append(contact)
    return tuple(unique)


async def plan_alerts(event: Event, ports: NotificationPorts) -> None:
    """Plan every delivery an event causes, then wake the couriers if any are new.

    The case record keeps, in one write, the move the event makes, its citizen notices
    (for contacts that come later) and the office notices that name no office (for the
    move that tells which office was in charge); those it can place now are planned.
    """
    notices = notices_for(event)
    move = move_of(event)
    waiting = [n for n in notices if n.audience == "citizen" or not n.office_id]
    case = CaseRecord()
    if move or waiting:
        case = await ports.cases.remember(event.complaint_id, move=move, notices=waiting)
    placed = case.placeable()
    named = [n for n in notices if n.audience == "office" and n.office_id]
    officers = await ports.recipients.of_offices(n.office_id or "" for n in placed + named)
    now = ports.clock()
    deliveries: list[Delivery] = []
    for notice in placed:
        deliveries += ports.planner.for_office(notice, officers[notice.office_id or ""], now)
    for notice in notices:
        if notice.audience == "citizen" and case.contacts_known:
            deliveries += ports.planner.for_citizen(notice, case, now)
        elif notice in named:
            deliveries += ports.planner.for_office(notice, officers[notice.office_id or ""], now)
    await _plan(ports, deliveries)
    if placed:
        await ports.cases.forget_office_notices(event.complaint_id, [n.event_id for n in placed])


async def on_status_settled(event: Event, ports: NotificationPorts) -> None:
    """A closure, rejection, withdrawal or reopening: plan its alerts, then record when
    the case became final (or that it no longer is), for the retention policy."""
    await plan_alerts(event, ports)
    await record_finality(event, ports)


async def _plan(ports: NotificationPorts, deliveries: list[Delivery]) -> None:
    deliveries = [await _within_cap(d, ports) for d in deliveries]
    deliveries = _in_app_sent(deliveries, ports)
    if await ports.deliveries.plan(deliveries):
        due = {d.channel for d in deliveries if d.state == DeliveryState.PENDING}
        if due:
            ports.couriers.wake(due)


def _in_app_sent(deliveries: list[Delivery], ports: NotificationPorts) -> list[Delivery]:
    """The deliveries, each in-app one sent now: stored sent, it is its office's feed alert
    (one insert; the delivery's id keeps it once per event and office)."""
    now = ports.clock()
    return [
        d.sent_now(now) if d.channel == "in_app" and d.state == DeliveryState.PENDING else d
        for d in deliveries
    ]


async def _within_cap(delivery: Delivery, ports: NotificationPorts) -> Delivery:
    """The delivery, or suppressed when its citizen address had its messages for the day.

    Counted per keyed hash of the address across every case, so a number typed into a
    thousand complaints still gets at most the cap. The address is opened in memory here
    and forgotten; the counter holds only keyed hashes, and expires.
    """
    target = delivery.target
    if delivery.audience != "citizen" or delivery.state != DeliveryState.PENDING:
        return delivery
    now = ports.clock()
    try:
        address = ports.keyring.open(target.ciphertext, target.key_id)
    except SendFailed as failure:
        return delivery.failed_because(failure.reason, now)
    policy = ports.consent
    if await ports.allowance.stopped(policy.index.stop_key(delivery.channel, address)):
        return delivery.suppressed_because("the holder of this address sent STOP; not sent")
    key, expires_at = policy.counter(now, delivery.channel, address)
    if await ports.allowance.admit(
        key, policy.index.token(delivery.id), policy.daily_cap, expires_at
    ):
        return delivery
    return delivery.suppressed_because(
        f"this address already had {policy.daily_cap} messages today (the daily cap); not sent"
    )


async def send_digests(ports: NotificationPorts, now: datetime) -> int:
    """Gather each digest taker's held alerts into one delivery per channel; returns how many."""
    made = 0
    for officer in await ports.recipients.digest_takers():
        for endpoint in officer.endpoints:
            held = await ports.deliveries.held(officer.key, endpoint.channel)
            if not held:
                continue
            stored = await ports.deliveries.plan_digest(
                ports.planner.digest(officer, endpoint, held, now)
            )
            await ports.deliveries.mark_digested(stored.items, stored.id)
            made += 1
    if made:
        ports.couriers.wake()
    return made


HANDLERS: HandlerTable[NotificationPorts] = HandlerTable(
    service="notification",
    queue="notification.alerts",
    handlers={
        ComplaintSubmitted: on_submitted,
        ComplaintAssigned: plan_alerts,
        ComplaintForwarded: plan_alerts,
        ComplaintTransferred: plan_alerts,
        ComplaintEscalated: plan_alerts,
        DeadlineApproaching: plan_alerts,
        DeadlinePassed: plan_alerts,
        InformationRequested: plan_alerts,
        InformationProvided: plan_alerts,
        ComplaintResolved: plan_alerts,
        ComplaintClosed: on_status_settled,
        ComplaintRejected: on_status_settled,
        ComplaintWithdrawn: on_status_settled,
        ComplaintReopened: on_status_settled,
        MoveRequestRefused: plan_alerts,
        ComplaintLinked: plan_alerts,
        ContactStopped: on_contact_stopped,
        ContactResumed: on_contact_resumed,
    },
)
