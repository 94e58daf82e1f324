"""What reporting's handlers depend on: small protocols, and the ports of one service.

The MongoDB adapters (``adapters/``) implement them in production; unit tests pass
in-memory fakes (``tests/unit/fakes.py``) to ``bootstrap()`` or straight to a handler::

    service = bootstrap(settings, records=FakeCaseRecords())
    await on_event(event, ReportingPorts(FakeArchive(), FakeCaseRecords(), FakePublications(), ...))
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Protocol

from samleng.common.calendar import WorkingCalendar
from samleng.common.events import Event
from samleng.reporting.domain.cases import CaseRecord
from samleng.reporting.domain.desks import DeskCount
from samleng.reporting.domain.figures import Area
from samleng.reporting.domain.publication import Publication
from samleng.reporting.domain.suppression import SuppressedTable

#: Received cases per current status, and the time of the newest event.
Headline = tuple[dict[str, int], datetime | None]


@dataclass(frozen=True)
class Edition:
    """What is being served for one year."""

    year: int
    build: str
    built_at: datetime  # the instant its figures are as of
    last_updated: datetime | None
    version: int
    made_at: datetime  # when it was built


class EventArchive(Protocol):
    """Every event reporting received, once: what a record can always be refolded from."""

    async def keep(self, event: Event) -> bool:
        """Store the event unless it is already there; True if it was new."""
        ...

    async def of_complaint(self, complaint_id: str) -> list[Event]:
        """Every archived event of one complaint."""
        ...

    def complaint_ids(self) -> AsyncIterator[str]:
        """Every complaint the archive has events of."""
        ...


class CaseRecords(Protocol):
    """One record per complaint, and the queries the figures are counted from."""

    async def get(self, complaint_id: str) -> CaseRecord | None:
        """The stored record of a complaint, if any."""
        ...

    async def replace(self, record: CaseRecord, previous: CaseRecord | None) -> bool:
        """Store the record in place of ``previous``, the stored one it was folded from
        (None: there was none); False when another consumer changed it meanwhile."""
        ...

    async def save(self, record: CaseRecord) -> None:
        """Store the record unless one folded from more events is already there."""
        ...

    async def clear(self) -> None:
        """Forget every record (before a rebuild)."""
        ...

    def relevant(self, area: Area, start: datetime, end: datetime) -> AsyncIterator[CaseRecord]:
        """Received records that can count in a period, in an area, one at a time (a
        year of them is too many to hold)."""
        ...

    async def first_received(self) -> datetime | None:
        """When the earliest case was received (None before any)."""
        ...

    async def latest_event_at(self) -> datetime | None:
        """The time of the newest event folded into any received case's record."""
        ...

    async def status_counts(self) -> Headline:
        """Received cases per current status, and the time of the newest event."""
        ...


class Publications(Protocol):
    """The public tables, one build per year, and what says a year is due again."""

    async def changed(self, years: Iterable[int]) -> None:
        """Note that figures of these years may have changed."""
        ...

    async def versions(self) -> dict[int, int]:
        """The change counter of every year."""
        ...

    async def edition(self, year: int) -> Edition | None:
        """The build served for a year, if any."""
        ...

    async def years(self) -> list[int]:
        """The years published."""
        ...

    async def carried(self, year: int) -> dict[str, int | None] | None:
        """The backlog cells of a year that the next year repeats, as published."""
        ...

    async def store(
        self,
        publication: Publication,
        last_updated: datetime | None,
        version: int,
        made_at: datetime,
    ) -> Edition:
        """Write a year's tables, then serve them instead of the previous build."""
        ...

    async def table(self, edition: Edition, name: str) -> SuppressedTable | None:
        """One table of a build (None when the build has no such table)."""
        ...

    async def claim(self, owner: str, now: datetime, lease: timedelta) -> bool:
        """Become (or stay) the replica that builds publications until ``now + lease``."""
        ...

    async def release(self, owner: str) -> None:
        """Give the builder's lease up."""
        ...

    async def clear(self) -> None:
        """Forget every publication (before a rebuild); change counters stay."""
        ...


class DeskCounts(Protocol):
    """The desks' messages received and dismissed (``domain.desks``), once per event."""

    async def keep(self, count: DeskCount) -> bool:
        """Store the count unless its event is already there; True if it was new."""
        ...

    async def between(self, start: datetime, end: datetime) -> list[DeskCount]:
        """Every arrival and dismissal from ``start`` until before ``end``."""
        ...


class HeadlineSource(Protocol):
    """The national headline counts, kept fresh without counting on every request."""

    async def get(self) -> Headline:
        """The latest headline."""
        ...


@dataclass(frozen=True)
class ReportingPorts:
    """Where reporting keeps what it learns, and what its readers read."""

    archive: EventArchive
    records: CaseRecords
    publications: Publications
    headline: HeadlineSource
    #: the deployment's working-day calendar (periods, working days, local dates)
    calendar: WorkingCalendar
    #: the social-media desk's messages (None: a test that leaves them out)
    desk_counts: DeskCounts | None = None
