"""Builds the public tables in the background: one calendar year at a time, whenever an
event may have changed it, and the running year again after ``republish_after`` (its
figures are "as of now": a service standard can run out without any event).

With ``monthly`` (production's default) the tables are released once a month, as of the
start of the month (the last complete month): two releases then differ by a month of
cases, so comparing them does not single out a case received in between, as comparing
two builds minutes apart could. Late events correct a release at most once per
``republish_after``.

One replica builds at a time (a lease in MongoDB); the counting and suppression run in a
process of their own for each build (CPU-bound work in a thread would hold the interpreter
lock and slow every request), so requests keep being answered meanwhile. The year's
records stream from the database to that process: neither holds them all. It ends with
the build and dies with the service (``entrypoints/build_worker.py``).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
import uuid
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta

from samleng.common.calendar import WorkingCalendar
from samleng.common.progress import Progress
from samleng.reporting.domain.cases import CaseRecord
from samleng.reporting.domain.figures import Area
from samleng.reporting.domain.periods import parse_period
from samleng.reporting.entrypoints.build_worker import BuildWorker, give_back_freed_memory
from samleng.reporting.ports import CaseRecords, DeskCounts, Edition, Publications

log = logging.getLogger(__name__)


class Publisher:
    """Keeps every year's publication up to date."""

    def __init__(
        self,
        records: CaseRecords,
        publications: Publications,
        calendar: WorkingCalendar,
        *,
        threshold: int,
        monthly: bool,
        interval_seconds: float,
        republish_after_seconds: float,
        desk_counts: DeskCounts | None = None,
    ) -> None:
        self._records = records
        self._desk_counts = desk_counts
        self._publications = publications
        self._calendar = calendar
        self._threshold = threshold
        self._monthly = monthly
        self._interval = interval_seconds
        self._republish_after = timedelta(seconds=republish_after_seconds)
        # renewed before each year's build; a replica that dies hands over after this long
        self._lease = timedelta(seconds=max(900.0, 10 * interval_seconds))
        self.owner = f"reporting-{uuid.uuid4().hex[:12]}"
        self.worker = BuildWorker()

    async def run(self) -> None:
        """Publish what is due, forever (a background task of the app's lifespan)."""
        try:
            while True:
                try:
                    if await self._publications.claim(self.owner, datetime.now(UTC), self._lease):
                        await self.publish_due()
                except Exception:
                    log.exception("publishing failed; retrying", extra={"service": "reporting"})
                await asyncio.sleep(self._interval)
        finally:
            self.worker.stop()  # a build in progress dies with the service
            # hand over at once on a graceful stop instead of when the lease runs out
            with contextlib.suppress(Exception):
                await self._publications.release(self.owner)

    async def publish_due(self, now: datetime | None = None) -> list[Edition]:
        """Build every year that is due, oldest first; the editions made."""
        now = now or datetime.now(UTC)
        first = await self._records.first_received()
        if first is None:
            return []
        calendar = self._calendar
        cutoff = calendar.month_start(now) if self._monthly else now
        versions = await self._publications.versions()
        made: list[Edition] = []
        rebuilt_before = False
        years = range(calendar.local_date(first).year, calendar.local_date(now).year + 1)
        progress: Progress | None = None  # a line per year built, with an ETA, in the log
        for index, year in enumerate(years):
            edition = await self._publications.edition(year)
            end = parse_period(f"{year:04d}", calendar).end
            as_of = min(cutoff, end)
            version = versions.get(year, 0)
            if edition is None or rebuilt_before:  # a year's backlog repeats the year before
                due = True
            elif edition.built_at < as_of and (self._monthly or end <= now):
                due = True  # a new month to release, or a year last built before its end
            else:
                changed = edition.version < version
                stale = now - edition.made_at >= self._republish_after
                # monthly: only late events can change a release, so corrections wait
                due = changed and stale if self._monthly else changed or (end > now and stale)
            if due:
                if not await self._publications.claim(self.owner, datetime.now(UTC), self._lease):
                    return made  # another replica builds now
                if progress is None:  # at most the years left: a year after may not be due
                    progress = Progress(
                        "publication", len(years) - index, unit="years", say=log.info
                    )
                made.append(await self.publish(year, as_of, version, now))
                progress.advance()
            rebuilt_before = due
        if progress is not None:
            progress.finish()
        return made

    async def publish(self, year: int, as_of: datetime, version: int, now: datetime) -> Edition:
        """Count, suppress and store one year, with figures as of ``as_of``."""
        started = time.monotonic()
        span = parse_period(f"{year:04d}", self._calendar)
        last_updated = await self._records.latest_event_at()  # before reading: never newer
        previous = await self._publications.carried(year - 1) or {}
        desk_counts = (
            await self._desk_counts.between(span.start, span.end) if self._desk_counts else []
        )
        counted = _Counted(self._records.relevant(Area(), span.start, span.end))
        publication = await self.worker.build(
            counted, year, as_of, self._threshold, previous, self._calendar, desk_counts
        )
        edition = await self._publications.store(publication, last_updated, version, now)
        cells, suppressed = publication.cells, publication.suppressed
        del publication
        give_back_freed_memory()  # the year's tables, stored: a service at rest holds none
        log.info(
            "published",
            extra={
                "service": "reporting",
                "year": year,
                "count": counted.n,
                "cells": cells,
                "suppressed": suppressed,
                "duration_ms": round(1000 * (time.monotonic() - started)),
            },
        )
        return edition


class _Counted:
    """The records of a stream, passed on and counted."""

    def __init__(self, records: AsyncIterator[CaseRecord]) -> None:
        self._records = records
        self.n = 0

    def __aiter__(self) -> AsyncIterator[CaseRecord]:
        return self._each()

    async def _each(self) -> AsyncIterator[CaseRecord]:
        async for record in self._records:
            self.n += 1
            yield record
