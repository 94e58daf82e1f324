"""Routing's record of each case's assignment, and the event that announced it.

The first decision for a complaint is kept (``_id`` = complaint id); a redelivered
``complaint.submitted`` finds it and re-announces the same event (same ``event_id``), so
a crash between storing and publishing loses nothing and duplicates nothing downstream.
"""

from __future__ import annotations

from typing import Any

from pymongo import ReturnDocument
from pymongo.asynchronous.database import AsyncDatabase

from samleng.common.events import ComplaintAssigned, parse_event


class AssignmentRepository:
    """Assignments in routing's database."""

    def __init__(self, db: AsyncDatabase[dict[str, Any]]) -> None:
        self._assignments = db["assignments"]

    async def create_indexes(self) -> None:
        """Indexes for the office inbox queries of later features (idempotent)."""
        await self._assignments.create_index("office_id")

    async def record(self, event: ComplaintAssigned) -> ComplaintAssigned:
        """Store the assignment unless one exists; return the one that is stored."""
        doc = {
            "office_id": event.data.office.office_id,
            "rule": event.data.rule,
            "directory_version": event.data.directory_version,
            "sequence": event.sequence,
            "event": event.model_dump(mode="json"),
        }
        stored = await self._assignments.find_one_and_update(
            {"_id": event.complaint_id},
            {"$setOnInsert": doc},
            upsert=True,
            return_document=ReturnDocument.AFTER,
        )
        assert stored is not None  # an upsert always returns the document
        kept = parse_event(stored["event"])
        assert isinstance(kept, ComplaintAssigned)
        return kept
