"""The event archive: every event reporting ever received, once, keyed by ``event_id``.

It is what ``python -m samleng.reporting rebuild`` replays, and what a case record is
folded from, so the statistics can always be recomputed from scratch. Events handled at
the same time are archived together, in one unordered ``insert_many`` (a group commit).
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

from pymongo.asynchronous.database import AsyncDatabase

from samleng.common.events import Event, parse_event
from samleng.common.group_commit import NewDocuments


def archived_form(event: Event) -> dict[str, Any]:
    """The event as reporting keeps it: without the sealed contacts, which it never needs.

    Statistics never use a contact channel; keeping even the sealed form would hold a
    citizen's phone number (under another service's key) forever in the public service.
    """
    body = event.model_dump(mode="json")
    data = body.get("data")
    if isinstance(data, dict) and "contacts" in data:
        data["contacts"] = []
    return body


class MongoEventArchive:
    """Reporting's copy of the event stream (``events`` collection)."""

    def __init__(self, db: AsyncDatabase[dict[str, Any]]) -> None:
        self._events = db["events"]
        self._inserts = NewDocuments(self._events)

    async def create_indexes(self) -> None:
        """Find a complaint's events quickly (idempotent)."""
        await self._events.create_index([("complaint_id", 1), ("sequence", 1)])

    async def keep(self, event: Event) -> bool:
        """Store the event unless it is already there; True if it was new."""
        document = {
            "_id": str(event.event_id),
            "complaint_id": event.complaint_id,
            "sequence": event.sequence,
            "event": archived_form(event),
        }
        return await self._inserts.insert(document)

    async def of_complaint(self, complaint_id: str) -> list[Event]:
        """Every archived event of one complaint."""
        cursor = self._events.find({"complaint_id": complaint_id}, {"event": 1})
        return [parse_event(doc["event"]) async for doc in cursor]

    async def complaint_ids(self) -> AsyncIterator[str]:
        """Every complaint the archive has events of."""
        cursor = await self._events.aggregate(
            [{"$group": {"_id": "$complaint_id"}}], allowDiskUse=True
        )
        async for row in cursor:
            yield str(row["_id"])
