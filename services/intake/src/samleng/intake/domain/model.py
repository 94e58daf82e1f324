"""The case as intake owns it: what the citizen sent, its status, questions and timeline.

Pure: no I/O. :func:`open_case` turns a validated submission into a new :class:`Case`
and the ``complaint.submitted`` event that announces it; :func:`assignment`,
:func:`move` and :func:`closing` say what routing's decisions change (its clock changes
and refusals: :mod:`samleng.intake.domain.routing_facts`), and
:func:`apply_change` folds such a change into a case, never moving its status backwards.
Citizen commands live in :mod:`samleng.intake.domain.citizen`.
"""

from __future__ import annotations

import unicodedata
import uuid
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import Any, TypeVar

from samleng.common.events import (
    OPEN,
    AgeBand,
    CaseStatus,
    Category,
    ComplaintAssigned,
    ComplaintClosed,
    ComplaintEscalated,
    ComplaintForwarded,
    ComplaintSubmitted,
    ComplaintTransferred,
    Deadlines,
    Event,
    FeedbackKind,
    Gender,
    Location,
    OfficeRef,
    SealedContact,
    SealedReceipt,
    SubmittedData,
)
from samleng.common.events.values import Channel

__all__ = [
    "PRODUCER",
    "Attachment",
    "Case",
    "CaseChange",
    "CitizenNote",
    "MoveRefusal",
    "Question",
    "Reporter",
    "Submission",
    "TimelineEntry",
    "apply_change",
    "assignment",
    "closing",
    "move",
    "normalise_text",
    "open_case",
    "timeline_entry",
]

PRODUCER = "intake"


@dataclass(frozen=True)
class Submission:
    """A citizen's feedback as validated at the edge (nothing here identifies them)."""

    kind: FeedbackKind
    category: Category
    location: Location
    description: str
    service_code: str | None = None
    language: str = "km"
    channel: Channel = "api"
    about_office_id: str | None = None
    about_office_conduct: bool = False
    amount_asked_riel: int | None = None
    official_fee_riel: int | None = None
    service_rating: int | None = None


@dataclass(frozen=True)
class Reporter:
    """What a citizen may choose to tell about themselves: kept encrypted, never shown."""

    contacts: tuple[tuple[str, str], ...] = ()  # (channel, address)
    gender: Gender | None = None
    age_band: AgeBand | None = None
    #: the contacts are the address the case was filed from (an SMS or Telegram chat)
    from_holder: bool = False

    @property
    def empty(self) -> bool:
        """True when the citizen left nothing."""
        return not self.contacts and self.gender is None and self.age_band is None


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
class Question:
    """An officer's question to the citizen, and the citizen's answer once given."""

    question_id: str
    asked_at: datetime
    text: str
    answer: str | None = None
    answered_at: datetime | None = None


@dataclass(frozen=True)
class CitizenNote:
    """Information the citizen added, or an answer to a question."""

    at: datetime
    text: str
    question_id: str | None = None


@dataclass(frozen=True)
class MoveRefusal:
    """A move the office asked for that routing refused, and why (the case stayed)."""

    event_id: str
    at: datetime
    office_id: str
    request: str  # transfer | forward | escalation
    reason_en: str
    reason_km: str
    to: str | None = None  # the office or ministry asked for


@dataclass(frozen=True)
class Attachment:
    """A file the citizen attached; the bytes live in GridFS under a random id."""

    attachment_id: str
    content_type: str
    size: int
    at: datetime


@dataclass(frozen=True)
class Case:
    """A case: the submission, its routing outcome, questions, notes and history."""

    complaint_id: str
    code_hash: str
    submission: Submission
    submitted_at: datetime
    status: CaseStatus
    status_sequence: int
    office: OfficeRef | None = None
    timeline: tuple[TimelineEntry, ...] = field(default_factory=tuple)
    questions: tuple[Question, ...] = ()
    notes: tuple[CitizenNote, ...] = ()
    attachments: tuple[Attachment, ...] = ()
    move_refusals: tuple[MoveRefusal, ...] = ()
    rating: int | None = None
    answered_at: datetime | None = None  # when the office last resolved or rejected it
    deadlines: Deadlines | None = None  # the responsible office's, as routing set them
    escalated: bool = False  # the case climbed the escalation ladder at least once
    # the sequence of the routing decision that chose ``office``: an officer's action and
    # routing's answer to an earlier request can carry the same sequence, and the office
    # must follow routing's decisions whatever the officers did meanwhile
    office_sequence: int = 0
    #: the original report of the same problem this case follows (an officer linked them)
    linked_to: str | None = None
    version: int = 0

    @property
    def last_sequence(self) -> int:
        """The highest sequence this case has seen: a new event of ours follows it."""
        return max([self.status_sequence, *(e.sequence for e in self.timeline)])

    @property
    def next_due(self) -> datetime | None:
        """The office's next deadline: acknowledge until it has, then resolve; None if done."""
        if self.deadlines is None:
            return None
        if self.status in (CaseStatus.SUBMITTED, CaseStatus.ASSIGNED, CaseStatus.REOPENED):
            return self.deadlines.acknowledge_by or self.deadlines.resolve_by
        if self.status in (CaseStatus.ACKNOWLEDGED, CaseStatus.INFORMATION_REQUESTED):
            return self.deadlines.resolve_by
        return None

    def overdue(self, now: datetime) -> bool:
        """Whether the office's next deadline has passed."""
        due = self.next_due
        return due is not None and due < now

    @property
    def open_questions(self) -> tuple[Question, ...]:
        """Questions still waiting for the citizen's answer."""
        return tuple(q for q in self.questions if q.answer is None)


E = TypeVar("E", bound=Event)


def next_event(event_type: type[E], case: Case, data: Any, now: datetime) -> E:
    """The event intake emits next in a case's history (last sequence seen + 1)."""
    return event_type.after(
        case.complaint_id,
        case.last_sequence,
        producer=PRODUCER,
        data=data,
        correlation_id=case.complaint_id,
        occurred_at=now,
    )


#: Characters that show nothing although Unicode calls them letters or marks (Hangul
#: fillers, the Braille blank, Khmer's deprecated inherent vowels).
_BLANKS = frozenset("\u115f\u1160\u3164\uffa0\u2800\u17b4\u17b5")


def _blank(ch: str) -> bool:
    # whitespace, controls and format characters (zero-width spaces, joiners, BOM, bidi marks)
    return ch.isspace() or ch in _BLANKS or unicodedata.category(ch) in {"Cc", "Cf", "Zs"}


def normalise_text(text: str) -> str:
    """NFC-normalise citizen text and trim what shows nothing at either end, so Khmer is
    stored and searched consistently; ``""`` when nothing visible is left.

    Zero-width spaces inside the text stay (Khmer separates words with them).
    """
    clean = unicodedata.normalize("NFC", text)
    start, end = 0, len(clean)
    while start < end and _blank(clean[start]):
        start += 1
    while end > start and _blank(clean[end - 1]):
        end -= 1
    clean = clean[start:end]
    # a text of combining marks alone shows nothing: letters, digits, punctuation or symbols
    if not any(unicodedata.category(ch)[0] in "LNPS" and ch not in _BLANKS for ch in clean):
        return ""
    return clean


def open_case(
    submission: Submission,
    code_hash: str,
    now: datetime,
    *,
    reporter: Reporter | None = None,
    sealed_contacts: tuple[SealedContact, ...] = (),
    receipt: SealedReceipt | None = None,
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
            channel=submission.channel,
            language="en" if submission.language == "en" else "km",
            about_office_id=submission.about_office_id,
            about_office_conduct=submission.about_office_conduct,
            amount_asked_riel=submission.amount_asked_riel,
            official_fee_riel=submission.official_fee_riel,
            service_rating=submission.service_rating,
            reporter_gender=reporter.gender if reporter else None,
            reporter_age_band=reporter.age_band if reporter else None,
            contacts=sealed_contacts,
            receipt=receipt,
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
    deadlines: Deadlines | None = None
    escalated: bool = False
    keeps_status: bool = False  # a fact about the case that does not change its status
    refusal: MoveRefusal | None = None


def timeline_entry(event: Event, status: CaseStatus, en: str, km: str) -> TimelineEntry:
    """The timeline entry an event from another service makes, in both languages."""
    return TimelineEntry(
        event_id=str(event.event_id),
        sequence=event.sequence,
        at=event.occurred_at,
        status=status,
        text_en=en,
        text_km=km,
    )


def assignment(event: ComplaintAssigned) -> CaseChange:
    """What routing's first decision does: the case is with an office, under its deadlines."""
    office = event.data.office
    return CaseChange(
        timeline_entry(
            event,
            CaseStatus.ASSIGNED,
            f"Assigned to {office.name_en}. {event.data.explanation_en}",
            f"បានប្រគល់ទៅ {office.name_km}។ {event.data.explanation_km}",
        ),
        office=office,
        deadlines=event.data.deadlines,
    )


RoutingMove = ComplaintForwarded | ComplaintTransferred | ComplaintEscalated

_MOVES: dict[type[Event], tuple[str, str]] = {
    ComplaintForwarded: ("Forwarded to the responsible ministry's office", "បានបញ្ជូនបន្តទៅ"),
    ComplaintTransferred: ("Transferred to the right office", "បានផ្ទេរទៅ"),
    ComplaintEscalated: ("Escalated one level up", "បានលើកឡើងមួយថ្នាក់ទៅ"),
}


def move(event: RoutingMove) -> CaseChange:
    """What a move decided by routing does: another office has the case, and says why."""
    to = event.data.to_office
    verb_en, verb_km = _MOVES[type(event)]
    if isinstance(event, ComplaintEscalated) and event.data.limit is not None:
        verb_en, verb_km = "Escalated to the provincial ombudsman", "បានបញ្ជូនទៅអម្បុដ្សម៉ាន់ខេត្ត"
    return CaseChange(
        timeline_entry(
            event,
            CaseStatus.ASSIGNED,
            f"{verb_en}: {to.name_en}. Why: {event.data.reason_en}",
            f"{verb_km} {to.name_km}។ មូលហេតុ៖ {event.data.reason_km}",
        ),
        office=to,
        deadlines=event.data.deadlines,
        escalated=isinstance(event, ComplaintEscalated),
    )


def closing(event: ComplaintClosed) -> CaseChange:
    """What a closing does: confirmed by the citizen, closed when the period to confirm
    passed, or closed because the citizen did not answer the office's question."""
    if event.data.reason == "no_reply":
        en, km = (
            "Closed: the office's question was not answered in time. You may reopen the "
            "case with your tracking code and answer it.",
            "បានបិទ៖ សំណួររបស់ការិយាល័យមិនត្រូវបានឆ្លើយទាន់ពេលទេ។ អ្នកអាចបើកករណីនេះឡើងវិញ "
            "ដោយប្រើលេខកូដតាមដានរបស់អ្នក ហើយឆ្លើយសំណួរនោះ។",
        )
    elif event.data.how == "auto_closed":
        en, km = (
            "Closed automatically: the period to confirm or appeal passed.",
            "បានបិទដោយស្វ័យប្រវត្តិ៖ រយៈពេលបញ្ជាក់ ឬប្តឹងឧទ្ធរណ៍បានផុតកំណត់។",
        )
    else:
        en, km = "You confirmed the resolution.", "អ្នកបានបញ្ជាក់ថាបានដោះស្រាយ។"
    return CaseChange(timeline_entry(event, CaseStatus.CLOSED, en, km))


def apply_change(case: Case, change: CaseChange) -> Case:
    """Fold a change into a case: add the entry once; move status only forwards.

    Events from other services are facts, so their order (``sequence``) decides, not
    :func:`~samleng.intake.domain.status.can_move`; only a withdrawal is final.
    """
    if any(e.event_id == change.entry.event_id for e in case.timeline):
        return case
    if change.keeps_status:
        change = replace(change, entry=replace(change.entry, status=case.status))
        case = replace(
            case, move_refusals=(*case.move_refusals, *([change.refusal] if change.refusal else []))
        )
    timeline = tuple(sorted((*case.timeline, change.entry), key=lambda e: (e.sequence, e.at)))
    escalated = case.escalated or change.escalated  # a fact, whatever the order
    seq = change.entry.sequence
    withdrawn = case.status is CaseStatus.WITHDRAWN
    moves = change.office is not None and seq >= case.office_sequence and not withdrawn
    office = change.office if moves else case.office or change.office
    deadlines = (
        (change.deadlines or case.deadlines) if moves else case.deadlines or change.deadlines
    )
    office_sequence = seq if moves else case.office_sequence
    if seq <= case.status_sequence or withdrawn or change.keeps_status:
        status = case.status
        if moves and office != case.office and status in OPEN:
            status = CaseStatus.ASSIGNED  # a new office has to acknowledge it afresh
        return replace(
            case,
            timeline=timeline,
            status=status,
            office=office,
            deadlines=deadlines,
            escalated=escalated,
            office_sequence=office_sequence,
        )
    status = change.entry.status
    return replace(
        case,
        timeline=timeline,
        status=status,
        status_sequence=seq,
        office=office,
        deadlines=deadlines,
        escalated=escalated,
        office_sequence=office_sequence,
        answered_at=(
            change.entry.at
            if status in (CaseStatus.RESOLVED, CaseStatus.REJECTED)
            else case.answered_at
        ),
    )
