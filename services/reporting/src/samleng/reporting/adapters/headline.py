"""The national headline, computed at most once per ``ttl`` seconds per process.

The summary endpoint must stay fast on a long history, so requests never scan the case
records themselves: they get the last computed headline, and a stale one is refreshed in
the background (stale-while-revalidate). Only the very first request waits for a count.
"""

from __future__ import annotations

import asyncio
import logging
import time

from samleng.reporting.ports import CaseRecords, Headline

log = logging.getLogger(__name__)


class HeadlineCache:
    """Counts of cases per current status, and the newest event time, kept fresh."""

    def __init__(self, records: CaseRecords, ttl: float) -> None:
        self._records = records
        self._ttl = ttl
        self._value: Headline | None = None
        self._computed_at = 0.0
        self._refreshing: asyncio.Task[None] | None = None

    async def get(self) -> Headline:
        """The latest headline; starts a background refresh when it is older than ttl."""
        if self._value is None:
            await self._refresh()
        elif time.monotonic() - self._computed_at > self._ttl and not self._refreshing:
            self._refreshing = asyncio.create_task(self._refresh())
            self._refreshing.add_done_callback(self._done)
        assert self._value is not None
        return self._value

    async def _refresh(self) -> None:
        started = time.monotonic()
        self._value = await self._records.status_counts()
        self._computed_at = started

    def _done(self, task: asyncio.Task[None]) -> None:
        self._refreshing = None
        if not task.cancelled() and (error := task.exception()) is not None:
            # the previous headline stays; the next request tries again
            log.warning("headline refresh failed", exc_info=error)
