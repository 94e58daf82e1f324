"""In-memory fakes of notification's ports (``samleng.notification.ports``), for unit tests."""

from __future__ import annotations

import asyncio
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta
from typing import Any

from samleng.common.events import SealedContact
from samleng.notification.domain.cases import CaseRecord, Move
from samleng.notification.domain.consent import ConsentPolicy, ContactIndex
from samleng.notification.domain.delivery import (
    Channel,
    Delivery,
    DeliveryState,
    Failed,
    Lease,
    Outcome,
    Outgoing,
    Recipient,
    Retry,
    SendFailed,
    Sent,
)
from samleng.notification.domain.feed import FeedAlert
from samleng.notification.domain.notices import Notice
from samleng.notification.domain.planning import DeliveryPlanner
from samleng.notification.domain.retention import Finality
from samleng.notification.ports import (
    AlertFeed,
    CaseMemory,
    CaseRetention,
    ChannelAdapter,
    ConfirmationStore,
    ContactOpener,
    CourierBell,
    DeliveryQueue,
    MessageAllowance,
    NotificationPorts,
    RecipientDirectory,
)
from samleng.notification.ports import Clock as ClockPort

T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


@dataclass
class Clock:
    """A clock the test moves by hand."""

    now: datetime = T0

    def __call__(self) -> datetime:
        return self.now

    def advance(self, seconds: float) -> None:
        """Move time forward."""
        self.now += timedelta(seconds=seconds)


@dataclass
class FakeCaseMemory:
    """Case records in a dict; every call is one atomic step, as in MongoDB."""

    cases: dict[str, CaseRecord] = field(default_factory=dict)
    writes: int = 0

    async def learn_contacts(
        self, complaint_id: str, language: str, contacts: tuple[SealedContact, ...]
    ) -> CaseRecord:
        self.writes += 1
        case = self.cases.get(complaint_id, CaseRecord())
        self.cases[complaint_id] = replace(
            case, contacts_known=True, language=language, contacts=contacts
        )
        return self.cases[complaint_id]

    async def remember(
        self, complaint_id: str, *, move: Move | None, notices: Sequence[Notice]
    ) -> CaseRecord:
        case = self.cases.get(complaint_id, CaseRecord())
        if not move and not case.awaiting_consent and all(n.audience == "citizen" for n in notices):
            return case  # kept only for contacts that come or confirm late
        self.writes += 1
        moves = _added(case.moves, [move] if move else [])
        citizen = _added(case.notices, [n for n in notices if n.audience == "citizen"])
        office = _added(case.office_notices, [n for n in notices if n.audience == "office"])
        self.cases[complaint_id] = replace(
            case, moves=moves, notices=citizen, office_notices=office
        )
        return self.cases[complaint_id]

    async def confirm(self, complaint_id: str, index: int) -> CaseRecord:
        self.writes += 1
        case = self.cases.get(complaint_id, CaseRecord())
        self.cases[complaint_id] = replace(case, confirmed=case.confirmed | {index})
        return self.cases[complaint_id]

    async def forget_office_notices(self, complaint_id: str, event_ids: list[str]) -> None:
        self.writes += 1
        case = self.cases[complaint_id]
        kept = tuple(n for n in case.office_notices if n.event_id not in event_ids)
        self.cases[complaint_id] = replace(case, office_notices=kept)


@dataclass
class FakeConfirmationStore:
    """Codes by key, with their expiry."""

    codes: dict[str, tuple[str, int, datetime]] = field(default_factory=dict)

    async def expect(self, codes: Sequence[tuple[str, str, int]], expires_at: datetime) -> None:
        for key, complaint_id, index in codes:
            self.codes.setdefault(key, (complaint_id, index, expires_at))

    async def find(self, code_key: str, now: datetime) -> tuple[str, int] | None:
        found = self.codes.get(code_key)
        return (found[0], found[1]) if found and found[2] > now else None


@dataclass
class FakeMessageAllowance:
    """Daily counters by key."""

    days: dict[str, list[str]] = field(default_factory=dict)
    changes: dict[str, tuple[bool, datetime]] = field(default_factory=dict)  # stopped, at

    async def admit(self, key: str, token: str, cap: int, expires_at: datetime) -> bool:
        tokens = self.days.setdefault(key, [])
        if token not in tokens and len(tokens) < cap:
            tokens.append(token)
        return token in tokens

    async def stop(self, key: str, at: datetime) -> None:
        self._change(key, True, at)

    async def resume(self, key: str, at: datetime) -> None:
        self._change(key, False, at)

    def _change(self, key: str, stopped: bool, at: datetime) -> None:
        kept = self.changes.get(key)
        if kept is None or kept[1] < at:
            self.changes[key] = (stopped, at)

    async def stopped(self, key: str) -> bool:
        return self.changes.get(key, (False, None))[0]


def _added(items: tuple[Any, ...], new: Iterable[Any]) -> tuple[Any, ...]:
    return items + tuple(item for item in new if item not in items)


@dataclass
class FakeRecipientDirectory:
    """Recipients by key."""

    recipients: dict[str, Recipient] = field(default_factory=dict)

    async def put(self, recipient: Recipient) -> bool:
        new = recipient.key not in self.recipients
        self.recipients[recipient.key] = recipient
        return new

    async def remove(self, office_id: str, recipient_id: str) -> bool:
        return (
            self.recipients.pop(Recipient(office_id, recipient_id, "km", ()).key, None) is not None
        )

    async def of_office(self, office_id: str) -> list[Recipient]:
        found = [r for r in self.recipients.values() if r.office_id == office_id]
        return sorted(found, key=lambda r: r.recipient_id)

    async def of_offices(self, office_ids: Iterable[str]) -> dict[str, list[Recipient]]:
        return {office_id: await self.of_office(office_id) for office_id in set(office_ids)}

    async def get(self, key: str) -> Recipient | None:
        return self.recipients.get(key)

    async def digest_takers(self) -> list[Recipient]:
        return [r for r in self.recipients.values() if r.digest]


@dataclass
class FakeDeliveryQueue:
    """Deliveries by id, with leases held by owner and expiry, as the MongoDB queue does."""

    deliveries: dict[str, Delivery] = field(default_factory=dict)
    leases: dict[str, tuple[str, datetime]] = field(default_factory=dict)
    writes: int = 0

    def in_state(self, state: DeliveryState) -> list[Delivery]:
        """Deliveries in one state, in the order they were planned."""
        return [d for d in self.deliveries.values() if d.state == state]

    async def plan(self, deliveries: Sequence[Delivery]) -> int:
        self.writes += 1 if deliveries else 0
        new = [d for d in deliveries if d.id not in self.deliveries]
        self.deliveries.update((d.id, d) for d in new)
        return len(new)

    async def lease_due(
        self, channel: str, owner: str, now: datetime, lease: timedelta, limit: int
    ) -> list[Lease]:
        due = sorted(
            (
                d
                for d in self.deliveries.values()
                if d.channel == channel and d.state == DeliveryState.PENDING and d.due_at <= now
            ),
            key=lambda d: d.due_at,
        )[:limit]
        self.writes += 1
        leases = []
        for delivery in due:
            leased = replace(delivery, state=DeliveryState.SENDING, attempts=delivery.attempts + 1)
            self.deliveries[delivery.id] = leased
            self.leases[delivery.id] = (owner, now + lease)
            leases.append(Lease(leased, owner, now + lease))
        return leases

    async def settle(self, outcomes: Sequence[Outcome]) -> None:
        self.writes += 1 if outcomes else 0
        for outcome in outcomes:
            lease = outcome.lease
            current = self.deliveries[lease.id]
            if current.state != DeliveryState.SENDING or self.leases.get(lease.id, ("",))[0] != (
                lease.owner
            ):
                continue  # the lease was lost meanwhile
            del self.leases[lease.id]
            if isinstance(outcome, Sent):
                done = replace(current, state=DeliveryState.SENT, sent_at=outcome.at)
                self.deliveries[lease.id] = replace(done, last_error=None)
            elif isinstance(outcome, Retry):
                self.deliveries[lease.id] = replace(
                    current,
                    state=DeliveryState.PENDING,
                    due_at=outcome.due_at,
                    last_error=outcome.reason,
                )
            elif isinstance(outcome, Failed):
                self.deliveries[lease.id] = current.failed_because(outcome.reason, outcome.at)

    async def release(self, leases: Sequence[Lease], now: datetime) -> None:
        for lease in leases:
            if self.leases.get(lease.id, ("",))[0] == lease.owner:
                del self.leases[lease.id]
                self.deliveries[lease.id] = replace(
                    self.deliveries[lease.id],
                    state=DeliveryState.PENDING,
                    due_at=now,
                    last_error="the courier stopped during the send",
                )

    async def requeue_interrupted(self, now: datetime, max_attempts: int) -> int:
        expired = [i for i, (_, until) in self.leases.items() if until < now]
        again = 0
        for delivery_id in expired:
            del self.leases[delivery_id]
            delivery = self.deliveries[delivery_id]
            if delivery.attempts < max_attempts:
                again += 1
                self.deliveries[delivery_id] = replace(
                    delivery, state=DeliveryState.PENDING, due_at=now, last_error="vanished"
                )
            else:
                self.deliveries[delivery_id] = delivery.failed_because("vanished", now)
        return again

    async def send_again(self, delivery_id: str, now: datetime) -> bool:
        delivery = self.deliveries.get(delivery_id)
        if delivery is None or delivery.state != DeliveryState.FAILED:
            return False
        self.deliveries[delivery_id] = replace(
            delivery, state=DeliveryState.PENDING, due_at=now, attempts=0
        )
        return True

    async def held(self, recipient: str, channel: str) -> list[Delivery]:
        return sorted(
            (
                d
                for d in self.in_state(DeliveryState.HELD)
                if d.recipient == recipient and d.channel == channel
            ),
            key=lambda d: d.created_at,
        )

    async def plan_digest(self, digest: Delivery) -> Delivery:
        return self.deliveries.setdefault(digest.id, digest)

    async def mark_digested(self, items: Sequence[str], digest_id: str) -> None:
        for item in items:
            if self.deliveries[item].state == DeliveryState.HELD:
                self.deliveries[item] = replace(
                    self.deliveries[item], state=DeliveryState.DIGESTED, digest_id=digest_id
                )

    async def log(
        self,
        *,
        office_id: str | None = None,
        complaint_id: str | None = None,
        state: str | None = None,
        limit: int = 100,
    ) -> list[Delivery]:
        found = [
            d
            for d in self.deliveries.values()
            if (not office_id or d.office_id == office_id)
            and (not complaint_id or d.complaint_id == complaint_id)
            and (not state or d.state == state)
        ]
        return sorted(found, key=lambda d: d.created_at, reverse=True)[:limit]


@dataclass
class FakeAlertFeed:
    """The office feeds: the sent in-app deliveries of a fake queue, with read marks."""

    queue: FakeDeliveryQueue = field(default_factory=FakeDeliveryQueue)
    read: set[str] = field(default_factory=set)  # ids of the deliveries read

    @property
    def alerts(self) -> list[FeedAlert]:
        """Every alert, in the order the deliveries were planned."""
        return [
            FeedAlert(
                event_id=d.event_id,
                complaint_id=d.complaint_id or "",
                recipient=d.recipient,
                channel=d.channel,
                title_en=d.title_en,
                title_km=d.title_km,
                created_at=d.occurred_at,
                read=d.id in self.read,
            )
            for d in self.queue.deliveries.values()
            if d.channel == "in_app" and d.state == DeliveryState.SENT
        ]

    async def for_recipient(self, recipient: str, limit: int = 50) -> list[FeedAlert]:
        mine = [a for a in self.alerts if a.recipient == recipient]
        return sorted(mine, key=lambda a: a.created_at, reverse=True)[:limit]

    async def unread(self, recipient: str) -> int:
        return sum(1 for a in self.alerts if a.recipient == recipient and not a.read)

    async def mark_read(self, recipient: str, event_id: str, read: bool = True) -> bool:
        key = f"{event_id}|{recipient}|in_app"
        if not any(f"{a.event_id}|{a.recipient}|in_app" == key for a in self.alerts):
            return False
        if read:
            self.read.add(key)
        else:
            self.read.discard(key)
        return True


@dataclass
class FakeChannel:
    """A provider that keeps what it is given; ``failures`` are raised first, in order.

    ``gate`` (when set) holds every send until the test opens it, as a slow provider
    would; ``in_flight`` and ``most_in_flight`` count sends under way.
    """

    channel: Channel = "sms"
    sent: list[Outgoing] = field(default_factory=list)
    failures: list[Exception] = field(default_factory=list)
    gate: asyncio.Event | None = None
    in_flight: int = 0
    most_in_flight: int = 0

    async def send(self, message: Outgoing) -> None:
        self.in_flight += 1
        self.most_in_flight = max(self.most_in_flight, self.in_flight)
        try:
            await asyncio.sleep(0)  # a provider answers later: let other sends start
            if self.gate is not None:
                await self.gate.wait()
            if self.failures:
                raise self.failures.pop(0)
            self.sent.append(message)
        finally:
            self.in_flight -= 1


class FakeKeyring:
    """Opens "sealed:<address>" under the key "k1"."""

    def open(self, ciphertext: str, key_id: str) -> str:
        if key_id != "k1" or not ciphertext.startswith("sealed:"):
            raise SendFailed("the sealed contact could not be opened", permanent=True)
        return ciphertext.removeprefix("sealed:")


@dataclass
class FakeBell:
    """Counts how often the couriers were woken, and for which channels."""

    rings: int = 0
    channels: set[str] = field(default_factory=set)

    def wake(self, channels: Iterable[Channel] | None = None) -> None:
        self.rings += 1
        self.channels |= set(channels) if channels is not None else {"*"}


@dataclass
class FakeLease:
    """A lease only one owner holds until it expires or is given up."""

    owner: str | None = None
    until: datetime = T0

    async def hold(self, owner: str, now: datetime, hold: timedelta) -> bool:
        if self.owner not in (None, owner) and self.until >= now:
            return False
        self.owner, self.until = owner, now + hold
        return True

    async def release(self, owner: str) -> None:
        if self.owner == owner:
            self.owner = None


@dataclass
class FakeCaseRetention:
    """Finality and erasure over a :class:`FakeCaseMemory`'s records (not deliveries)."""

    memory: FakeCaseMemory = field(default_factory=FakeCaseMemory)
    finality: dict[str, Finality] = field(default_factory=dict)
    lease: FakeLease = field(default_factory=FakeLease)
    writes: int = 0

    async def record(self, complaint_id: str, finality: Finality) -> None:
        self.writes += 1
        if finality.supersedes(self.finality.get(complaint_id)):
            self.finality[complaint_id] = finality

    async def erase_replayed(self, complaint_id: str) -> None:
        self.writes += 1
        case = self.memory.cases[complaint_id]
        if case.contacts_erased:
            self.memory.cases[complaint_id] = replace(case, contacts=())

    def _due(self, final_before: datetime) -> list[str]:
        return [
            complaint_id
            for complaint_id, known in self.finality.items()
            if known.final_at is not None
            and known.final_at < final_before
            and self.memory.cases.get(complaint_id, CaseRecord()).contacts
        ]

    async def count_due(self, final_before: datetime) -> int:
        return len(self._due(final_before))

    async def erase_due(self, final_before: datetime, now: datetime) -> int:
        due = self._due(final_before)
        for complaint_id in due:
            case = self.memory.cases[complaint_id]
            self.memory.cases[complaint_id] = replace(case, contacts=(), contacts_erased=True)
        return len(due)


def fake_ports(**given: Any) -> NotificationPorts:
    """Ports made of fakes (any of them replaced by ``given``)."""
    # typed one by one, so that mypy checks every fake against its port
    cases: CaseMemory = FakeCaseMemory()
    recipients: RecipientDirectory = FakeRecipientDirectory()
    queue = given.get("deliveries") or FakeDeliveryQueue()
    deliveries: DeliveryQueue = queue
    # the feed shows the queue's sent in-app deliveries, as in MongoDB
    feed: AlertFeed = FakeAlertFeed(
        queue if isinstance(queue, FakeDeliveryQueue) else FakeDeliveryQueue()
    )
    channel: ChannelAdapter = FakeChannel()
    keyring: ContactOpener = FakeKeyring()
    couriers: CourierBell = FakeBell()
    clock: ClockPort = Clock()
    confirmations: ConfirmationStore = FakeConfirmationStore()
    allowance: MessageAllowance = FakeMessageAllowance()
    values: dict[str, Any] = {
        "cases": cases,
        "recipients": recipients,
        "deliveries": deliveries,
        "feed": feed,
        "channels": (channel,),
        "keyring": keyring,
        "couriers": couriers,
        "planner": DeliveryPlanner(
            "https://samleng.example/track", frozenset({"in_app", "email", "sms"})
        ),
        "clock": clock,
        "confirmations": confirmations,
        "allowance": allowance,
        "consent": ConsentPolicy(ContactIndex(b"unit-test-key")),
    }
    values.update(given)
    if "retention" not in given and isinstance(values["cases"], FakeCaseMemory):
        retention: CaseRetention = FakeCaseRetention(values["cases"])
        values["retention"] = retention
    return NotificationPorts(**values)
