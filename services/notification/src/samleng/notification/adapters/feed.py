"""The in-app feed in MongoDB: at most one alert per (event, recipient, channel).

Alerts the couriers store at the same time go in together (a group commit)."""

from __future__ import annotations

from dataclasses import asdict
from typing import Any

from pymongo import ASCENDING, DESCENDING
from pymongo.asynchronous.database import AsyncDatabase

from samleng.common.group_commit import NewDocuments
from samleng.notification.domain.feed import FeedAlert

_FIELDS = ("event_id", "complaint_id", "recipient", "channel", "title_en", "title_km")


class MongoAlertFeed:
    """Stored alerts, newest first per recipient, read or unread."""

    def __init__(self, db: AsyncDatabase[dict[str, Any]]) -> None:
        self._alerts = db["alerts"]
        self._new = NewDocuments(self._alerts)

    async def create_indexes(self) -> None:
        """The uniqueness that makes a redelivered event send nothing twice (idempotent)."""
        await self._alerts.create_index(
            [("event_id", ASCENDING), ("recipient", ASCENDING), ("channel", ASCENDING)],
            unique=True,
        )
        await self._alerts.create_index([("recipient", ASCENDING), ("created_at", DESCENDING)])

    async def add(self, alert: FeedAlert) -> bool:
        """Store an alert; False if this (event, recipient, channel) was already stored."""
        return await self._new.insert(asdict(alert))

    async def for_recipient(self, recipient: str, limit: int = 50) -> list[FeedAlert]:
        """The newest alerts of one recipient."""
        cursor = self._alerts.find({"recipient": recipient}, {"_id": 0}).sort("created_at", -1)
        return [
            FeedAlert(
                **{name: doc[name] for name in _FIELDS},
                created_at=doc["created_at"],
                read=doc["read"],
            )
            for doc in await cursor.limit(limit).to_list()
        ]

    async def unread(self, recipient: str) -> int:
        """How many alerts of a recipient are unread."""
        return await self._alerts.count_documents({"recipient": recipient, "read": False})

    async def mark_read(self, recipient: str, event_id: str, read: bool = True) -> bool:
        """Mark one alert read (or unread again); False if there is no such alert."""
        result = await self._alerts.update_one(
            {"recipient": recipient, "event_id": event_id, "channel": "in_app"},
            {"$set": {"read": read}},
        )
        return result.matched_count == 1
