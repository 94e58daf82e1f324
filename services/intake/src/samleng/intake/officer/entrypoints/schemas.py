"""Bodies of the officer API. No field here can carry a contact detail or a reporter's
self-declared attributes: those never leave intake's sealed store towards officers."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from samleng.common.events import CaseStatus, Category, Deadlines, FeedbackKind, Location, OfficeRef
from samleng.intake.domain.officer import MAX_NOTE_LENGTH, MAX_REASON_LENGTH
from samleng.intake.entrypoints.schemas import Bilingual

VERSION_HELP = (
    "The case version you read (from the case view or its ETag); "
    "the If-Match header may carry it instead"
)


class _Body(BaseModel):
    model_config = ConfigDict(extra="forbid")

    version: int | None = Field(default=None, ge=0, description=VERSION_HELP)


class VersionOnly(_Body):
    """An action that needs nothing but the version read."""


class QuestionBody(_Body):
    """A question for the citizen, who answers it with their tracking code."""

    text: str = Field(min_length=1, max_length=MAX_NOTE_LENGTH)


class NoteBody(BaseModel):
    """An internal note for the office's staff (never shown to the citizen)."""

    model_config = ConfigDict(extra="forbid")

    text: str = Field(min_length=1, max_length=MAX_NOTE_LENGTH)


class ResolveBody(_Body):
    """How the office resolved the case; the citizen reads this note in the timeline."""

    note: str = Field(min_length=1, max_length=MAX_NOTE_LENGTH)


class RejectBody(_Body):
    """Why the office declines the case; a duplicate names the original case."""

    reason: Literal["spam", "duplicate", "out_of_scope"]
    duplicate_of: str | None = Field(default=None, max_length=64)


class DuplicateBody(_Body):
    """The original case this one repeats."""

    duplicate_of: str = Field(min_length=1, max_length=64)


class LinkBody(_Body):
    """The original report of the same problem, which this case will follow."""

    original_id: str = Field(min_length=1, max_length=64)


class DuplicateCandidateItem(BaseModel):
    """An open case of the office that is likely the same problem, and why."""

    complaint_id: str
    score: float = Field(description="Text similarity, 0 to 1")
    submitted_at: datetime
    reasons: list[Bilingual] = Field(description="Why it matched")


class MoveBody(_Body):
    """Why the case should move, and where (routing checks and decides)."""

    reason: str = Field(min_length=1, max_length=MAX_REASON_LENGTH)
    to_office_id: str | None = Field(default=None, max_length=64)
    to_ministry: str | None = Field(default=None, max_length=32)


class TimelineItem(BaseModel):
    """One step of the case's history."""

    at: datetime
    sequence: int
    status: CaseStatus
    text: Bilingual


class QuestionItem(BaseModel):
    """A question the office asked, and the citizen's answer if given."""

    question_id: str
    asked_at: datetime
    text: str
    answer: str | None
    answered_at: datetime | None


class CitizenNoteItem(BaseModel):
    """Information the citizen added (or an answer)."""

    at: datetime
    text: str
    question_id: str | None


class InternalNoteItem(BaseModel):
    """A staff note: the author's role and office, never their name."""

    note_id: str
    at: datetime
    role: str
    office_id: str
    text: str


class AttachmentItem(BaseModel):
    """An attachment's metadata; ``download`` is the path for the office's staff."""

    attachment_id: str
    content_type: str
    size: int
    at: datetime
    download: str


class PlaceNames(BaseModel):
    """The names of a case's place from the gazetteer (its codes are in ``location``)."""

    province: Bilingual | None = None
    district: Bilingual | None = None
    commune: Bilingual | None = None
    village: Bilingual | None = None


class MoveRefusalItem(BaseModel):
    """A move the office asked for that routing refused: the case stayed, and why."""

    at: datetime
    office_id: str = Field(description="The office that asked")
    request: str = Field(description="transfer, forward or escalation")
    to: str | None = Field(description="The office or ministry asked for")
    reason: Bilingual


class CaseSummary(BaseModel):
    """A case as an inbox lists it."""

    complaint_id: str
    version: int
    status: CaseStatus
    status_label: Bilingual
    kind: FeedbackKind
    category: Category
    service_code: str | None
    location: Location
    office: OfficeRef | None
    submitted_at: datetime
    escalated: bool
    open_questions: int
    deadlines: Deadlines | None = Field(description="The office's deadlines, as routing set them")
    next_due: datetime | None = Field(description="The next deadline: acknowledge, then resolve")
    overdue: bool = Field(description="The next deadline has passed")
    office_name_en: str | None = Field(default=None, description="The office's name")
    office_name_km: str | None = Field(default=None, description="The office's name in Khmer")
    place: PlaceNames | None = Field(default=None, description="The place's names")


class InboxView(BaseModel):
    """One page of an inbox, its counts per status and the cursor of the next page."""

    offices: list[str]
    counts: dict[str, int]
    cases: list[CaseSummary]
    next_cursor: str | None
    office_names: dict[str, Bilingual] = Field(
        default_factory=dict, description="Names of the offices listed (those with cases)"
    )


class OfficerCaseView(BaseModel):
    """Everything the case's office needs to handle it; nothing that identifies the citizen."""

    complaint_id: str
    version: int
    status: CaseStatus
    status_label: Bilingual
    kind: FeedbackKind
    category: Category
    service_code: str | None
    description: str
    language: str
    channel: str
    location: Location
    about_office_id: str | None
    about_office_conduct: bool
    amount_asked_riel: int | None
    official_fee_riel: int | None
    office: OfficeRef | None
    deadlines: Deadlines | None = Field(
        description="The office's deadlines; overall_by counts from the submission whatever "
        "office has the case; reply_by is set while the clock waits for the citizen"
    )
    next_due: datetime | None
    escalated: bool
    move_refusals: list[MoveRefusalItem] = Field(
        default_factory=list, description="Moves asked for that routing refused, and why"
    )
    routing: list[Bilingual] = Field(
        description="Why the case sits with this office: each routing decision, oldest first"
    )
    submitted_at: datetime
    answered_at: datetime | None
    rating: int | None
    timeline: list[TimelineItem]
    questions: list[QuestionItem]
    citizen_notes: list[CitizenNoteItem]
    internal_notes: list[InternalNoteItem]
    partner_notes: list[InternalNoteItem] = Field(
        default_factory=list,
        description="Notes of civil-society partner experts to the office (never the citizen's)",
    )
    attachments: list[AttachmentItem]
    actions: list[str] = Field(description="Actions the case's status allows now")
    office_name_en: str | None = Field(default=None, description="The office's name")
    office_name_km: str | None = Field(default=None, description="The office's name in Khmer")
    place: PlaceNames | None = Field(default=None, description="The place's names")
    linked_to: str | None = Field(
        default=None, description="The original report of the same problem this case follows"
    )
    linked_reports: list[str] = Field(
        default_factory=list, description="The cases linked to this one (they follow it)"
    )
    duplicate_candidates: list[DuplicateCandidateItem] = Field(
        default_factory=list,
        description="Open cases of the office that are likely the same problem, best first",
    )


class AuditItem(BaseModel):
    """One entry of the audit trail."""

    seq: int
    at: datetime
    subject: str
    role: str
    office_id: str | None
    action: str
    complaint_id: str | None
    detail: str
    hash: str
    prev_hash: str
    office_name_en: str | None = None
    office_name_km: str | None = None


class AuditPage(BaseModel):
    """Audit entries in chain order; ask again with ``after_seq`` = the last ``seq``."""

    entries: list[AuditItem]
