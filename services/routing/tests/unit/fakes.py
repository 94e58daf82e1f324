"""In-memory fakes of routing's ports: cases with their outbox, directories, the clock."""

from __future__ import annotations

import copy
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from samleng.common.calendar import WorkingCalendar
from samleng.common.events import ComplaintAssigned, Event
from samleng.common.reference import service_catalogue
from samleng.routing.adapters.clock import ManualClock
from samleng.routing.adapters.directory import (
    UnknownVersion,
    VersionConflict,
    bundled_directory,
    compile_spec,
)
from samleng.routing.domain.case import Case
from samleng.routing.domain.model import Directory
from samleng.routing.domain.spec import DirectorySpec
from samleng.routing.ports import RoutingPorts, StoredCase

#: Monday 23 November 2026, 10:00 in Phnom Penh.
MONDAY = datetime(2026, 11, 23, 3, 0, tzinfo=UTC)


@dataclass
class CaseRecord:
    """One stored case, as the fake keeps it."""

    case: Case
    version: int
    assigned: ComplaintAssigned
    lease_owner: str = ""
    lease_until: datetime | None = None


class FakeCases:
    """Cases in a dict; ``outbox`` holds every event stored for publishing, in order."""

    def __init__(self) -> None:
        self.records: dict[str, CaseRecord] = {}
        self.outbox: list[Event] = []
        #: runs once, just before the next save compares versions (another replica's write)
        self.meanwhile: Callable[[CaseRecord], None] | None = None

    async def add(self, case: Case, assigned: ComplaintAssigned) -> bool:
        """Store a new case and its assignment unless it exists."""
        if case.complaint_id in self.records:
            return False
        self.records[case.complaint_id] = CaseRecord(copy.deepcopy(case), 1, assigned)
        self.outbox.append(assigned)
        return True

    async def get(self, complaint_id: str) -> StoredCase | None:
        """A copy of the stored case (changes reach the store only through save)."""
        record = self.records.get(complaint_id)
        if record is None:
            return None
        return StoredCase(copy.deepcopy(record.case), record.version, record.assigned)

    async def save(self, stored: StoredCase, events: list[Event]) -> bool:
        """Store the case and its events if its version is unchanged."""
        record = self.records[stored.case.complaint_id]
        if self.meanwhile is not None:
            interfere, self.meanwhile = self.meanwhile, None
            interfere(record)
        if record.version != stored.version:
            return False
        record.case, record.version = copy.deepcopy(stored.case), stored.version + 1
        if stored.lease_owner:
            record.lease_owner, record.lease_until = "", None
        self.outbox.extend(events)
        return True

    async def announce_again(self, event: Event) -> None:
        """Queue a stored event once more."""
        self.outbox.append(event)

    async def claim_due(
        self, due_by: datetime, now: datetime, owner: str, lease: timedelta
    ) -> StoredCase | None:
        """The first unleased case with a clock due by ``due_by``, leased to ``owner``."""
        for record in self.records.values():
            due = record.case.next_due_at
            free = record.lease_until is None or record.lease_until <= now
            if due is not None and due <= due_by and free:
                record.lease_owner, record.lease_until = owner, now + lease
                stored = StoredCase(copy.deepcopy(record.case), record.version, record.assigned)
                stored.lease_owner = owner
                return stored
        return None

    async def release(self, complaint_id: str, owner: str) -> None:
        """Give a claimed case back."""
        record = self.records[complaint_id]
        if record.lease_owner == owner:
            record.lease_owner, record.lease_until = "", None

    def case(self, complaint_id: str) -> Case:
        """The stored case (for assertions)."""
        return self.records[complaint_id].case

    def published(self, event_type: str) -> list[Event]:
        """Events of one type stored for publishing."""
        return [e for e in self.outbox if e.type == event_type]


class FakeDirectories:
    """Directory versions in a dict; the bundled pilot is loaded and active."""

    def __init__(self, *directories: Directory) -> None:
        pilot = bundled_directory()
        self.versions_: dict[str, Directory] = {pilot.version: pilot}
        self.versions_.update({d.version: d for d in directories})
        self.active_version = pilot.version

    async def active(self) -> Directory:
        """The active version."""
        return self.versions_[self.active_version]

    async def directory(self, version: str) -> Directory:
        """A stored version."""
        try:
            return self.versions_[version]
        except KeyError:
            raise UnknownVersion(f"no directory version {version!r} is loaded") from None

    async def load(self, spec: DirectorySpec) -> bool:
        """Store a version (immutable)."""
        compiled = compile_spec(spec)
        if spec.version in self.versions_:
            if self.versions_[spec.version] != compiled:
                raise VersionConflict(f"version {spec.version!r} exists with different content")
            return False
        self.versions_[spec.version] = compiled
        return True

    async def activate(self, version: str) -> None:
        """Make a stored version active."""
        await self.directory(version)
        self.active_version = version

    async def versions(self) -> list[dict[str, Any]]:
        """Every version, with which one is active."""
        return [{"version": v, "active": v == self.active_version} for v in self.versions_]


def fake_ports(start: datetime = MONDAY) -> tuple[RoutingPorts, FakeCases, ManualClock]:
    """Routing's ports on fakes; the cases and the clock, to look at and move."""
    cases, clock = FakeCases(), ManualClock(start)
    ports = RoutingPorts(
        cases=cases,
        directories=FakeDirectories(),
        clock=clock,
        catalogue=service_catalogue(),
        calendar=WorkingCalendar(),
    )
    return ports, cases, clock
