"""The outbox relay: publishes stored events with confirms, then marks them published.

An event is in the outbox from the moment its case is written. The relay claims one
entry at a time with a short lease (so several intake replicas never publish the same
entry at once), publishes it and waits for the broker's confirm, and only then sets
``published_at``. A crash anywhere in between leaves the entry unpublished, so it is
published again on restart: delivery is at least once, and every consumer dedupes.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from datetime import UTC, datetime, timedelta
from typing import Any

from pymongo import ASCENDING, ReturnDocument
from pymongo.asynchronous.database import AsyncDatabase

from samleng.common.broker import EventPublisher
from samleng.common.events import parse_event

log = logging.getLogger(__name__)

LEASE = timedelta(seconds=30)


class OutboxRelay:
    """Moves events from intake's outbox to the broker."""

    def __init__(
        self,
        db: AsyncDatabase[dict[str, Any]],
        publisher: EventPublisher,
        *,
        poll_seconds: float = 1.0,
    ) -> None:
        self._outbox = db["outbox"]
        self._publisher = publisher
        self._poll_seconds = poll_seconds
        self._wake = asyncio.Event()

    def wake(self) -> None:
        """Ask the relay to look at the outbox now (after a new case was stored)."""
        self._wake.set()

    async def publish_pending(self) -> int:
        """Publish every unpublished entry that is not leased by another relay."""
        published = 0
        while (entry := await self._claim()) is not None:
            event = parse_event(entry["body"])
            try:
                await self._publisher.publish(event, headers=entry.get("trace"))
            except Exception:
                await self._outbox.update_one(
                    {"_id": entry["_id"]}, {"$set": {"claimed_until": None}}
                )
                raise
            await self._outbox.update_one(
                {"_id": entry["_id"]},
                {"$set": {"published_at": datetime.now(UTC), "claimed_until": None}},
            )
            published += 1
        return published

    async def _claim(self) -> dict[str, Any] | None:
        now = datetime.now(UTC)
        return await self._outbox.find_one_and_update(
            {
                "published_at": None,
                "$or": [{"claimed_until": None}, {"claimed_until": {"$lt": now}}],
            },
            {"$set": {"claimed_until": now + LEASE}, "$inc": {"attempts": 1}},
            sort=[("created_at", ASCENDING)],
            return_document=ReturnDocument.AFTER,
        )

    async def run(self) -> None:
        """Relay until cancelled; a failed publish is retried on the next round."""
        while True:
            self._wake.clear()
            try:
                count = await self.publish_pending()
                if count:
                    log.info("outbox published", extra={"count": count})
            except asyncio.CancelledError:
                raise
            except Exception:
                log.exception("outbox relay round failed; will retry")
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._wake.wait(), timeout=self._poll_seconds)
