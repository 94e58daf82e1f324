"""MongoDB queue of the social-media desk: ``desk_messages``, one document per message.

Stored: the text, when, the desk, a keyed hash of the sender (``sender_key``) and of
Meta's message id (``source``, so a redelivered webhook is stored once), and the reply
address sealed to the message (AES-GCM, intake's record key). Never a name or picture:
:mod:`samleng.intake.domain.social` dropped them before this module sees anything. Once
a message is filed as a case or dismissed, its text and reply address are removed: the
case keeps what is needed, and a dismissed message needs nothing more. A message nobody
decided is erased the same way after ``SAMLENG_DESK_MESSAGE_DAYS`` (:meth:`expire`,
intake's retention job): only its desk, kind, times and state are left, for the counts.

A message's arrival and its dismissal are announced (``desk.message_received`` and
``desk.message_dismissed``, no text, no sender) through intake's outbox, in the same
transaction as the write they announce, for reporting's public desk figures.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from pymongo import ASCENDING
from pymongo.asynchronous.client_session import AsyncClientSession
from pymongo.asynchronous.database import AsyncDatabase
from pymongo.errors import DuplicateKeyError

from samleng.common.events import Event
from samleng.common.outbox import Outbox
from samleng.intake.domain.social import QueuedMessage, QueueState
from samleng.intake.ports import AlreadyDecided, AlsoWrite

Document = dict[str, Any]


def _message(doc: Document) -> QueuedMessage:
    return QueuedMessage(
        message_id=doc["_id"],
        desk_id=doc["desk_id"],
        kind=doc["kind"],
        text=doc.get("text", ""),
        received_at=doc["received_at"],
        sender_key=doc["sender_key"],
        state=doc["state"],
        complaint_id=doc.get("complaint_id"),
        reason=doc.get("reason"),
        decided_at=doc.get("decided_at"),
    )


class DeskMessageQueue:
    """The desk's queue of incoming messages."""

    def __init__(self, db: AsyncDatabase[Document]) -> None:
        self._db = db
        self._messages = db["desk_messages"]
        self._outbox = Outbox(db)

    async def create_indexes(self) -> None:
        """Indexes the queries below rely on (idempotent)."""
        await self._messages.create_index("source", unique=True)
        await self._messages.create_index(
            [("desk_id", ASCENDING), ("state", ASCENDING), ("received_at", ASCENDING)]
        )
        # the retention job's sweep of messages nobody decided
        await self._messages.create_index([("state", ASCENDING), ("queued_at", ASCENDING)])

    async def receive(
        self,
        message: QueuedMessage,
        source: str,
        sealed_reply: bytes,
        announce: Event | None = None,
    ) -> bool:
        """Queue a message, and ``announce`` it (outbox) in the same transaction; False if
        this source message was queued before (nothing is written or announced)."""

        async def queue(session: AsyncClientSession | None) -> None:
            await self._messages.insert_one(
                {
                    "_id": message.message_id,
                    "source": source,
                    "desk_id": message.desk_id,
                    "kind": message.kind,
                    "text": message.text,
                    "received_at": message.received_at,
                    "sender_key": message.sender_key,
                    "reply": sealed_reply,
                    "state": message.state,
                    # when it reached us: a message may have been sent long before
                    "queued_at": datetime.now(UTC),
                },
                session=session,
            )
            if announce is not None:
                await self._outbox.add([announce], session=session)

        try:
            if announce is None:
                await queue(None)
            else:
                async with self._db.client.start_session() as session:
                    await session.with_transaction(queue)
        except DuplicateKeyError:
            return False
        return True

    async def waiting(self, desk_id: str, limit: int) -> list[QueuedMessage]:
        """The desk's messages waiting for an agent, oldest first."""
        cursor = (
            self._messages.find({"desk_id": desk_id, "state": "waiting"})
            .sort("received_at", ASCENDING)
            .limit(limit)
        )
        return [_message(doc) async for doc in cursor]

    async def get(self, message_id: str) -> tuple[QueuedMessage, bytes | None] | None:
        """A message and its sealed reply address (None once decided)."""
        doc = await self._messages.find_one({"_id": message_id})
        return (_message(doc), doc.get("reply")) if doc else None

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
        """The write that decides a waiting message (and stores ``announce`` in the
        outbox), for the caller's transaction; it raises AlreadyDecided if another agent
        decided it first."""

        async def decide(session: AsyncClientSession | None) -> None:
            done = await self._messages.update_one(
                {"_id": message_id, "state": "waiting"},
                {
                    "$set": {
                        "state": state,
                        "complaint_id": complaint_id,
                        "reason": reason,
                        "decided_at": now,
                    },
                    "$unset": {"text": "", "reply": ""},
                },
                session=session,
            )
            if done.modified_count != 1:
                raise AlreadyDecided(message_id)
            if announce is not None:
                await self._outbox.add([announce], session=session)

        return decide

    async def expire(self, queued_before: datetime, now: datetime) -> int:
        """Erase the text and reply address of every message still waiting that reached
        the queue before ``queued_before``; how many. Their counts stay."""
        done = await self._messages.update_many(
            {"state": "waiting", "queued_at": {"$lt": queued_before}},
            {"$set": {"state": "expired", "decided_at": now}, "$unset": {"text": "", "reply": ""}},
        )
        return done.modified_count

    async def decide(self, write: AlsoWrite, also: AlsoWrite) -> None:
        """Run a decision and ``also`` (its audit entry) in one transaction."""

        async def both(session: AsyncClientSession) -> None:
            await write(session)
            await also(session)

        async with self._db.client.start_session() as session:
            await session.with_transaction(both)

    async def monthly(self, desk_id: str, since: datetime) -> list[Document]:
        """Per month since ``since``: messages received, filed as cases, dismissed, and
        erased undecided (expired)."""
        pipeline: list[Document] = [
            {"$match": {"desk_id": desk_id, "received_at": {"$gte": since}}},
            {
                "$group": {
                    "_id": {"$dateToString": {"format": "%Y-%m", "date": "$received_at"}},
                    "received": {"$sum": 1},
                    "filed": {"$sum": {"$cond": [{"$eq": ["$state", "filed"]}, 1, 0]}},
                    "dismissed": {"$sum": {"$cond": [{"$eq": ["$state", "dismissed"]}, 1, 0]}},
                    "expired": {"$sum": {"$cond": [{"$eq": ["$state", "expired"]}, 1, 0]}},
                }
            },
            {"$sort": {"_id": 1}},
        ]
        return [doc async for doc in await self._messages.aggregate(pipeline)]
