"""The delivery queue in MongoDB: every message to send, its state, attempts and reason.

A delivery's id is ``<event id>|<recipient>|<channel>``, so a duplicated event, or the
same event handled by two replicas, creates it once. Couriers lease due deliveries (the
lease is taken by a conditional update, so only one replica sends each); retries wait in
``due_at``, not in memory, so a restart loses none and a slow channel blocks no queue.
A send interrupted by a stop or a crash is sent again under the same id, so providers
see the same idempotency key (``Outgoing.external_ref``).
"""

from __future__ import annotations

import asyncio
import contextlib
import uuid
from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any

from pymongo import ASCENDING, DESCENDING, ReturnDocument, UpdateOne
from pymongo.asynchronous.database import AsyncDatabase
from pymongo.errors import OperationFailure

from samleng.common.group_commit import NewDocuments
from samleng.notification.domain.delivery import (
    Delivery,
    DeliveryState,
    Lease,
    Outcome,
    Retry,
    Sent,
    Target,
)

#: A recipient's deliveries by channel and state, newest first: digests and office feeds.
FEED_INDEX = [
    ("recipient", ASCENDING),
    ("channel", ASCENDING),
    ("state", ASCENDING),
    ("occurred_at", DESCENDING),
]
#: Why a delivery waits again after an interrupted send (its provider may have it already).
STOPPED = "the courier stopped during the send; sent again with the same idempotency key"
VANISHED = "the courier vanished during the send"
AFTER = ReturnDocument.AFTER

#: What the delivery log shows; never the address or the sealed contact.
LOG_FIELDS = {
    name: 1
    for name in (
        "_id", "event_id", "event_type", "kind", "complaint_id", "office_id", "audience",
        "recipient", "channel", "language", "subject", "state", "attempts", "occurred_at",
        "created_at", "sent_at", "failed_at", "due_at", "last_error", "digest_id",
    )
}  # fmt: skip


def _to_document(delivery: Delivery) -> dict[str, Any]:
    target = delivery.target
    doc: dict[str, Any] = {
        "_id": delivery.id,
        "event_id": delivery.event_id,
        "event_type": delivery.event_type,
        "kind": delivery.kind,
        "complaint_id": delivery.complaint_id,
        "office_id": delivery.office_id,
        "audience": delivery.audience,
        "recipient": delivery.recipient,
        "channel": delivery.channel,
        "language": delivery.language,
        "subject": delivery.subject,
        "text": delivery.text,
        "target": (
            {"sealed": {"ciphertext": target.ciphertext, "key_id": target.key_id}}
            if target.sealed
            else {"address": target.address}
        ),
        "state": delivery.state.value,
        "attempts": delivery.attempts,
        "occurred_at": delivery.occurred_at,
        "created_at": delivery.created_at,
        "due_at": delivery.due_at,
        "last_error": delivery.last_error,
    }
    optional = {
        "title_en": delivery.title_en,
        "title_km": delivery.title_km,
        "items": list(delivery.items),
        "digest_id": delivery.digest_id,
        "sent_at": delivery.sent_at,
        "failed_at": delivery.failed_at,
    }
    doc.update({name: value for name, value in optional.items() if value})
    return doc


def _from_document(doc: dict[str, Any]) -> Delivery:
    raw = doc.get("target") or {}
    sealed = raw.get("sealed") or {}
    return Delivery(
        id=str(doc["_id"]),
        event_id=doc["event_id"],
        event_type=doc.get("event_type", ""),
        kind=doc.get("kind", ""),
        complaint_id=doc.get("complaint_id"),
        office_id=doc.get("office_id"),
        audience=doc.get("audience", ""),
        recipient=doc["recipient"],
        channel=doc["channel"],
        language=doc.get("language", "km"),
        subject=doc.get("subject", ""),
        text=doc.get("text", ""),
        target=Target(
            address=raw.get("address", ""),
            ciphertext=sealed.get("ciphertext", ""),
            key_id=sealed.get("key_id", ""),
        ),
        state=DeliveryState(doc["state"]),
        attempts=int(doc.get("attempts", 0)),
        occurred_at=doc.get("occurred_at") or doc["created_at"],
        created_at=doc["created_at"],
        due_at=doc.get("due_at") or doc["created_at"],
        last_error=doc.get("last_error"),
        title_en=doc.get("title_en", ""),
        title_km=doc.get("title_km", ""),
        items=tuple(doc.get("items", ())),
        digest_id=doc.get("digest_id"),
        sent_at=doc.get("sent_at"),
        failed_at=doc.get("failed_at"),
    )


def _settlement(outcome: Outcome) -> UpdateOne:
    lease = outcome.lease
    change: dict[str, Any]
    if isinstance(outcome, Sent):
        change = {"state": DeliveryState.SENT, "sent_at": outcome.at, "last_error": None}
    elif isinstance(outcome, Retry):
        change = {"state": DeliveryState.PENDING, "due_at": outcome.due_at}
        change["last_error"] = outcome.reason
    else:
        change = {"state": DeliveryState.FAILED, "failed_at": outcome.at}
        change["last_error"] = outcome.reason
    return UpdateOne(
        {"_id": lease.id, "state": DeliveryState.SENDING, "lease_owner": lease.owner},
        {"$set": change, "$unset": {"lease_owner": "", "lease_until": ""}},
    )


class MongoDeliveryQueue:
    """Deliveries in MongoDB (collection ``deliveries``)."""

    def __init__(self, db: AsyncDatabase[dict[str, Any]]) -> None:
        self._deliveries = db["deliveries"]
        self._new = NewDocuments(self._deliveries)

    async def create_indexes(self) -> None:
        """Indexes for leasing, digests, the feeds and the delivery log (idempotent)."""
        await self._deliveries.create_index(
            [("channel", ASCENDING), ("state", ASCENDING), ("due_at", ASCENDING)]
        )
        await self._deliveries.create_index([("state", ASCENDING), ("lease_until", ASCENDING)])
        # a recipient's deliveries of a channel in a state: held ones (digests), and an
        # office's feed (sent in-app ones, newest first; adapters/feed.py)
        await self._deliveries.create_index(FEED_INDEX)
        with contextlib.suppress(OperationFailure):  # the shorter one of before, if any
            await self._deliveries.drop_index("recipient_1_channel_1_state_1")
        await self._deliveries.create_index(
            [("office_id", ASCENDING), ("complaint_id", ASCENDING), ("created_at", DESCENDING)]
        )
        await self._deliveries.create_index(
            [("complaint_id", ASCENDING), ("created_at", DESCENDING)]
        )

    async def plan(self, deliveries: Sequence[Delivery]) -> int:
        """Store new deliveries, skipping those planned already; returns how many were new.

        Deliveries that handlers plan at the same time are inserted together (a group
        commit), so a busy consumer makes one write for many events."""
        if not deliveries:
            return 0
        new = await asyncio.gather(*(self._new.insert(_to_document(d)) for d in deliveries))
        return sum(new)

    async def lease_due(
        self, channel: str, owner: str, now: datetime, lease: timedelta, limit: int
    ) -> list[Lease]:
        """Lease up to ``limit`` due pending deliveries of a channel, most overdue first.

        One read finds them and one update leases them; only when another courier won
        some of them meanwhile is a second read needed to see which this one holds.
        """
        due = {"channel": channel, "state": DeliveryState.PENDING, "due_at": {"$lte": now}}
        until = now + lease
        cursor = self._deliveries.find(due).sort("due_at", ASCENDING).limit(limit)
        candidates = await cursor.to_list()
        if not candidates:
            return []
        # a token of this lease names the documents this courier won (another may race it)
        token = f"{owner}:{uuid.uuid4().hex}"
        ids = [doc["_id"] for doc in candidates]
        taken = {"state": DeliveryState.SENDING, "lease_owner": token, "lease_until": until}
        result = await self._deliveries.update_many(
            {**due, "_id": {"$in": ids}}, {"$set": taken, "$inc": {"attempts": 1}}
        )
        if result.modified_count == len(ids):
            won = [{**doc, "attempts": doc.get("attempts", 0) + 1} for doc in candidates]
        else:
            won = await self._deliveries.find({"_id": {"$in": ids}, "lease_owner": token}).to_list()
            won.sort(key=lambda doc: doc["due_at"])
        return [Lease(_from_document(doc), token, until) for doc in won]

    async def settle(self, outcomes: Sequence[Outcome]) -> None:
        """Record what became of leased deliveries (a lease lost meanwhile changes nothing)."""
        if outcomes:
            await self._deliveries.bulk_write([_settlement(o) for o in outcomes], ordered=False)

    async def release(self, leases: Sequence[Lease], now: datetime) -> None:
        """Give leased deliveries back, due now: their courier stopped mid-send."""
        for owner in {lease.owner for lease in leases}:
            ids = [lease.id for lease in leases if lease.owner == owner]
            await self._deliveries.update_many(
                {"_id": {"$in": ids}, "state": DeliveryState.SENDING, "lease_owner": owner},
                {
                    "$set": {"state": DeliveryState.PENDING, "due_at": now, "last_error": STOPPED},
                    "$unset": {"lease_owner": "", "lease_until": ""},
                },
            )

    async def requeue_interrupted(self, now: datetime, max_attempts: int) -> int:
        """Put deliveries whose courier vanished mid-send (lease expired) back in line.

        The message may have left already: it is sent again under the same delivery id,
        so the provider sees the same idempotency key and can drop the repeat. A delivery
        interrupted on its last attempt fails with a reason an admin can see (a message
        that kills its courier must not loop for ever).
        """
        expired = {"state": DeliveryState.SENDING, "lease_until": {"$lt": now}}
        unlease = {"lease_owner": "", "lease_until": ""}
        result = await self._deliveries.update_many(
            {**expired, "attempts": {"$lt": max_attempts}},
            {
                "$set": {"state": DeliveryState.PENDING, "due_at": now, "last_error": VANISHED},
                "$unset": unlease,
            },
        )
        await self._deliveries.update_many(
            expired,
            {
                "$set": {
                    "state": DeliveryState.FAILED,
                    "failed_at": now,
                    "last_error": f"{VANISHED} on its last attempt; an admin can send it again",
                },
                "$unset": unlease,
            },
        )
        return result.modified_count

    async def send_again(self, delivery_id: str, now: datetime) -> bool:
        """Put a failed delivery back in line (an admin's decision)."""
        result = await self._deliveries.update_one(
            {"_id": delivery_id, "state": DeliveryState.FAILED},
            {"$set": {"state": DeliveryState.PENDING, "due_at": now, "attempts": 0}},
        )
        return result.modified_count == 1

    async def held(self, recipient: str, channel: str) -> list[Delivery]:
        """Deliveries waiting for this recipient's digest on this channel, oldest first."""
        cursor = self._deliveries.find(
            {"recipient": recipient, "channel": channel, "state": DeliveryState.HELD}
        ).sort("created_at", ASCENDING)
        return [_from_document(doc) for doc in await cursor.to_list()]

    async def plan_digest(self, digest: Delivery) -> Delivery:
        """Store a digest unless it exists; returns the stored one."""
        doc = _to_document(digest)
        stored = await self._deliveries.find_one_and_update(
            {"_id": digest.id},
            {"$setOnInsert": {k: v for k, v in doc.items() if k != "_id"}},
            upsert=True,
            return_document=AFTER,
        )
        assert stored is not None  # upsert always returns the document
        return _from_document(stored)

    async def mark_digested(self, items: Sequence[str], digest_id: str) -> None:
        """Mark held deliveries as gathered into a digest."""
        await self._deliveries.update_many(
            {"_id": {"$in": list(items)}, "state": DeliveryState.HELD},
            {"$set": {"state": DeliveryState.DIGESTED, "digest_id": digest_id}},
        )

    async def log(
        self,
        *,
        office_id: str | None = None,
        complaint_id: str | None = None,
        state: str | None = None,
        limit: int = 100,
    ) -> list[Delivery]:
        """Deliveries matching the filters, newest first, without their targets."""
        query: dict[str, Any] = {}
        if office_id:
            query["office_id"] = office_id
        if complaint_id:
            query["complaint_id"] = complaint_id
        if state:
            query["state"] = state
        cursor = self._deliveries.find(query, LOG_FIELDS).sort("created_at", DESCENDING)
        return [_from_document(doc) for doc in await cursor.limit(limit).to_list()]
