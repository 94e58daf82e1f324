"""Which alerts an event causes, and their text in Khmer and English. Pure: no I/O."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from samleng.common.events import ComplaintAssigned, Event


@dataclass(frozen=True)
class Alert:
    """One message to one recipient on one channel, caused by one event."""

    event_id: str
    complaint_id: str
    recipient: str
    channel: str
    title_en: str
    title_km: str
    created_at: datetime


def alerts_for(event: Event) -> list[Alert]:
    """The alerts an event causes (in-app alerts to offices, for now)."""
    if isinstance(event, ComplaintAssigned):
        office = event.data.office
        return [
            Alert(
                event_id=str(event.event_id),
                complaint_id=event.complaint_id,
                recipient=f"office:{office.office_id}",
                channel="in_app",
                title_en=f"A new case was assigned to {office.name_en}.",
                title_km=f"ករណីថ្មីមួយត្រូវបានប្រគល់ទៅ {office.name_km}។",
                created_at=event.occurred_at,
            )
        ]
    return []
