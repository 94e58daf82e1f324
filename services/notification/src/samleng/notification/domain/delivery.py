"""Deliveries: one message to one recipient on one channel, and how a failure is retried.

Pure: no I/O. The delivery queue (``ports.DeliveryQueue``) stores these states; the
couriers move them::

    held ──(daily digest)──> digested
    suppressed (a citizen's address had its messages for the day; never sent)
    planned: pending ──lease──> sending ──ok──> sent
                                  │ temporary failure, attempts left ──> pending (due later)
                                  │ permanent failure, or no attempts left ──> failed (reason kept)
                                  └ the courier stopped or died mid-send ──> pending (same id, so
                                    the provider sees the same idempotency key)
"""

from __future__ import annotations

import hashlib
import random
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Literal

Channel = Literal["in_app", "email", "sms", "telegram", "messenger"]
CHANNELS: tuple[Channel, ...] = ("in_app", "email", "sms", "telegram", "messenger")
#: Channels a citizen can leave (the in-app feed is for offices); messenger only through
#: the social-media desk, for the person who wrote to the Page.
CITIZEN_CHANNELS: tuple[Channel, ...] = ("email", "sms", "telegram", "messenger")


class DeliveryState(StrEnum):
    """Where a delivery is in its life."""

    PENDING = "pending"
    SENDING = "sending"
    SENT = "sent"
    FAILED = "failed"
    HELD = "held"  # waiting for the recipient's daily digest
    DIGESTED = "digested"  # sent as part of a digest
    SUPPRESSED = "suppressed"  # never sent: the address had its messages for the day


class SendFailed(Exception):
    """A channel could not deliver; ``permanent`` failures are never retried.

    The reason is shown to admins and logged, so it must never contain an address.
    """

    def __init__(self, reason: str, *, permanent: bool = False) -> None:
        super().__init__(reason)
        self.reason = reason
        self.permanent = permanent


@dataclass(frozen=True)
class RetryPolicy:
    """Exponential backoff with jitter, up to a number of attempts."""

    base_seconds: float
    max_seconds: float
    max_attempts: int

    def delay(self, attempt: int, rand: Callable[[], float] = random.random) -> timedelta:
        """How long to wait after failed attempt number ``attempt`` (1-based).

        "Equal jitter": half the exponential step is fixed, half is random, so replicas
        retrying the same outage spread out but never retry immediately.
        """
        step = min(self.max_seconds, self.base_seconds * 2 ** max(0, attempt - 1))
        return timedelta(seconds=step / 2 + rand() * step / 2)

    def next_due(self, attempt: int, failure: SendFailed, now: datetime) -> datetime | None:
        """When to try again, or None when the delivery has failed for good."""
        if failure.permanent or attempt >= self.max_attempts:
            return None
        return now + self.delay(attempt)


@dataclass(frozen=True)
class Endpoint:
    """A way to reach an officer: a channel and an address on it."""

    channel: Channel
    address: str


@dataclass(frozen=True)
class Recipient:
    """An officer who receives the alerts of an office, with their preferences."""

    office_id: str
    recipient_id: str
    language: Literal["km", "en"]
    endpoints: tuple[Endpoint, ...]
    digest: bool = False  # one message a day instead of one per alert (not the feed)

    @property
    def key(self) -> str:
        """How deliveries name this recipient."""
        return f"officer:{self.office_id}:{self.recipient_id}"


@dataclass(frozen=True)
class Target:
    """Where a delivery goes: an address in clear (an office feed, an officer's address) or
    a citizen's contact still sealed (``ciphertext`` under the key ``key_id``)."""

    address: str = ""
    ciphertext: str = ""
    key_id: str = ""

    @property
    def sealed(self) -> bool:
        """True when the address must be opened with the contact keyring first."""
        return bool(self.ciphertext)


def delivery_id(event_id: str, recipient: str, channel: str) -> str:
    """The id that makes a delivery unique per (event, recipient, channel)."""
    return f"{event_id}|{recipient}|{channel}"


@dataclass(frozen=True)
class Delivery:
    """One message to one recipient on one channel, with where it is in its life."""

    id: str
    event_id: str
    event_type: str
    kind: str
    complaint_id: str | None
    office_id: str | None
    audience: str
    recipient: str
    channel: Channel
    language: Literal["km", "en"]
    subject: str
    text: str
    target: Target
    state: DeliveryState
    occurred_at: datetime
    created_at: datetime
    due_at: datetime
    attempts: int = 0
    last_error: str | None = None
    title_en: str = ""  # officer notices: the feed and digests show the title
    title_km: str = ""
    items: tuple[str, ...] = ()  # a digest: the held deliveries it gathers
    digest_id: str | None = None  # a held delivery: the digest that gathered it
    sent_at: datetime | None = None
    failed_at: datetime | None = None

    def title(self, language: str) -> str:
        """The one-line title in a language (the subject when there is none)."""
        return (self.title_en if language == "en" else self.title_km) or self.subject

    def failed_because(self, reason: str, now: datetime) -> Delivery:
        """This delivery, failed for good with a reason."""
        return replace(self, state=DeliveryState.FAILED, failed_at=now, last_error=reason)

    def sent_now(self, now: datetime) -> Delivery:
        """This delivery, sent at its first attempt (an in-app alert put in its feed)."""
        return replace(self, state=DeliveryState.SENT, sent_at=now, attempts=1, last_error=None)

    def suppressed_because(self, reason: str) -> Delivery:
        """This delivery, never to be sent, with the reason."""
        return replace(self, state=DeliveryState.SUPPRESSED, last_error=reason)


@dataclass(frozen=True)
class Lease:
    """A delivery a courier holds the lease of while it sends it."""

    delivery: Delivery
    owner: str
    until: datetime = field(compare=False)

    @property
    def id(self) -> str:
        """The delivery's id."""
        return self.delivery.id

    @property
    def attempt(self) -> int:
        """Which attempt this is (1-based)."""
        return self.delivery.attempts


@dataclass(frozen=True)
class Sent:
    """A leased delivery went out."""

    lease: Lease
    at: datetime


@dataclass(frozen=True)
class Retry:
    """A leased delivery failed for now and is due again at ``due_at``."""

    lease: Lease
    due_at: datetime
    reason: str


@dataclass(frozen=True)
class Failed:
    """A leased delivery failed for good."""

    lease: Lease
    at: datetime
    reason: str


#: What became of one leased delivery.
Outcome = Sent | Retry | Failed


@dataclass(frozen=True)
class Outgoing:
    """One message ready to leave, with its address opened just now."""

    delivery_id: str
    event_id: str
    complaint_id: str
    address: str
    language: str
    subject: str
    text: str
    created_at: datetime
    title_en: str = ""
    title_km: str = ""

    @property
    def external_ref(self) -> str:
        """What providers see as this message's id: stable across retries, but opaque.

        The delivery id names the complaint, whose id is public (Open311); a mail or SMS
        provider must not be able to link an address to a case, so it gets only a hash
        that also covers the (never published) event id. A send retried after a crash
        carries the same reference, so a provider that dedupes sends it once.
        """
        return hashlib.sha256(self.delivery_id.encode()).hexdigest()[:32]
