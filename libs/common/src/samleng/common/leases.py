"""Periodic work done by one replica at a time, under a lease kept in MongoDB.

A lease is one document of a service's ``leases`` collection (``_id`` = the job's name);
whoever holds it until some instant does the work, the others wait. A replica that stops
gives it up; one that dies loses it when it expires (two periods), and another takes over::

    lease = MongoLease(db, "retention")
    jobs.append(on_one_replica(lease, timedelta(hours=1), apply_now, "retention applied"))

``apply_now(now)`` returns how many things it did: only that count is logged.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import uuid
from collections.abc import Awaitable, Callable, Coroutine
from datetime import UTC, datetime, timedelta
from typing import Any, Protocol

from pymongo.asynchronous.database import AsyncDatabase
from pymongo.errors import DuplicateKeyError

log = logging.getLogger(__name__)


class Lease(Protocol):
    """One named lease that at most one owner holds at a time."""

    async def hold(self, owner: str, now: datetime, hold: timedelta) -> bool:
        """True when ``owner`` holds the lease (taken or renewed) until ``now + hold``."""
        ...

    async def release(self, owner: str) -> None:
        """Give the lease up (a stopping replica), so another may take it at once."""
        ...


class MongoLease:
    """A lease as one document of the ``leases`` collection."""

    def __init__(self, db: AsyncDatabase[dict[str, Any]], name: str) -> None:
        self._leases = db["leases"]
        self._name = name

    async def hold(self, owner: str, now: datetime, hold: timedelta) -> bool:
        """True when ``owner`` holds the lease until ``now + hold``."""
        try:
            result = await self._leases.update_one(
                {"_id": self._name, "$or": [{"until": {"$lt": now}}, {"owner": owner}]},
                {"$set": {"owner": owner, "until": now + hold}},
                upsert=True,
            )
        except DuplicateKeyError:
            return False  # another replica holds it
        return result.matched_count == 1 or result.upserted_id is not None

    async def release(self, owner: str) -> None:
        """Give the lease up, so another replica may take it at once."""
        await self._leases.delete_one({"_id": self._name, "owner": owner})


def on_one_replica(
    lease: Lease, every: timedelta, work: Callable[[datetime], Awaitable[int]], done: str
) -> Callable[[], Coroutine[Any, Any, None]]:
    """A background task: every ``every``, the replica holding ``lease`` (for two periods)
    runs ``work(now)`` and logs ``done`` with the count it returns; a failed run is
    retried the next period, and a stopping replica gives the lease up."""
    owner = uuid.uuid4().hex

    async def run() -> None:
        try:
            while True:
                try:
                    now = datetime.now(UTC)
                    if await lease.hold(owner, now, 2 * every):
                        log.info(done, extra={"count": await work(now)})
                except Exception:  # MongoDB away: try again next period
                    log.warning("%s: run failed; retrying next period", done, exc_info=True)
                await asyncio.sleep(every.total_seconds())
        finally:
            with contextlib.suppress(Exception):
                await asyncio.shield(lease.release(owner))

    return run
