"""The social-media desk's queue in memory (``fakes.fake_ports`` wires it)."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import Any

from samleng.common.events import Event
from samleng.intake.domain.social import QueuedMessage, QueueState
from samleng.intake.ports import AlreadyDecided, AlsoWrite


@dataclass
class InMemoryDeskMessages:
    """Queued messages by id, their sealed replies, and the sources seen."""

    messages: dict[str, QueuedMessage] = field(default_factory=dict)
    replies: dict[str, bytes] = field(default_factory=dict)
    sources: set[str] = field(default_factory=set)
    announced: list[Event] = field(default_factory=list)

    async def receive(
        self,
        message: QueuedMessage,
        source: str,
        sealed_reply: bytes,
        announce: Event | None = None,
    ) -> bool:
        """Queue a message (and keep its announcement); False if this source was queued before."""
        if source in self.sources:
            return False
        self.sources.add(source)
        self.announced.extend([announce] if announce else [])
        self.messages[message.message_id] = message
        self.replies[message.message_id] = sealed_reply
        return True

    async def waiting(self, desk_id: str, limit: int) -> list[QueuedMessage]:
        """The desk's waiting messages, oldest first."""
        found = [m for m in self.messages.values() if m.desk_id == desk_id]
        found = [m for m in found if m.state == "waiting"]
        return sorted(found, key=lambda m: m.received_at)[:limit]

    async def get(self, message_id: str) -> tuple[QueuedMessage, bytes | None] | None:
        """A message and its sealed reply (None once decided)."""
        message = self.messages.get(message_id)
        return None if message is None else (message, self.replies.get(message_id))

    def decision(
        self,
        message_id: str,
        state: QueueState,
        now: datetime,
        *,
        complaint_id: str | None = None,
        reason: str | None = None,
        announce: Event | None = None,
    ) -> AlsoWrite:
        """Decide a waiting message (its text and reply dropped), or AlreadyDecided."""

        async def decide(session: Any) -> None:
            message = self.messages.get(message_id)
            if message is None or message.state != "waiting":
                raise AlreadyDecided(message_id)
            self.messages[message_id] = replace(
                message,
                state=state,
                text="",
                complaint_id=complaint_id,
                reason=reason,
                decided_at=now,
            )
            self.replies.pop(message_id, None)
            self.announced.extend([announce] if announce else [])

        return decide

    async def decide(self, write: AlsoWrite, also: AlsoWrite) -> None:
        """The decision, then ``also``."""
        await write(None)
        await also(None)

    async def monthly(self, desk_id: str, since: datetime) -> list[dict[str, Any]]:
        """Not needed by the unit tests."""
        return []

    async def expire(self, queued_before: datetime, now: datetime) -> int:
        """Erase the text and reply of waiting messages sent before the limit (in
        memory, a message is queued when it is sent)."""
        old = [
            m
            for m in self.messages.values()
            if m.state == "waiting" and m.received_at < queued_before
        ]
        for message in old:
            self.messages[message.message_id] = replace(
                message, state="expired", text="", decided_at=now
            )
            self.replies.pop(message.message_id, None)
        return len(old)
