"""In-memory fakes of reporting's ports (``samleng.reporting.ports``), for unit tests.

Each keeps what the MongoDB adapter would, in dicts, and counts the calls a test may want
to assert on (``reads``, ``writes``).
"""

from __future__ import annotations

import copy
from collections.abc import AsyncIterator, Iterable
from datetime import datetime, timedelta

from samleng.common.calendar import WorkingCalendar, load_holidays
from samleng.common.events import Event
from samleng.reporting.domain.cases import UNFINISHED, CaseRecord
from samleng.reporting.domain.desks import DeskCount
from samleng.reporting.domain.figures import Area
from samleng.reporting.domain.publication import Publication
from samleng.reporting.domain.suppression import SuppressedTable
from samleng.reporting.ports import Edition, Headline, ReportingPorts


class FakeArchive:
    """The event archive in a dict keyed by event id."""

    def __init__(self) -> None:
        self.events: dict[str, Event] = {}
        self.reads = 0

    async def keep(self, event: Event) -> bool:
        key = str(event.event_id)
        if key in self.events:
            return False
        self.events[key] = event
        return True

    async def of_complaint(self, complaint_id: str) -> list[Event]:
        self.reads += 1
        return [e for e in self.events.values() if e.complaint_id == complaint_id]

    async def complaint_ids(self) -> AsyncIterator[str]:
        for complaint_id in sorted({e.complaint_id for e in self.events.values()}):
            yield complaint_id


class FakeCaseRecords:
    """Case records in a dict keyed by complaint id (copies in and out, like a database)."""

    def __init__(self) -> None:
        self.records: dict[str, CaseRecord] = {}
        self.writes = 0

    async def get(self, complaint_id: str) -> CaseRecord | None:
        record = self.records.get(complaint_id)
        return None if record is None else copy.deepcopy(record)

    async def replace(self, record: CaseRecord, previous: CaseRecord | None) -> bool:
        stored = self.records.get(record.complaint_id)
        if (stored is None) != (previous is None):
            return False
        if stored is not None and previous is not None and stored.n_events != previous.n_events:
            return False
        self.records[record.complaint_id] = copy.deepcopy(record)
        self.writes += 1
        return True

    async def save(self, record: CaseRecord) -> None:
        stored = self.records.get(record.complaint_id)
        if stored is None or stored.n_events <= record.n_events:
            self.records[record.complaint_id] = copy.deepcopy(record)
            self.writes += 1

    async def clear(self) -> None:
        self.records.clear()

    async def relevant(
        self, area: Area, start: datetime, end: datetime
    ) -> AsyncIterator[CaseRecord]:
        for r in list(self.records.values()):
            if (
                r.received_at is not None
                and r.received_at < end
                and (
                    r.received_at >= start
                    or (r.last_event_at is not None and r.last_event_at >= start)
                    or r.status in UNFINISHED
                )
                and area.contains(r)
            ):
                yield copy.deepcopy(r)

    async def first_received(self) -> datetime | None:
        return min((r.received_at for r in self.records.values() if r.received_at), default=None)

    async def latest_event_at(self) -> datetime | None:
        return max(
            (r.last_event_at for r in self.records.values() if r.received_at and r.last_event_at),
            default=None,
        )

    async def status_counts(self) -> Headline:
        counts: dict[str, int] = {}
        for record in self.records.values():
            if record.received_at is None or record.status is None:
                continue
            status = record.status
            if status == "closed":
                confirmed = record.closed_how == "confirmed_by_citizen"
                status = "closed_confirmed" if confirmed else "closed_auto"
            counts[status] = counts.get(status, 0) + 1
        return counts, await self.latest_event_at()


class FakePublications:
    """Publications and their change counters in dicts."""

    def __init__(self) -> None:
        self.changes: dict[int, int] = {}
        self.editions: dict[int, Edition] = {}
        self.tables: dict[tuple[str, str], SuppressedTable] = {}
        self.carried_cells: dict[int, dict[str, int | None]] = {}
        self.lease: str | None = None

    async def changed(self, years: Iterable[int]) -> None:
        for year in years:
            self.changes[year] = self.changes.get(year, 0) + 1

    async def versions(self) -> dict[int, int]:
        return dict(self.changes)

    async def edition(self, year: int) -> Edition | None:
        return self.editions.get(year)

    async def years(self) -> list[int]:
        return sorted(self.editions)

    async def carried(self, year: int) -> dict[str, int | None] | None:
        return self.carried_cells.get(year)

    async def store(
        self,
        publication: Publication,
        last_updated: datetime | None,
        version: int,
        made_at: datetime,
    ) -> Edition:
        build = f"{publication.year}-{len(self.tables)}"
        for name, table in publication.tables.items():
            self.tables[(build, name)] = table
        edition = Edition(
            publication.year, build, publication.built_at, last_updated, version, made_at
        )
        self.editions[publication.year] = edition
        self.carried_cells[publication.year] = dict(publication.carried)
        return edition

    async def table(self, edition: Edition, name: str) -> SuppressedTable | None:
        return self.tables.get((edition.build, name))

    async def claim(self, owner: str, now: datetime, lease: timedelta) -> bool:
        if self.lease in (None, owner):
            self.lease = owner
        return self.lease == owner

    async def release(self, owner: str) -> None:
        if self.lease == owner:
            self.lease = None

    async def clear(self) -> None:
        self.editions.clear()
        self.tables.clear()
        self.carried_cells.clear()


class FakeHeadline:
    """A headline counted from the fake records on every call."""

    def __init__(self, records: FakeCaseRecords) -> None:
        self.records = records

    async def get(self) -> Headline:
        return await self.records.status_counts()


#: The deployment calendar of the tests: the bundled holidays, Phnom Penh time.
CALENDAR = WorkingCalendar(holidays=load_holidays().days)


class FakeDeskCounts:
    """The desks' message counts, by event id."""

    def __init__(self) -> None:
        self.counts: dict[str, DeskCount] = {}

    async def keep(self, count: DeskCount) -> bool:
        """Store the count unless its event is already there."""
        if count.event_id in self.counts:
            return False
        self.counts[count.event_id] = count
        return True

    async def between(self, start: datetime, end: datetime) -> list[DeskCount]:
        """The counts from ``start`` until before ``end``."""
        return [c for c in self.counts.values() if start <= c.at < end]


def fake_ports() -> ReportingPorts:
    """Every port of reporting, in memory."""
    records = FakeCaseRecords()
    return ReportingPorts(
        FakeArchive(),
        records,
        FakePublications(),
        FakeHeadline(records),
        CALENDAR,
        FakeDeskCounts(),
    )
