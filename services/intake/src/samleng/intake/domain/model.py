"""The case as intake owns it: what the citizen sent, its status and its timeline.

Pure: no I/O. :func:`open_case` turns a validated submission into a new :class:`Case`
and the ``complaint.submitted`` event that announces it; :func:`apply_event` folds an
event from another service into a case, never moving its status backwards.
"""

from __future__ import annotations

import unicodedata
import uuid
from dataclasses import dataclass, field, replace
from datetime import datetime
from enum import StrEnum

from samleng.common.events import (
    Category,
    ComplaintAssigned,
    ComplaintResolved,
    ComplaintSubmitted,
    Event,
    FeedbackKind,
    Location,
    OfficeRef,
    SubmittedData,
)

PRODUCER = "intake"


class CaseStatus(StrEnum):
    """Where a case stands, from the citizen's point of view."""

    SUBMITTED = "submitted"
    ASSIGNED = "assigned"
    RESOLVED = "resolved"


STATUS_LABELS: dict[CaseStatus, dict[str, str]] = {
    CaseStatus.SUBMITTED: {
        "en": "Received, being routed to the office that must act",
        "km": "បានទទួល កំពុងបញ្ជូនទៅការិយាល័យដែលត្រូវដោះស្រាយ",
    },
    CaseStatus.ASSIGNED: {
        "en": "Assigned to an office",
        "km": "បានប្រគល់ទៅការិយាល័យ",
    },
    CaseStatus.RESOLVED: {
        "en": "Resolved by the office",
        "km": "ការិយាល័យបានដោះស្រាយរួច",
    },
}


@dataclass(frozen=True)
class Submission:
    """A citizen's feedback as validated at the edge."""

    kind: FeedbackKind
    category: Category
    location: Location
    description: str
    service_code: str | None = None
    language: str = "km"


@dataclass(frozen=True)
class TimelineEntry:
    """One step of a case's history as the citizen sees it (no officer identities)."""

    event_id: str
    sequence: int
    at: datetime
    status: CaseStatus
    text_en: str
    text_km: str


@dataclass(frozen=True)
class Case:
    """A case: the submission, its routing outcome and its history."""

    complaint_id: str
    code_hash: str
    submission: Submission
    submitted_at: datetime
    status: CaseStatus
    status_sequence: int
    office: OfficeRef | None = None
    timeline: tuple[TimelineEntry, ...] = field(default_factory=tuple)
    version: int = 0


def normalise_text(text: str) -> str:
    """NFC-normalise and trim citizen text so Khmer is stored and searched consistently."""
    return unicodedata.normalize("NFC", text).strip()


def open_case(
    submission: Submission, code_hash: str, now: datetime
) -> tuple[Case, ComplaintSubmitted]:
    """A new case and the event that announces it (without the description)."""
    complaint_id = str(uuid.uuid4())
    event = ComplaintSubmitted.first(
        complaint_id,
        producer=PRODUCER,
        occurred_at=now,
        data=SubmittedData(
            kind=submission.kind,
            category=submission.category,
            location=submission.location,
            service_code=submission.service_code,
            language="en" if submission.language == "en" else "km",
        ),
    )
    entry = TimelineEntry(
        event_id=str(event.event_id),
        sequence=event.sequence,
        at=now,
        status=CaseStatus.SUBMITTED,
        text_en="Your feedback was received.",
        text_km="មតិរបស់អ្នកត្រូវបានទទួល។",
    )
    case = Case(
        complaint_id=complaint_id,
        code_hash=code_hash,
        submission=replace(submission, description=normalise_text(submission.description)),
        submitted_at=now,
        status=CaseStatus.SUBMITTED,
        status_sequence=event.sequence,
        timeline=(entry,),
    )
    return case, event


@dataclass(frozen=True)
class CaseChange:
    """What an event does to a case: a timeline entry, and maybe a new status and office."""

    entry: TimelineEntry
    office: OfficeRef | None = None


def change_for(event: Event) -> CaseChange | None:
    """The change an event from another service makes to a case; None if it makes none."""
    if isinstance(event, ComplaintAssigned):
        office = event.data.office
        return CaseChange(
            entry=TimelineEntry(
                event_id=str(event.event_id),
                sequence=event.sequence,
                at=event.occurred_at,
                status=CaseStatus.ASSIGNED,
                text_en=f"Assigned to {office.name_en}. {event.data.explanation_en}",
                text_km=f"បានប្រគល់ទៅ {office.name_km}។ {event.data.explanation_km}",
            ),
            office=office,
        )
    if isinstance(event, ComplaintResolved):
        return CaseChange(
            entry=TimelineEntry(
                event_id=str(event.event_id),
                sequence=event.sequence,
                at=event.occurred_at,
                status=CaseStatus.RESOLVED,
                text_en="The office reports the case resolved.",
                text_km="ការិយាល័យរាយការណ៍ថាករណីត្រូវបានដោះស្រាយ។",
            )
        )
    return None


def apply_change(case: Case, change: CaseChange) -> Case:
    """Fold a change into a case: add the entry once; move status only forwards."""
    if any(e.event_id == change.entry.event_id for e in case.timeline):
        return case
    timeline = tuple(sorted((*case.timeline, change.entry), key=lambda e: (e.sequence, e.at)))
    if change.entry.sequence <= case.status_sequence:
        return replace(case, timeline=timeline)
    return replace(
        case,
        timeline=timeline,
        status=change.entry.status,
        status_sequence=change.entry.sequence,
        office=change.office or case.office,
    )
