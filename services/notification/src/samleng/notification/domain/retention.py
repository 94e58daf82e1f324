"""How long notification keeps a citizen's sealed contacts once their case is final. Pure.

The schedule is intake's (``samleng.intake.domain.retention``), set by the same
``SAMLENG_RETENTION_CONTACTS_DAYS``: a case is final when it is closed, rejected or
withdrawn, from the time of that last change; a reopening undoes it. Notification learns
this from events, which may come twice or out of order, so what the case record keeps is
the latest word by ``sequence``::

    finality = finality_of(event)            # None for events that change no status
    if finality and finality.supersedes(known): known = finality
    ContactRetention(180).due(known.final_at, now)

``contacts_days`` after it, the case's sealed contacts, the sealed targets of its citizen
deliveries and its pending confirmation codes are erased. What the delivery log shows
operators (state, times, channel, reason) stays; only the sealed address goes.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from samleng.common.events import (
    CaseStatus,
    ComplaintClosed,
    ComplaintRejected,
    ComplaintReopened,
    ComplaintWithdrawn,
    Event,
)
from samleng.common.events.status import FINAL
from samleng.notification.domain.delivery import DeliveryState

#: The events that make a case final, or open it again, and the status each one gives.
STATUS_EVENTS: dict[type[Event], CaseStatus] = {
    ComplaintClosed: CaseStatus.CLOSED,
    ComplaintRejected: CaseStatus.REJECTED,
    ComplaintWithdrawn: CaseStatus.WITHDRAWN,
    ComplaintReopened: CaseStatus.REOPENED,
}

#: Citizen deliveries in these states are history: their sealed target goes at erasure.
SETTLED = frozenset({DeliveryState.SENT, DeliveryState.FAILED, DeliveryState.SUPPRESSED})

#: Why a citizen delivery still waiting at erasure is never sent (no address in it).
NOT_SENT = "not sent: the case's contacts were erased under the retention policy"

#: Why a delivery whose address was erased fails if an admin sends it again.
ADDRESS_ERASED = "the address was erased under the retention policy; nothing can be sent"


@dataclass(frozen=True)
class Finality:
    """Whether the case is final after event ``sequence``: since ``final_at``, or not
    (``None``: it was reopened)."""

    sequence: int
    final_at: datetime | None

    def supersedes(self, known: Finality | None) -> bool:
        """True when this is newer news than ``known``: an older event never overrides a
        newer one, and the same event twice changes nothing."""
        return known is None or self.sequence > known.sequence


def finality_of(event: Event) -> Finality | None:
    """What the event says of the case's finality; None when it changes no status."""
    status = STATUS_EVENTS.get(type(event))
    if status is None:
        return None
    return Finality(event.sequence, event.occurred_at if status in FINAL else None)


@dataclass(frozen=True)
class ContactRetention:
    """Days after a case became final until its citizen's contacts are erased."""

    contacts_days: int

    def cutoff(self, now: datetime) -> datetime:
        """Cases final before this instant are due."""
        return now - timedelta(days=self.contacts_days)

    def due(self, final_at: datetime | None, now: datetime) -> bool:
        """True when a case final since ``final_at`` (None: not final) is due at ``now``."""
        return final_at is not None and final_at < self.cutoff(now)
