"""What each event means for the statistics. Pure: no I/O.

Reporting keeps one projection per complaint; its status comes from the event with the
highest ``sequence`` seen, so duplicates and out-of-order delivery give the same result.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import Any

from samleng.common.events import ComplaintAssigned, ComplaintResolved, ComplaintSubmitted, Event


class StatStatus(StrEnum):
    """The statuses that summary figures count."""

    AWAITING_ROUTING = "awaiting_routing"
    IN_PROGRESS = "in_progress"
    RESOLVED = "resolved"


FIGURE_LABELS: dict[str, dict[str, str]] = {
    "received": {"en": "Received", "km": "បានទទួល"},
    StatStatus.AWAITING_ROUTING: {"en": "Awaiting routing", "km": "កំពុងរង់ចាំការបញ្ជូន"},
    StatStatus.IN_PROGRESS: {"en": "In progress", "km": "កំពុងដោះស្រាយ"},
    StatStatus.RESOLVED: {"en": "Resolved", "km": "បានដោះស្រាយ"},
}


@dataclass(frozen=True)
class ProjectionUpdate:
    """How one event changes a complaint's projection."""

    complaint_id: str
    sequence: int
    status: StatStatus | None
    facts: dict[str, Any] = field(default_factory=dict)


def projection_update(event: Event) -> ProjectionUpdate | None:
    """The change an event makes to its complaint's projection; None if it makes none."""
    if isinstance(event, ComplaintSubmitted):
        loc = event.data.location
        facts: dict[str, Any] = {
            "received_at": event.occurred_at,
            "kind": event.data.kind.value,
            "category": event.data.category.value,
            "province_code": loc.province_code,
            "district_code": loc.district_code,
            "commune_code": loc.commune_code,
            "channel": event.data.channel,
        }
        return ProjectionUpdate(
            event.complaint_id, event.sequence, StatStatus.AWAITING_ROUTING, facts
        )
    if isinstance(event, ComplaintAssigned):
        facts = {"office_id": event.data.office.office_id, "assigned_at": event.occurred_at}
        return ProjectionUpdate(event.complaint_id, event.sequence, StatStatus.IN_PROGRESS, facts)
    if isinstance(event, ComplaintResolved):
        facts = {"resolved_at": event.occurred_at}
        return ProjectionUpdate(event.complaint_id, event.sequence, StatStatus.RESOLVED, facts)
    return None


@dataclass(frozen=True)
class Summary:
    """Headline figures."""

    received: int
    awaiting_routing: int
    in_progress: int
    resolved: int
    last_event_at: datetime | None


def summarise(counts: dict[str, int], last_event_at: datetime | None) -> Summary:
    """Headline figures from counts of complaints by status."""
    return Summary(
        received=sum(counts.values()),
        awaiting_routing=counts.get(StatStatus.AWAITING_ROUTING, 0),
        in_progress=counts.get(StatStatus.IN_PROGRESS, 0),
        resolved=counts.get(StatStatus.RESOLVED, 0),
        last_event_at=last_event_at,
    )
