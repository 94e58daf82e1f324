"""The in-app feed in MongoDB: an office's feed is its sent in-app deliveries.

An in-app delivery (``deliveries``, channel ``in_app``, recipient ``office:<id>``) is
stored sent as it is planned, so the delivery is the alert: one insert, unique per
(event, recipient, channel) by the delivery's id, and a ``read`` mark set by officers.
Before issue 19 each alert was a second document in ``alerts``; :meth:`adopt_alerts`
(run with the indexes) carries their read marks over and renames that collection.
"""

from __future__ import annotations

import contextlib
from typing import Any

from pymongo import DESCENDING, UpdateOne
from pymongo.asynchronous.database import AsyncDatabase
from pymongo.errors import OperationFailure

from samleng.notification.domain.delivery import DeliveryState, delivery_id
from samleng.notification.domain.feed import FeedAlert

#: Where the alerts of before issue 19 go once their read marks are carried over.
ADOPTED = "alerts_before_issue_19"


def _shown(recipient: str) -> dict[str, Any]:
    return {"recipient": recipient, "channel": "in_app", "state": DeliveryState.SENT}


def _alert(doc: dict[str, Any]) -> FeedAlert:
    return FeedAlert(
        event_id=doc["event_id"],
        complaint_id=doc.get("complaint_id") or "",
        recipient=doc["recipient"],
        channel=doc["channel"],
        title_en=doc.get("title_en", ""),
        title_km=doc.get("title_km", ""),
        created_at=doc.get("occurred_at") or doc["created_at"],
        read=bool(doc.get("read", False)),
    )


class MongoAlertFeed:
    """Offices' feeds, newest first, read or unread (collection ``deliveries``)."""

    def __init__(self, db: AsyncDatabase[dict[str, Any]]) -> None:
        self._db = db
        self._deliveries = db["deliveries"]

    async def create_indexes(self) -> None:
        """The alerts of before carried over (idempotent); the feed's index is the delivery
        queue's (``deliveries.FEED_INDEX``)."""
        await self.adopt_alerts()

    async def adopt_alerts(self) -> None:
        """Carry the read marks of the ``alerts`` of before over to their deliveries, then
        rename the collection (two replicas starting together both carry them; one renames)."""
        if not await self._db.list_collection_names(filter={"name": "alerts"}):
            return
        marks = [
            UpdateOne(
                {"_id": delivery_id(doc["event_id"], doc["recipient"], doc["channel"])},
                {"$set": {"read": True}},
            )
            async for doc in self._db["alerts"].find({"read": True})
        ]
        if marks:
            await self._deliveries.bulk_write(marks, ordered=False)
        with contextlib.suppress(OperationFailure):  # another replica renamed it first
            await self._db["alerts"].rename(ADOPTED)

    async def for_recipient(self, recipient: str, limit: int = 50) -> list[FeedAlert]:
        """The newest alerts of one recipient."""
        cursor = self._deliveries.find(_shown(recipient)).sort("occurred_at", DESCENDING)
        return [_alert(doc) for doc in await cursor.limit(limit).to_list()]

    async def unread(self, recipient: str) -> int:
        """How many alerts of a recipient are unread."""
        return await self._deliveries.count_documents({**_shown(recipient), "read": {"$ne": True}})

    async def mark_read(self, recipient: str, event_id: str, read: bool = True) -> bool:
        """Mark one alert read (or unread again); False if there is no such alert."""
        result = await self._deliveries.update_one(
            {"_id": delivery_id(event_id, recipient, "in_app"), "state": DeliveryState.SENT},
            {"$set": {"read": read}},
        )
        return result.matched_count == 1
