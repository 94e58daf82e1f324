"""Conversation state in MongoDB: nothing here names a sender, and everything expires.

Collections (TTL indexes remove each document at its ``expires_at``):

- ``conversations``: ``_id`` = keyed hash of the sender; the language and the draft,
  sealed (AES-GCM, bound to the hash); erased when the case is filed;
- ``conversation_follows``: (sender hash, complaint id, language): who may answer an
  office's question by this channel, and whose cases a STOP reaches;
- ``conversation_messages``: keyed hashes of inbound message ids (replay protection);
- ``conversation_counters``: messages per sender hash per hour (rate limit);
- ``conversation_stops``: sender hashes that sent STOP, so that START can undo it
  (as long as the sender's follows last).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pymongo import ASCENDING, ReturnDocument
from pymongo.asynchronous.database import AsyncDatabase
from pymongo.errors import DuplicateKeyError

from samleng.intake.conversations.ports import Conversation, Followed


class MongoConversations:
    """:class:`~samleng.intake.conversations.ports.ConversationStore` in MongoDB."""

    def __init__(self, db: AsyncDatabase[dict[str, Any]]) -> None:
        self._conversations = db["conversations"]
        self._follows = db["conversation_follows"]
        self._messages = db["conversation_messages"]
        self._counters = db["conversation_counters"]
        self._stops = db["conversation_stops"]

    async def create_indexes(self) -> None:
        """TTL indexes on every collection, and the sender index of follows."""
        collections = (
            self._conversations,
            self._follows,
            self._messages,
            self._counters,
            self._stops,
        )
        for collection in collections:
            await collection.create_index("expires_at", expireAfterSeconds=0)
        await self._follows.create_index([("sender", ASCENDING), ("at", ASCENDING)])

    async def load(self, sender: str) -> Conversation | None:
        """The sender's conversation, unless it expired (the TTL monitor may lag a minute)."""
        doc = await self._conversations.find_one({"_id": sender})
        if doc is None or doc["expires_at"] <= _now(doc["expires_at"]):
            return None
        draft = doc.get("draft")
        return Conversation(doc["language"], bytes(draft) if draft is not None else None)

    async def keep(self, sender: str, conversation: Conversation, expires_at: datetime) -> None:
        """Keep the conversation until ``expires_at``."""
        await self._conversations.replace_one(
            {"_id": sender},
            {
                "language": conversation.language,
                "draft": conversation.sealed_draft,
                "expires_at": expires_at,
            },
            upsert=True,
        )

    async def forget(self, sender: str) -> None:
        """Erase the sender's conversation."""
        await self._conversations.delete_one({"_id": sender})

    async def follow(self, sender: str, followed: Followed, expires_at: datetime) -> None:
        """Remember that the sender follows a case."""
        await self._follows.update_one(
            {"_id": f"{sender}:{followed.complaint_id}"},
            {
                "$set": {"language": followed.language, "expires_at": expires_at},
                "$setOnInsert": {
                    "sender": sender,
                    "complaint_id": followed.complaint_id,
                    "at": datetime.now(expires_at.tzinfo),
                },
            },
            upsert=True,
        )

    async def followed(self, sender: str) -> list[Followed]:
        """The cases the sender follows, oldest first."""
        found = self._follows.find({"sender": sender}).sort("at", ASCENDING).limit(50)
        return [Followed(doc["complaint_id"], doc["language"]) async for doc in found]

    async def first_delivery(self, message_key: str, expires_at: datetime) -> bool:
        """True the first time a message id is seen."""
        try:
            await self._messages.insert_one({"_id": message_key, "expires_at": expires_at})
        except DuplicateKeyError:
            return False
        return True

    async def count_message(self, sender: str, window: str, expires_at: datetime) -> int:
        """Count one message of the sender in a window."""
        doc = await self._counters.find_one_and_update(
            {"_id": f"{sender}:{window}"},
            {"$inc": {"count": 1}, "$setOnInsert": {"expires_at": expires_at}},
            upsert=True,
            return_document=ReturnDocument.AFTER,
        )
        return int(doc["count"]) if doc else 1

    async def mark_stopped(self, sender: str, expires_at: datetime) -> None:
        """Remember that the sender sent STOP."""
        await self._stops.replace_one({"_id": sender}, {"expires_at": expires_at}, upsert=True)

    async def unmark_stopped(self, sender: str) -> bool:
        """Forget the sender's STOP; whether there was one."""
        return (await self._stops.delete_one({"_id": sender})).deleted_count > 0


def _now(like: datetime) -> datetime:
    return datetime.now(like.tzinfo)
