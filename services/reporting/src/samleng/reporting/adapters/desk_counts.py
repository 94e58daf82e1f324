"""The desks' messages as reporting counts them: ``desk_counts``, one document per event.

A document holds the desk kind, what happened (received, dismissed), when, and a
dismissal's category, keyed by ``event_id``: a redelivered event is kept once. Never a
text, a sender or the message's id. A rebuild of the case records leaves it as it is:
it is itself the archive of these events.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pymongo import ASCENDING
from pymongo.asynchronous.database import AsyncDatabase

from samleng.common.group_commit import NewDocuments
from samleng.reporting.domain.desks import DeskCount


class MongoDeskCounts:
    """The social-media desk's arrivals and dismissals, once each."""

    def __init__(self, db: AsyncDatabase[dict[str, Any]]) -> None:
        self._counts = db["desk_counts"]
        self._new = NewDocuments(self._counts)  # counts of the moment in one insert

    async def create_indexes(self) -> None:
        """Find a year's counts quickly (idempotent)."""
        await self._counts.create_index([("at", ASCENDING)])

    async def keep(self, count: DeskCount) -> bool:
        """Store the count unless its event is already there; True if it was new."""
        document = {
            "_id": count.event_id,
            "desk_kind": count.desk_kind,
            "happened": count.happened,
            "at": count.at,
            "reason": count.reason,
        }
        return await self._new.insert(document)

    async def between(self, start: datetime, end: datetime) -> list[DeskCount]:
        """Every arrival and dismissal from ``start`` until before ``end``."""
        cursor = self._counts.find({"at": {"$gte": start, "$lt": end}})
        return [
            DeskCount(doc["_id"], doc["desk_kind"], doc["happened"], doc["at"], doc.get("reason"))
            async for doc in cursor
        ]
