"""Deliveries: one message to one recipient on one channel, and how a failure is retried.

Pure: no I/O. The outbox in MongoDB stores these states; the sender moves them::

    held ──(daily digest)──> digested
    pending ──claim──> sending ──ok──> sent
                          │ temporary failure, attempts left ──> pending (due later)
                          └ permanent failure, or no attempts left ──> failed (reason kept)
"""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Literal

Channel = Literal["in_app", "email", "sms", "telegram"]
CHANNELS: tuple[Channel, ...] = ("in_app", "email", "sms", "telegram")
#: Channels a citizen can leave (the in-app feed is for offices).
CITIZEN_CHANNELS: tuple[Channel, ...] = ("email", "sms", "telegram")


class DeliveryState(StrEnum):
    """Where a delivery is in its life."""

    PENDING = "pending"
    SENDING = "sending"
    SENT = "sent"
    FAILED = "failed"
    HELD = "held"  # waiting for the recipient's daily digest
    DIGESTED = "digested"  # sent as part of a digest


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
