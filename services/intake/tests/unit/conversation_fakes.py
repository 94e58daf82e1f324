"""An in-memory conversation store, as :mod:`samleng.intake.conversations.store` keeps one."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime

from samleng.intake.conversations.ports import Conversation, Followed


@dataclass
class InMemoryConversations:
    """Conversations, follows, message ids and counters by key; expiry checked on read."""

    conversations: dict[str, tuple[Conversation, datetime]] = field(default_factory=dict)
    follows: dict[str, list[Followed]] = field(default_factory=dict)
    message_keys: set[str] = field(default_factory=set)
    counters: dict[str, int] = field(default_factory=dict)
    stops: set[str] = field(default_factory=set)

    async def load(self, sender: str) -> Conversation | None:
        kept = self.conversations.get(sender)
        if kept is None or kept[1] <= datetime.now(UTC):
            return None
        return kept[0]

    async def keep(self, sender: str, conversation: Conversation, expires_at: datetime) -> None:
        self.conversations[sender] = (conversation, expires_at)

    async def forget(self, sender: str) -> None:
        self.conversations.pop(sender, None)

    async def follow(self, sender: str, followed: Followed, expires_at: datetime) -> None:
        known = self.follows.setdefault(sender, [])
        if all(f.complaint_id != followed.complaint_id for f in known):
            known.append(followed)

    async def followed(self, sender: str) -> list[Followed]:
        return list(self.follows.get(sender, []))

    async def first_delivery(self, message_key: str, expires_at: datetime) -> bool:
        if message_key in self.message_keys:
            return False
        self.message_keys.add(message_key)
        return True

    async def count_message(self, sender: str, window: str, expires_at: datetime) -> int:
        key = f"{sender}:{window}"
        self.counters[key] = self.counters.get(key, 0) + 1
        return self.counters[key]

    async def mark_stopped(self, sender: str, expires_at: datetime) -> None:
        self.stops.add(sender)

    async def unmark_stopped(self, sender: str) -> bool:
        if sender not in self.stops:
            return False
        self.stops.discard(sender)
        return True
