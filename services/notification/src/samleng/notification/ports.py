"""The ports notification's use cases depend on, and :class:`NotificationPorts`.

MongoDB implements the stores (``adapters/``), providers implement the channels
(``adapters/channels/``); unit tests pass in-memory fakes (``tests/unit/fakes.py``)::

    service = bootstrap(settings, deliveries=FakeDeliveryQueue())
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Protocol

from samleng.common.events import SealedContact
from samleng.common.leases import Lease as ReplicaLease
from samleng.notification.domain.cases import CaseRecord, Move
from samleng.notification.domain.consent import ConsentPolicy
from samleng.notification.domain.delivery import (
    Channel,
    Delivery,
    Lease,
    Outcome,
    Outgoing,
    Recipient,
)
from samleng.notification.domain.feed import FeedAlert
from samleng.notification.domain.notices import Notice
from samleng.notification.domain.planning import DeliveryPlanner
from samleng.notification.domain.retention import Finality

Clock = Callable[[], datetime]


class CaseMemory(Protocol):
    """What notification remembers of each case (contacts stay sealed)."""

    async def learn_contacts(
        self, complaint_id: str, language: str, contacts: tuple[SealedContact, ...]
    ) -> CaseRecord:
        """Remember the sealed contacts; returns the case with every notice kept so far."""
        ...

    async def remember(
        self, complaint_id: str, *, move: Move | None, notices: Sequence[Notice]
    ) -> CaseRecord:
        """Keep a move and notices (citizen ones, office ones naming no office) in one
        atomic write; returns the case as it is right after. Citizen notices alone need
        no write once the contacts are known (they are kept only for contacts that come
        late)."""
        ...

    async def forget_office_notices(self, complaint_id: str, event_ids: list[str]) -> None:
        """Drop waiting office notices once their deliveries are planned."""
        ...

    async def confirm(self, complaint_id: str, index: int) -> CaseRecord:
        """Record that contact ``index`` confirmed; returns the case right after."""
        ...


class ConfirmationStore(Protocol):
    """The confirmation codes sent and not expired, by keyed hash (never the code)."""

    async def expect(self, codes: Sequence[tuple[str, str, int]], expires_at: datetime) -> None:
        """Remember (code key, complaint id, contact index) triples until ``expires_at``
        (a code expected already keeps its first expiry)."""
        ...

    async def find(self, code_key: str, now: datetime) -> tuple[str, int] | None:
        """(complaint id, contact index) of an unexpired code; None otherwise."""
        ...


class MessageAllowance(Protocol):
    """How many messages each citizen address got today, by keyed hash of the address."""

    async def admit(self, key: str, token: str, cap: int, expires_at: datetime) -> bool:
        """Count a message (``token``) against the counter ``key``; False when the counter
        already holds ``cap`` others. Counting the same token twice counts it once."""
        ...

    async def stop(self, key: str, at: datetime) -> None:
        """The holder of the address ``key`` names sent STOP at ``at``: admit nothing more
        to it. A START or filing later than ``at`` already kept wins (order-tolerant)."""
        ...

    async def resume(self, key: str, at: datetime) -> None:
        """The holder filed a case from the address again, or sent START, at ``at``:
        messages may go to it again, unless a later STOP is kept."""
        ...

    async def stopped(self, key: str) -> bool:
        """Whether the holder of the address sent STOP."""
        ...


class RecipientDirectory(Protocol):
    """The officers who receive each office's alerts, with their preferences."""

    async def put(self, recipient: Recipient) -> bool:
        """Create or replace a recipient; True when it is new."""
        ...

    async def remove(self, office_id: str, recipient_id: str) -> bool:
        """Remove a recipient; False if there was none."""
        ...

    async def of_office(self, office_id: str) -> list[Recipient]:
        """Everyone who receives this office's alerts."""
        ...

    async def of_offices(self, office_ids: Iterable[str]) -> dict[str, list[Recipient]]:
        """Everyone who receives the alerts of each of these offices, by office."""
        ...

    async def get(self, key: str) -> Recipient | None:
        """One recipient by the key deliveries name it with."""
        ...

    async def digest_takers(self) -> list[Recipient]:
        """Recipients who chose a daily digest."""
        ...


class DeliveryQueue(Protocol):
    """Deliveries planned, leased by a courier, sent or failed; retries wait in it."""

    async def plan(self, deliveries: Sequence[Delivery]) -> int:
        """Store new deliveries, skipping those planned already; returns how many were new."""
        ...

    async def lease_due(
        self, channel: str, owner: str, now: datetime, lease: timedelta, limit: int
    ) -> list[Lease]:
        """Lease up to ``limit`` due pending deliveries of a channel, most overdue first."""
        ...

    async def settle(self, outcomes: Sequence[Outcome]) -> None:
        """Record what became of leased deliveries (a lease lost meanwhile changes nothing)."""
        ...

    async def release(self, leases: Sequence[Lease], now: datetime) -> None:
        """Give leased deliveries back, due now: their courier stopped mid-send."""
        ...

    async def requeue_interrupted(self, now: datetime, max_attempts: int) -> int:
        """Put deliveries whose courier vanished mid-send (lease expired) back in line,
        to be sent again under the same id (so the same idempotency key); one that was
        on its last attempt fails instead. Returns how many were put back."""
        ...

    async def send_again(self, delivery_id: str, now: datetime) -> bool:
        """Put a failed delivery back in line (an admin's decision)."""
        ...

    async def held(self, recipient: str, channel: str) -> list[Delivery]:
        """Deliveries waiting for this recipient's digest on this channel, oldest first."""
        ...

    async def plan_digest(self, digest: Delivery) -> Delivery:
        """Store a digest unless it exists; returns the stored one."""
        ...

    async def mark_digested(self, items: Sequence[str], digest_id: str) -> None:
        """Mark held deliveries as gathered into a digest."""
        ...

    async def log(
        self,
        *,
        office_id: str | None = None,
        complaint_id: str | None = None,
        state: str | None = None,
        limit: int = 100,
    ) -> list[Delivery]:
        """Deliveries matching the filters, newest first, without their targets."""
        ...


class AlertFeed(Protocol):
    """Offices' in-app feeds: the sent in-app deliveries of each office, read or unread."""

    async def for_recipient(self, recipient: str, limit: int = 50) -> list[FeedAlert]:
        """The newest alerts of one recipient."""
        ...

    async def unread(self, recipient: str) -> int:
        """How many alerts of a recipient are unread."""
        ...

    async def mark_read(self, recipient: str, event_id: str, read: bool = True) -> bool:
        """Mark one alert read (or unread again); False if there is no such alert."""
        ...


class CaseRetention(Protocol):
    """When each case became final, and the erasure of its citizen's contacts on schedule
    (:mod:`samleng.notification.domain.retention`)."""

    async def record(self, complaint_id: str, finality: Finality) -> None:
        """Keep on the case record whether (and since when) it is final, unless what it
        keeps is as new or newer (by sequence)."""
        ...

    async def erase_replayed(self, complaint_id: str) -> None:
        """Erase again the contacts a replayed complaint.submitted brought back to a case
        whose contacts were erased."""
        ...

    async def count_due(self, final_before: datetime) -> int:
        """How many cases final before ``final_before`` still hold contacts."""
        ...

    async def erase_due(self, final_before: datetime, now: datetime) -> int:
        """Erase the contacts of cases final before ``final_before``, the sealed targets of
        their citizen deliveries and their pending confirmation codes; how many cases."""
        ...

    @property
    def lease(self) -> ReplicaLease:
        """The one lease whose holder erases periodically (the other replicas wait)."""
        ...


class ChannelAdapter(Protocol):
    """Sends messages on one channel; raises SendFailed (never with the address in it)."""

    channel: Channel

    async def send(self, message: Outgoing) -> None:
        """Deliver one message or raise SendFailed."""
        ...


class ContactOpener(Protocol):
    """Opens a citizen's sealed contact, only at send time."""

    def open(self, ciphertext: str, key_id: str) -> str:
        """The address in clear; a permanent SendFailed otherwise."""
        ...


class CourierBell(Protocol):
    """Tells the couriers there are new deliveries to send."""

    def wake(self, channels: Iterable[Channel] | None = None) -> None:
        """The couriers of these channels (all when None) look for due deliveries now
        rather than at their next poll."""
        ...


@dataclass(frozen=True)
class NotificationPorts:
    """Everything notification's handlers and couriers use, real or fake."""

    cases: CaseMemory
    recipients: RecipientDirectory
    deliveries: DeliveryQueue
    feed: AlertFeed
    channels: tuple[ChannelAdapter, ...]
    keyring: ContactOpener
    couriers: CourierBell
    planner: DeliveryPlanner
    clock: Clock
    confirmations: ConfirmationStore
    allowance: MessageAllowance
    consent: ConsentPolicy
    retention: CaseRetention
