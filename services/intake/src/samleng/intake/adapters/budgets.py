"""Shared request budgets: abuse limits that identify nobody.

A budget counts events (failed tracking-code look-ups, submissions) of ALL clients
together in fixed windows, in a document per window shared by every intake replica. No
IP address, user agent or any per-client key is read, stored or logged. When a window's
budget is spent, callers answer 429 with ``Retry-After`` until the next window.

Each replica counts in memory and adds its count to the window's document every
``flush_seconds`` (and once more when it stops), reading back what all replicas spent;
a request never waits for MongoDB. Between two flushes a replica sees its own spends at
once and the others' up to ``flush_seconds`` late, so the whole deployment can overshoot
a budget by what the other replicas spend in one flush period: a few look-ups, next to a
limit of hundreds a minute.

Why this stops code guessing: a guess succeeds with probability (cases / 2^80); with
the default 300 misses a minute for the whole world, finding one code among a million
takes ~10^10 years. The price is that a flood of bad guesses can delay honest look-ups
by one window; honest citizens rarely miss (the check character catches typos before a
look-up is spent), and ``Retry-After`` tells apps when to try again.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import math
import time
from collections.abc import Callable, Coroutine, Sequence
from datetime import UTC, datetime, timedelta
from typing import Any

from pymongo import ReturnDocument
from pymongo.asynchronous.database import AsyncDatabase

log = logging.getLogger(__name__)


class Budget:
    """One named budget: at most ``limit`` spends per ``window_seconds`` (all clients)."""

    def __init__(
        self, db: AsyncDatabase[dict[str, Any]], name: str, limit: int, window_seconds: int
    ) -> None:
        self._counters = db["budgets"]
        self._name = name
        self.limit = limit
        self.window_seconds = window_seconds
        self._pending: dict[str, int] = {}  # spent here, not yet added to the window's document
        self._shared: dict[str, int] = {}  # the window's document as last read (all replicas)
        self._in_flight: dict[str, int] = {}  # being added to the window's document right now

    def _window(self) -> tuple[str, float]:
        now = time.time()
        start = math.floor(now / self.window_seconds) * self.window_seconds
        return f"{self._name}:{int(start)}", start + self.window_seconds - now

    def _spent(self, window_id: str) -> int:
        return (
            self._shared.get(window_id, 0)
            + self._in_flight.get(window_id, 0)
            + self._pending.get(window_id, 0)
        )

    async def create_indexes(self) -> None:
        """Spent windows expire by themselves (idempotent)."""
        await self._counters.create_index("expires_at", expireAfterSeconds=0)

    async def exhausted(self) -> int | None:
        """Seconds until the next window if this window's budget is spent, else None."""
        window_id, left = self._window()
        if self._spent(window_id) >= self.limit:
            return max(1, math.ceil(left))
        return None

    async def spend(self) -> int | None:
        """Spend one unit; seconds until the next window if the budget was already spent."""
        window_id, left = self._window()
        self._pending[window_id] = self._pending.get(window_id, 0) + 1
        if self._spent(window_id) > self.limit:
            return max(1, math.ceil(left))
        return None

    async def flush(self) -> None:
        """Add this replica's spends to the shared windows and read what all have spent."""
        window_id, left = self._window()
        for spent_in in [*self._pending, *([] if window_id in self._pending else [window_id])]:
            count = self._pending.pop(spent_in, 0)
            self._in_flight[spent_in] = count
            expires = datetime.now(UTC) + timedelta(seconds=left + self.window_seconds)
            try:
                doc = (
                    await self._counters.find_one_and_update(
                        {"_id": spent_in},
                        {"$inc": {"count": count}, "$setOnInsert": {"expires_at": expires}},
                        upsert=True,
                        return_document=ReturnDocument.AFTER,
                    )
                    if count
                    else await self._counters.find_one({"_id": spent_in})  # the others' spends
                )
            except BaseException:
                self._pending[spent_in] = self._pending.get(spent_in, 0) + count  # next time
                raise
            finally:
                del self._in_flight[spent_in]
            if doc is not None:
                self._shared[spent_in] = max(self._shared.get(spent_in, 0), int(doc["count"]))
        for old in [w for w in self._shared if w != window_id and w not in self._pending]:
            del self._shared[old]


def budget_flusher(
    budgets: Sequence[Budget], every_seconds: float
) -> Callable[[], Coroutine[Any, Any, None]]:
    """The background task that flushes the budgets every ``every_seconds`` and on stop."""

    async def flush_budgets() -> None:
        try:
            while True:
                await asyncio.sleep(every_seconds)
                for budget in budgets:
                    try:
                        await budget.flush()
                    except Exception:  # MongoDB away: keep counting, flush later
                        log.warning("budget flush failed; retrying", exc_info=True)
        finally:
            for budget in budgets:
                with contextlib.suppress(Exception):
                    await budget.flush()

    return flush_budgets
