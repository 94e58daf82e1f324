"""Notification's use cases: plan the deliveries an event causes, and the daily digests.

Nothing is sent here: deliveries go to the outbox, and the couriers send them. Planning
twice (a duplicated event, two replicas) stores each delivery once, because a delivery's
id is its (event, recipient, channel).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any

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
    SealedContact,
)
from samleng.common.handling import HandlerTable
from samleng.notification.adapters.cases import CaseContacts, CaseMemory
from samleng.notification.adapters.outbox import DeliveryOutbox, delivery_id
from samleng.notification.adapters.recipients import RecipientDirectory
from samleng.notification.domain import templates
from samleng.notification.domain.delivery import Channel, DeliveryState, Recipient
from samleng.notification.domain.notices import Notice, notices_for, office_of
from samleng.notification.domain.templates import Language


@dataclass
class Alerting:
    """What planning needs: the stores, the channels this deployment has, and a clock."""

    outbox: DeliveryOutbox
    cases: CaseMemory
    recipients: RecipientDirectory
    tracking_url: str
    enabled: frozenset[Channel]
    now: Callable[[], datetime]

    def _delivery(
        self,
        notice: Notice,
        *,
        recipient: str,
        channel: Channel,
        language: Language,
        target: dict[str, Any],
        held: bool = False,
    ) -> dict[str, Any]:
        message = templates.render(notice, language, self.tracking_url)
        now = self.now()
        doc: dict[str, Any] = {
            "_id": delivery_id(notice.event_id, recipient, channel),
            "event_id": notice.event_id,
            "event_type": notice.event_type,
            "kind": notice.kind.value,
            "complaint_id": notice.complaint_id,
            "office_id": notice.office_id,
            "audience": notice.audience,
            "recipient": recipient,
            "channel": channel,
            "language": language,
            "subject": message.subject,
            "text": message.text,
            "target": target,
            "state": DeliveryState.HELD if held else DeliveryState.PENDING,
            "attempts": 0,
            "occurred_at": notice.occurred_at,
            "created_at": now,
            "due_at": now,
            "last_error": None,
        }
        if notice.audience == "office":
            doc["title_en"] = templates.title(notice, "en")
            doc["title_km"] = templates.title(notice, "km")
        if channel not in self.enabled:
            doc["state"] = DeliveryState.FAILED
            doc["failed_at"] = now
            doc["last_error"] = f"the {channel} channel is not configured in this deployment"
        return doc

    def for_office(self, notice: Notice, officers: list[Recipient]) -> list[dict[str, Any]]:
        """The office's feed entry, and each officer's chosen channels."""
        feed = f"office:{notice.office_id}"
        deliveries = [
            self._delivery(
                notice, recipient=feed, channel="in_app", language="km", target={"address": feed}
            )
        ]
        for officer in officers:
            for endpoint in officer.endpoints:
                if endpoint.channel == "in_app":
                    continue  # the office feed above is every officer's in-app alert
                deliveries.append(
                    self._delivery(
                        notice,
                        recipient=officer.key,
                        channel=endpoint.channel,
                        language=officer.language,
                        target={"address": endpoint.address},
                        held=officer.digest,
                    )
                )
        return deliveries

    def for_citizen(self, notice: Notice, case: CaseContacts) -> list[dict[str, Any]]:
        """One delivery per contact the citizen left, still sealed."""
        language: Language = "en" if case.language == "en" else "km"
        return [
            self._delivery(
                notice,
                recipient=f"citizen:{notice.complaint_id}:{index}",
                channel=contact.channel,
                language=language,
                target={"sealed": _sealed(contact)},
            )
            for index, contact in enumerate(case.contacts)
        ]


def _sealed(contact: SealedContact) -> dict[str, str]:
    return {"ciphertext": contact.ciphertext, "key_id": contact.key_id}


async def on_event(event: Event, alerting: Alerting) -> int:
    """Plan every delivery the event causes; returns how many were new."""
    deliveries: list[dict[str, Any]] = []
    cases = alerting.cases
    if isinstance(event, ComplaintSubmitted):
        case = await cases.learn_contacts(
            event.complaint_id, event.data.language, event.data.contacts
        )
        # citizen notices that arrived before the contacts did
        for notice in case.notices:
            deliveries += alerting.for_citizen(notice, case)
    resolved: list[str] = []  # office notices that waited for the office in charge
    office_id = office_of(event)
    if office_id:
        placed = await cases.record_move(event.complaint_id, office_id, event.sequence)
        for office, notice in placed:
            deliveries += await _for_office(alerting, replace(notice, office_id=office))
            resolved.append(notice.event_id)
    for notice in notices_for(event):
        if notice.audience == "citizen":
            case = await cases.keep_notice(notice)
            if case.known:
                deliveries += alerting.for_citizen(notice, case)
        elif notice.office_id:
            deliveries += await _for_office(alerting, notice)
        elif known := await cases.keep_office_notice(notice):
            deliveries += await _for_office(alerting, replace(notice, office_id=known))
            resolved.append(notice.event_id)
    new = await alerting.outbox.add(deliveries)
    if resolved:
        await cases.forget_office_notices(event.complaint_id, resolved)
    return new


async def _for_office(alerting: Alerting, notice: Notice) -> list[dict[str, Any]]:
    assert notice.office_id is not None
    officers = await alerting.recipients.of_office(notice.office_id)
    return alerting.for_office(notice, officers)


async def send_digests(
    outbox: DeliveryOutbox, recipients: RecipientDirectory, now: datetime
) -> int:
    """Gather each digest taker's held alerts into one delivery per channel; returns how many."""
    day = now.date().isoformat()
    made = 0
    for officer in await recipients.digest_takers():
        for endpoint in officer.endpoints:
            held = await outbox.held(officer.key, endpoint.channel)
            if not held:
                continue
            key = f"title_{officer.language}"
            titles = [d.get(key, d["subject"]) for d in held]
            message = templates.digest(titles, day, officer.language)
            digest_id = delivery_id(f"digest:{day}", officer.key, endpoint.channel)
            stored = await outbox.add_digest(
                {
                    "_id": digest_id,
                    "event_id": f"digest:{day}",
                    "event_type": "digest",
                    "kind": "digest",
                    "complaint_id": None,
                    "office_id": officer.office_id,
                    "audience": "office",
                    "recipient": officer.key,
                    "channel": endpoint.channel,
                    "language": officer.language,
                    "subject": message.subject,
                    "text": message.text,
                    "target": {"address": endpoint.address},
                    "items": [d["_id"] for d in held],
                    "state": DeliveryState.PENDING,
                    "attempts": 0,
                    "occurred_at": now,
                    "created_at": now,
                    "due_at": now,
                    "last_error": None,
                }
            )
            await outbox.mark_digested(stored["items"], digest_id)
            made += 1
    return made


@dataclass(frozen=True)
class AlertPorts:
    """What planning alerts needs, and how to wake the couriers when there is work."""

    alerting: Alerting
    wake_couriers: Callable[[], None]


async def plan_alerts(event: Event, ports: AlertPorts) -> None:
    """Plan the deliveries an event causes, then wake the couriers if any are new."""
    if await on_event(event, ports.alerting):
        ports.wake_couriers()


HANDLERS: HandlerTable[AlertPorts] = HandlerTable(
    service="notification",
    queue="notification.alerts",
    handlers={
        ComplaintSubmitted: plan_alerts,
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
