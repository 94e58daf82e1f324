"""What routing's handlers depend on: small protocols, and the ports ``bootstrap`` wires.

The real adapters are in :mod:`samleng.routing.adapters` (MongoDB, the system clock);
unit tests pass in-memory fakes (``services/routing/tests/unit/fakes.py``)::

    service = bootstrap(settings, cases=FakeCases(), clock=ManualClock(start))
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from typing import Any, Protocol

from samleng.common.calendar import WorkingCalendar
from samleng.common.events import ComplaintAssigned, Event
from samleng.common.reference import ServiceCatalogue
from samleng.routing.domain.case import Case
from samleng.routing.domain.model import Directory
from samleng.routing.domain.sla import CaseLimits
from samleng.routing.domain.spec import DirectorySpec


class Clock(Protocol):
    """Something that tells the time (timezone-aware, UTC)."""

    def now(self) -> datetime:
        """The current instant."""
        ...


@dataclass
class StoredCase:
    """A case as loaded: the record, the version it was read at, and its assignment.

    ``lease_owner`` is set when a clock loop claimed the case; saving it gives it back.
    """

    case: Case
    version: int
    assigned: ComplaintAssigned
    lease_owner: str = field(default="", compare=False)


class Cases(Protocol):
    """Routing's cases, stored together with the events their changes cause.

    A case and its events are written in one transaction into the case store and the
    service's outbox; the outbox relay publishes them afterwards.
    """

    async def add(self, case: Case, assigned: ComplaintAssigned) -> bool:
        """Store a new case and its assignment; False if the case exists (first one wins)."""
        ...

    async def get(self, complaint_id: str) -> StoredCase | None:
        """The case with this complaint id, if routing has it."""
        ...

    async def save(self, stored: StoredCase, events: list[Event]) -> bool:
        """Write the case and its events if nobody changed it since it was loaded."""
        ...

    async def announce_again(self, event: Event) -> None:
        """Publish a stored event once more (same ``event_id``: consumers dedupe)."""
        ...

    async def claim_due(
        self, due_by: datetime, now: datetime, owner: str, lease: timedelta
    ) -> StoredCase | None:
        """Claim, for ``lease``, one unclaimed case with a clock due by ``due_by``."""
        ...

    async def release(self, complaint_id: str, owner: str) -> None:
        """Give back a claimed case."""
        ...


class Directories(Protocol):
    """Directory versions: the active one routes new cases; admins load and activate."""

    async def active(self) -> Directory:
        """The directory that routes new cases now."""
        ...

    async def directory(self, version: str) -> Directory:
        """A stored version, compiled; UnknownVersion if there is none."""
        ...

    async def load(self, spec: DirectorySpec) -> bool:
        """Store a version; False if that exact version was stored already."""
        ...

    async def activate(self, version: str) -> None:
        """Make a stored version route new cases."""
        ...

    async def versions(self) -> list[dict[str, Any]]:
        """Every stored version, with which one is active."""
        ...


@dataclass(frozen=True)
class RoutingPorts:
    """Everything routing's handlers, clock loop and API use, as ``bootstrap`` wired it."""

    cases: Cases
    directories: Directories
    clock: Clock
    catalogue: ServiceCatalogue
    calendar: WorkingCalendar
    limits: CaseLimits = field(default_factory=CaseLimits)

    def replace(self, **ports: Any) -> RoutingPorts:
        """These ports with some swapped (fakes in tests)."""
        return replace(self, **ports)
