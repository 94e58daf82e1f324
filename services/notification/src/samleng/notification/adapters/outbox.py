"""The delivery outbox in MongoDB: every message to send, its state, attempts and reason.

A delivery's id is ``<event id>|<recipient>|<channel>``, so a duplicated event, or the
same event handled by two replicas, creates it once. Senders claim due deliveries with a
lease (one atomic update), so only one replica sends each; retries wait in ``due_at``,
not in memory, so a restart loses none and a slow channel blocks no queue.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from pymongo import ASCENDING, DESCENDING, ReturnDocument
from pymongo.asynchronous.database import AsyncDatabase
from pymongo.errors import BulkWriteError

from samleng.notification.domain.delivery import DeliveryState

DUPLICATE_KEY = 11000

#: What the delivery log shows; never the address or the sealed contact.
LOG_FIELDS = {
    "_id": 1,
    "event_id": 1,
    "event_type": 1,
    "kind": 1,
    "complaint_id": 1,
    "office_id": 1,
    "audience": 1,
    "recipient": 1,
    "channel": 1,
    "language": 1,
    "state": 1,
    "attempts": 1,
    "created_at": 1,
    "sent_at": 1,
    "failed_at": 1,
    "due_at": 1,
    "last_error": 1,
    "digest_id": 1,
}


def delivery_id(event_id: str, recipient: str, channel: str) -> str:
    """The id that makes a delivery unique per (event, recipient, channel)."""
    return f"{event_id}|{recipient}|{channel}"


@dataclass(frozen=True)
class Claim:
    """A delivery this sender holds the lease of."""

    doc: dict[str, Any]
    owner: str

    @property
    def id(self) -> str:
        """The delivery's id."""
        return str(self.doc["_id"])

    @property
    def attempt(self) -> int:
        """Which attempt this is (1-based)."""
        return int(self.doc["attempts"])


class DeliveryOutbox:
    """Deliveries in MongoDB."""

    def __init__(self, db: AsyncDatabase[dict[str, Any]]) -> None:
        self._deliveries = db["deliveries"]

    async def create_indexes(self) -> None:
        """Indexes for claiming, digests and the delivery log (idempotent)."""
        await self._deliveries.create_index(
            [("channel", ASCENDING), ("state", ASCENDING), ("due_at", ASCENDING)]
        )
        await self._deliveries.create_index([("state", ASCENDING), ("lease_until", ASCENDING)])
        await self._deliveries.create_index(
            [("recipient", ASCENDING), ("channel", ASCENDING), ("state", ASCENDING)]
        )
        await self._deliveries.create_index(
            [("office_id", ASCENDING), ("complaint_id", ASCENDING), ("created_at", DESCENDING)]
        )
        await self._deliveries.create_index(
            [("complaint_id", ASCENDING), ("created_at", DESCENDING)]
        )

    async def add(self, deliveries: list[dict[str, Any]]) -> int:
        """Store new deliveries, skipping those that exist; returns how many were new."""
        if not deliveries:
            return 0
        try:
            result = await self._deliveries.insert_many(deliveries, ordered=False)
        except BulkWriteError as exc:
            errors = exc.details.get("writeErrors", [])
            if any(error.get("code") != DUPLICATE_KEY for error in errors):
                raise
            return int(exc.details.get("nInserted", 0))
        return len(result.inserted_ids)

    async def claim(
        self, channel: str, owner: str, now: datetime, lease: timedelta
    ) -> Claim | None:
        """Take the most overdue pending delivery of a channel, with a lease."""
        doc = await self._deliveries.find_one_and_update(
            {"channel": channel, "state": DeliveryState.PENDING, "due_at": {"$lte": now}},
            {
                "$set": {
                    "state": DeliveryState.SENDING,
                    "lease_owner": owner,
                    "lease_until": now + lease,
                },
                "$inc": {"attempts": 1},
            },
            sort=[("due_at", ASCENDING)],
            return_document=ReturnDocument.AFTER,
        )
        return Claim(doc, owner) if doc else None

    async def _settle(self, claim: Claim, update: dict[str, Any]) -> bool:
        result = await self._deliveries.update_one(
            {"_id": claim.id, "state": DeliveryState.SENDING, "lease_owner": claim.owner},
            {**update, "$unset": {"lease_owner": "", "lease_until": ""}},
        )
        return result.modified_count == 1

    async def sent(self, claim: Claim, now: datetime) -> bool:
        """Record a successful send."""
        return await self._settle(
            claim, {"$set": {"state": DeliveryState.SENT, "sent_at": now, "last_error": None}}
        )

    async def retry_at(self, claim: Claim, due_at: datetime, reason: str) -> bool:
        """Record a failed attempt that will be retried at ``due_at``."""
        return await self._settle(
            claim,
            {"$set": {"state": DeliveryState.PENDING, "due_at": due_at, "last_error": reason}},
        )

    async def failed(self, claim: Claim, now: datetime, reason: str) -> bool:
        """Record that the delivery failed for good."""
        return await self._settle(
            claim,
            {"$set": {"state": DeliveryState.FAILED, "failed_at": now, "last_error": reason}},
        )

    async def fail_interrupted(self, now: datetime) -> int:
        """Fail deliveries whose sender vanished mid-send (lease expired).

        The message may or may not have left; sending again could send it twice, so they
        fail with a reason an admin can see, and an admin can send them again.
        """
        result = await self._deliveries.update_many(
            {"state": DeliveryState.SENDING, "lease_until": {"$lt": now}},
            {
                "$set": {
                    "state": DeliveryState.FAILED,
                    "failed_at": now,
                    "last_error": "the sender stopped during the send; not retried so that "
                    "it is never sent twice (an admin can send it again)",
                },
                "$unset": {"lease_owner": "", "lease_until": ""},
            },
        )
        return result.modified_count

    async def send_again(self, delivery: str, now: datetime) -> bool:
        """Put a failed delivery back in line (an admin's decision)."""
        result = await self._deliveries.update_one(
            {"_id": delivery, "state": DeliveryState.FAILED},
            {"$set": {"state": DeliveryState.PENDING, "due_at": now, "attempts": 0}},
        )
        return result.modified_count == 1

    async def held(self, recipient: str, channel: str) -> list[dict[str, Any]]:
        """Deliveries waiting for this recipient's digest on this channel, oldest first."""
        cursor = self._deliveries.find(
            {"recipient": recipient, "channel": channel, "state": DeliveryState.HELD}
        ).sort("created_at", ASCENDING)
        return await cursor.to_list()

    async def add_digest(self, digest: dict[str, Any]) -> dict[str, Any]:
        """Store a digest delivery unless it exists; returns the stored one."""
        stored = await self._deliveries.find_one_and_update(
            {"_id": digest["_id"]},
            {"$setOnInsert": {k: v for k, v in digest.items() if k != "_id"}},
            upsert=True,
            return_document=ReturnDocument.AFTER,
        )
        assert stored is not None  # upsert always returns the document
        return stored

    async def mark_digested(self, items: list[str], digest: str) -> None:
        """Mark held deliveries as gathered into a digest."""
        await self._deliveries.update_many(
            {"_id": {"$in": items}, "state": DeliveryState.HELD},
            {"$set": {"state": DeliveryState.DIGESTED, "digest_id": digest}},
        )

    async def log(
        self,
        *,
        office_id: str | None = None,
        complaint_id: str | None = None,
        state: str | None = None,
        limit: int = 100,
    ) -> list[dict[str, Any]]:
        """Deliveries matching the filters, newest first, without addresses."""
        query: dict[str, Any] = {}
        if office_id:
            query["office_id"] = office_id
        if complaint_id:
            query["complaint_id"] = complaint_id
        if state:
            query["state"] = state
        cursor = self._deliveries.find(query, LOG_FIELDS).sort("created_at", DESCENDING)
        return await cursor.limit(limit).to_list()

    async def get(self, delivery: str) -> dict[str, Any] | None:
        """One delivery, as stored (for the sender)."""
        return await self._deliveries.find_one({"_id": delivery})
