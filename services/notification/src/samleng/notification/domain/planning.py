"""The deliveries a notice causes, and a day's digest. Pure: no I/O.

A delivery's id is its (event, recipient, channel), so planning the same notice twice
(a duplicated event, two replicas) plans the same deliveries, and the queue keeps one.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from samleng.common.events import SealedContact, SealedReceipt
from samleng.notification.domain import templates
from samleng.notification.domain.cases import CaseRecord
from samleng.notification.domain.consent import CODE_SLOT, CONFIRMATION_KIND, citizen_recipient
from samleng.notification.domain.delivery import (
    Channel,
    Delivery,
    DeliveryState,
    Endpoint,
    Recipient,
    Target,
    delivery_id,
)
from samleng.notification.domain.notices import Notice
from samleng.notification.domain.receipts import RECEIPT_KIND, sealed_slot
from samleng.notification.domain.templates import Language


@dataclass(frozen=True)
class DeliveryPlanner:
    """Plans deliveries in each recipient's language, on the channels this deployment has."""

    tracking_url: str
    enabled: frozenset[Channel]
    confirmation_url: str = "https://samleng.org/confirm"

    def _delivery(
        self,
        notice: Notice,
        now: datetime,
        *,
        recipient: str,
        channel: Channel,
        language: Language,
        target: Target,
        held: bool = False,
    ) -> Delivery:
        message = templates.render(notice, language, self.tracking_url)
        office = notice.audience == "office"
        delivery = Delivery(
            id=delivery_id(notice.event_id, recipient, channel),
            event_id=notice.event_id,
            event_type=notice.event_type,
            kind=notice.kind.value,
            complaint_id=notice.complaint_id,
            office_id=notice.office_id,
            audience=notice.audience,
            recipient=recipient,
            channel=channel,
            language=language,
            subject=message.subject,
            text=message.text,
            target=target,
            state=DeliveryState.HELD if held else DeliveryState.PENDING,
            occurred_at=notice.occurred_at,
            created_at=now,
            due_at=now,
            title_en=templates.title(notice, "en") if office else "",
            title_km=templates.title(notice, "km") if office else "",
        )
        if channel not in self.enabled:
            reason = f"the {channel} channel is not configured in this deployment"
            return delivery.failed_because(reason, now)
        return delivery

    def for_office(
        self, notice: Notice, officers: list[Recipient], now: datetime
    ) -> list[Delivery]:
        """The office's feed entry, and each officer's chosen channels."""
        feed = f"office:{notice.office_id}"
        deliveries = [
            self._delivery(
                notice,
                now,
                recipient=feed,
                channel="in_app",
                language="km",
                target=Target(address=feed),
            )
        ]
        for officer in officers:
            for endpoint in officer.endpoints:
                if endpoint.channel == "in_app":
                    continue  # the office feed above is every officer's in-app alert
                deliveries.append(
                    self._delivery(
                        notice,
                        now,
                        recipient=officer.key,
                        channel=endpoint.channel,
                        language=officer.language,
                        target=Target(address=endpoint.address),
                        held=officer.digest,
                    )
                )
        return deliveries

    def for_citizen(
        self, notice: Notice, case: CaseRecord, now: datetime, only: int | None = None
    ) -> list[Delivery]:
        """One delivery per contact that confirmed (or only contact ``only``), still sealed.

        A contact that has not confirmed gets nothing about the case: its holder may not
        be the citizen who typed it.
        """
        return [
            self._delivery(
                notice,
                now,
                recipient=citizen_recipient(notice.complaint_id, index),
                channel=contact.channel,
                language=_language(case),
                target=_sealed(contact),
            )
            for index, contact in enumerate(case.contacts)
            if index in case.confirmed and only in (None, index)
        ]

    def confirmation_requests(
        self, complaint_id: str, case: CaseRecord, now: datetime
    ) -> list[Delivery]:
        """The first message to each contact not confirmed yet: a request to confirm that
        says nothing of the case; the courier writes the code in at send time."""
        message = templates.confirmation_request(_language(case), self.confirmation_url, CODE_SLOT)
        return [
            self._to_contact(
                complaint_id,
                case,
                index,
                now,
                message,
                kind=CONFIRMATION_KIND,
                event_id=f"confirm:{complaint_id}",
                event_type="contact_confirmation",
            )
            for index in range(len(case.contacts))
            if index not in case.confirmed
        ]

    def receipt(
        self, complaint_id: str, case: CaseRecord, sealed: SealedReceipt, now: datetime
    ) -> list[Delivery]:
        """The tracking code, once, to the contact the citizen chose at the desk; the code
        stays sealed in the text until the courier sends it."""
        if sealed.contact >= len(case.contacts):
            return []
        message = templates.receipt(_language(case), self.tracking_url, sealed_slot(sealed))
        return [
            self._to_contact(
                complaint_id,
                case,
                sealed.contact,
                now,
                message,
                kind=RECEIPT_KIND,
                event_id=f"receipt:{complaint_id}",
                event_type="complaint.submitted",
            )
        ]

    def _to_contact(
        self,
        complaint_id: str,
        case: CaseRecord,
        index: int,
        now: datetime,
        message: templates.Message,
        *,
        kind: str,
        event_id: str,
        event_type: str,
    ) -> Delivery:
        """A message of the case's own (not a notice) to its contact ``index``, due now."""
        contact = case.contacts[index]
        recipient = citizen_recipient(complaint_id, index)
        delivery = Delivery(
            id=delivery_id(event_id, recipient, contact.channel),
            event_id=event_id,
            event_type=event_type,
            kind=kind,
            complaint_id=complaint_id,
            office_id=None,
            audience="citizen",
            recipient=recipient,
            channel=contact.channel,
            language=_language(case),
            subject=message.subject,
            text=message.text,
            target=_sealed(contact),
            state=DeliveryState.PENDING,
            occurred_at=now,
            created_at=now,
            due_at=now,
        )
        if contact.channel not in self.enabled:
            reason = f"the {contact.channel} channel is not configured in this deployment"
            delivery = delivery.failed_because(reason, now)
        return delivery

    def digest(
        self, officer: Recipient, endpoint: Endpoint, held: list[Delivery], now: datetime
    ) -> Delivery:
        """One delivery gathering an officer's held alerts of one channel."""
        day = now.date().isoformat()
        message = templates.digest([d.title(officer.language) for d in held], day, officer.language)
        return Delivery(
            id=delivery_id(f"digest:{day}", officer.key, endpoint.channel),
            event_id=f"digest:{day}",
            event_type="digest",
            kind="digest",
            complaint_id=None,
            office_id=officer.office_id,
            audience="office",
            recipient=officer.key,
            channel=endpoint.channel,
            language=officer.language,
            subject=message.subject,
            text=message.text,
            target=Target(address=endpoint.address),
            items=tuple(d.id for d in held),
            state=DeliveryState.PENDING,
            occurred_at=now,
            created_at=now,
            due_at=now,
        )


def _language(case: CaseRecord) -> Language:
    return "en" if case.language == "en" else "km"


def _sealed(contact: SealedContact) -> Target:
    return Target(ciphertext=contact.ciphertext, key_id=contact.key_id)
