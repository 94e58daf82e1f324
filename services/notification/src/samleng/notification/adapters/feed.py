"""The in-app feed in MongoDB: at most one alert per (event, recipient, channel)."""

from __future__ import annotations

from dataclasses import asdict
from typing import Any

from pymongo import ASCENDING, DESCENDING
from pymongo.asynchronous.database import AsyncDatabase
from pymongo.errors import DuplicateKeyError

from samleng.notification.domain.alerts import Alert


class AlertFeed:
    """Stored alerts, newest first per recipient."""

    def __init__(self, db: AsyncDatabase[dict[str, Any]]) -> None:
        self._alerts = db["alerts"]

    async def create_indexes(self) -> None:
        """The uniqueness that makes a redelivered event send nothing twice (idempotent)."""
        await self._alerts.create_index(
            [("event_id", ASCENDING), ("recipient", ASCENDING), ("channel", ASCENDING)],
            unique=True,
        )
        await self._alerts.create_index([("recipient", ASCENDING), ("created_at", DESCENDING)])

    async def add(self, alert: Alert) -> bool:
        """Store an alert; False if this (event, recipient, channel) was already stored."""
        try:
            await self._alerts.insert_one({**asdict(alert), "read": False})
        except DuplicateKeyError:
            return False
        return True

    async def for_recipient(self, recipient: str, limit: int = 50) -> list[dict[str, Any]]:
        """The newest alerts of one recipient."""
        cursor = self._alerts.find({"recipient": recipient}, {"_id": 0}).sort("created_at", -1)
        return await cursor.limit(limit).to_list()
