"""What the conversation use cases depend on: the store protocol and the desk ``bootstrap``
wires (the MongoDB store is :mod:`.store`; tests use ``tests/unit/fakes.py``)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Protocol

from samleng.common.events.values import Language
from samleng.intake.ports import Fingerprinter, Sealer


@dataclass(frozen=True)
class Conversation:
    """Where one sender stands: their language and their sealed draft, if any."""

    language: Language = "km"
    sealed_draft: bytes | None = None


@dataclass(frozen=True)
class Followed:
    """A case a sender filed (or opened with its code) from this channel."""

    complaint_id: str
    language: Language


class ConversationStore(Protocol):
    """Conversation state, keyed only by a keyed hash of the sender (``sender``)."""

    async def load(self, sender: str) -> Conversation | None:
        """The sender's conversation, unless it expired."""

    async def keep(self, sender: str, conversation: Conversation, expires_at: datetime) -> None:
        """Keep the conversation until ``expires_at`` (then it leaves nothing)."""

    async def forget(self, sender: str) -> None:
        """Erase the sender's conversation (filed, cancelled or stopped)."""

    async def follow(self, sender: str, followed: Followed, expires_at: datetime) -> None:
        """Remember that the sender follows a case, until ``expires_at``."""

    async def followed(self, sender: str) -> list[Followed]:
        """The cases the sender follows, oldest first."""

    async def first_delivery(self, message_key: str, expires_at: datetime) -> bool:
        """True the first time a message id is seen (until ``expires_at``); else a replay."""

    async def count_message(self, sender: str, window: str, expires_at: datetime) -> int:
        """Count one message of the sender in a window; how many it has now."""

    async def mark_stopped(self, sender: str, expires_at: datetime) -> None:
        """Remember that the sender sent STOP (until ``expires_at``), so START can undo it."""

    async def unmark_stopped(self, sender: str) -> bool:
        """Forget the sender's STOP; whether there was one."""


class PhotoRefused(Exception):
    """A photo could not be fetched from the channel (too large, gone, or refused)."""

    def __init__(self, en: str, km: str) -> None:
        super().__init__(en)
        self.en, self.km = en, km


class PhotoSource(Protocol):
    """Where a channel keeps the photos people send (Telegram: the Bot API's files)."""

    async def fetch(self, photo: str, limit: int) -> bytes:
        """The photo's bytes; PhotoRefused when it is larger than ``limit`` bytes (told
        before the download where the channel says, and checked while it streams)."""


@dataclass(frozen=True)
class ConversationKeys:
    """The keyed hash of senders (and message ids) and the sealing of drafts."""

    senders: Fingerprinter
    drafts: Sealer


@dataclass(frozen=True)
class ConversationDesk:
    """What the conversation use cases reach, beside intake's own ports."""

    store: ConversationStore
    keys: ConversationKeys
    lifetime: timedelta = timedelta(hours=24)  # an unfinished conversation, from its last message
    follow_for: timedelta = timedelta(days=365)  # how long a sender can answer by this channel
    messages_per_hour: int = 60  # per sender
