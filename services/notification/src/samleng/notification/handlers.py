"""Notification's use cases: plan the deliveries an event causes, and the daily digests.

Nothing is sent here: deliveries go to the delivery queue, and the couriers
(:mod:`samleng.notification.delivering`) send them. Planning twice (a duplicated event,
two replicas) stores each delivery once, because a delivery's id is its (event,
recipient, channel). Handlers depend only on the ports (:mod:`samleng.notification.ports`).
"""

from __future__ import annotations

from datetime import datetime

from samleng.common.events import (
    ComplaintAssigned,
    ComplaintEscalated,
    ComplaintForwarded,
    ComplaintResolved,
    ComplaintSubmitted,
    ComplaintTransferred,
    DeadlineApproaching,
    DeadlinePassed,
    Event,
    InformationProvided,
    InformationRequested,
)
from samleng.common.handling import HandlerTable
from samleng.notification.domain.cases import CaseRecord, move_of
from samleng.notification.domain.delivery import Delivery, DeliveryState
from samleng.notification.domain.notices import notices_for
from samleng.notification.ports import NotificationPorts


async def on_submitted(event: ComplaintSubmitted, ports: NotificationPorts) -> None:
    """Remember the citizen's sealed contacts, and tell them what they missed meanwhile."""
    case = await ports.cases.learn_contacts(
        event.complaint_id, event.data.language, event.data.contacts
    )
    now = ports.clock()
    # citizen notices that arrived before the contacts did
    deliveries = [d for n in case.notices for d in ports.planner.for_citizen(n, case, now)]
    await _plan(ports, deliveries)


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


async def _plan(ports: NotificationPorts, deliveries: list[Delivery]) -> None:
    if await ports.deliveries.plan(deliveries):
        ports.couriers.wake({d.channel for d in deliveries if d.state == DeliveryState.PENDING})


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
    },
)
