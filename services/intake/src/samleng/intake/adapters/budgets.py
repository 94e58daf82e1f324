"""Shared request budgets in MongoDB: abuse limits that identify nobody.

A budget counts events (failed tracking-code look-ups, submissions) of ALL clients
together in fixed windows, in a document per window shared by every intake replica. No
IP address, user agent or any per-client key is read, stored or logged. When a window's
budget is spent, callers answer 429 with ``Retry-After`` until the next window.

Why this stops code guessing: a guess succeeds with probability (cases / 2^80); with
the default 300 misses a minute for the whole world, finding one code among a million
takes ~10^10 years. The price is that a flood of bad guesses can delay honest look-ups
by one window; honest citizens rarely miss (the check character catches typos before a
look-up is spent), and ``Retry-After`` tells apps when to try again.
"""

from __future__ import annotations

import math
import time
from datetime import UTC, datetime, timedelta
from typing import Any

from pymongo import ReturnDocument
from pymongo.asynchronous.database import AsyncDatabase


class Budget:
    """One named budget: at most ``limit`` spends per ``window_seconds`` (all clients)."""

    def __init__(
        self, db: AsyncDatabase[dict[str, Any]], name: str, limit: int, window_seconds: int
    ) -> None:
        self._counters = db["budgets"]
        self._name = name
        self.limit = limit
        self.window_seconds = window_seconds

    def _window(self) -> tuple[str, float]:
        now = time.time()
        start = math.floor(now / self.window_seconds) * self.window_seconds
        return f"{self._name}:{int(start)}", start + self.window_seconds - now

    async def create_indexes(self) -> None:
        """Spent windows expire by themselves (idempotent)."""
        await self._counters.create_index("expires_at", expireAfterSeconds=0)

    async def exhausted(self) -> int | None:
        """Seconds until the next window if this window's budget is spent, else None."""
        window_id, left = self._window()
        doc = await self._counters.find_one({"_id": window_id})
        if doc and doc["count"] >= self.limit:
            return max(1, math.ceil(left))
        return None

    async def spend(self) -> int | None:
        """Spend one unit; seconds until the next window if the budget was already spent."""
        window_id, left = self._window()
        expires = datetime.now(UTC) + timedelta(seconds=left + self.window_seconds)
        doc = await self._counters.find_one_and_update(
            {"_id": window_id},
            {"$inc": {"count": 1}, "$setOnInsert": {"expires_at": expires}},
            upsert=True,
            return_document=ReturnDocument.AFTER,
        )
        if doc is not None and doc["count"] > self.limit:
            return max(1, math.ceil(left))
        return None
