"""Complaint projections in MongoDB, updated idempotently and order-tolerantly.

One update per event: facts are set (the same event sets the same facts), and the status
changes only if the event's sequence is higher than the one that set the current status.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pymongo.asynchronous.database import AsyncDatabase

from samleng.reporting.domain.stats import ProjectionUpdate


class ComplaintProjections:
    """Per-complaint projections and the counts drawn from them."""

    def __init__(self, db: AsyncDatabase[dict[str, Any]]) -> None:
        self._complaints = db["complaints"]

    async def create_indexes(self) -> None:
        """Indexes the summary queries use (idempotent)."""
        await self._complaints.create_index("status")
        await self._complaints.create_index("updated_at")

    async def apply(self, update: ProjectionUpdate, occurred_at: datetime) -> None:
        """Apply one event's change; replays and late arrivals change nothing wrongly."""
        current = {"$ifNull": ["$status_sequence", 0]}
        newer = {"$lt": [current, update.sequence]}
        stage: dict[str, Any] = {
            **{key: {"$literal": value} for key, value in update.facts.items()},
            "updated_at": {"$max": [{"$ifNull": ["$updated_at", None]}, occurred_at]},
        }
        if update.status is not None:
            stage["status"] = {"$cond": [newer, update.status.value, "$status"]}
            stage["status_sequence"] = {"$max": [current, update.sequence]}
        await self._complaints.update_one(
            {"_id": update.complaint_id}, [{"$set": stage}], upsert=True
        )

    async def counts_by_status(self) -> tuple[dict[str, int], datetime | None]:
        """How many complaints are in each status, and when the newest event happened."""
        counts: dict[str, int] = {}
        cursor = await self._complaints.aggregate(
            [{"$group": {"_id": "$status", "n": {"$sum": 1}}}]
        )
        async for row in cursor:
            counts[str(row["_id"])] = row["n"]
        latest = await self._complaints.find_one({}, {"updated_at": 1}, sort=[("updated_at", -1)])
        return counts, (latest or {}).get("updated_at")
