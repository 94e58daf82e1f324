"""The complaint life cycle: every event a case can go through, version 1.

Producers: ``intake`` (citizen and officer actions), ``routing`` (decisions, clocks,
escalations). No payload carries the description, a question's text, a note, a tracking
code or a contact detail in clear: those stay in intake (contacts travel sealed).
"""

from __future__ import annotations

from typing import ClassVar, Literal

from pydantic import AwareDatetime, Field

from samleng.common.events.envelope import Event, Payload, register
from samleng.common.events.values import (
    ActorRef,
    AgeBand,
    Category,
    Channel,
    DeadlineKind,
    Deadlines,
    FeedbackKind,
    Gender,
    Language,
    Location,
    OfficeRef,
    SealedContact,
    SealedReceipt,
)

# --- submitted (intake) ---------------------------------------------------------------


class SubmittedData(Payload):
    """What routing, notification and reporting need of a new case; nothing identifying."""

    kind: FeedbackKind
    category: Category
    location: Location
    service_code: str | None = None
    channel: Channel = "api"
    language: Language = "km"
    about_office_id: str | None = Field(default=None, max_length=64)
    about_office_conduct: bool = False
    amount_asked_riel: int | None = Field(default=None, ge=0)
    official_fee_riel: int | None = Field(default=None, ge=0)
    service_rating: int | None = Field(default=None, ge=1, le=5)
    reporter_gender: Gender | None = None
    reporter_age_band: AgeBand | None = None
    contacts: tuple[SealedContact, ...] = ()
    #: filed at a desk: the code, sealed, for the contact the citizen chose (docs/channels.md)
    receipt: SealedReceipt | None = None


@register
class ComplaintSubmitted(Event):
    """A citizen submitted feedback; intake stored the case and gave a tracking code."""

    event_type: ClassVar[str] = "complaint.submitted"
    event_version: ClassVar[int] = 1
    type: Literal["complaint.submitted"] = "complaint.submitted"
    version: Literal[1] = 1
    data: SubmittedData


# --- routing decisions (routing) --------------------------------------------------------


class AssignedData(Payload):
    """Which office must act, and why (the rule and the directory version that chose it)."""

    office: OfficeRef
    rule: str = Field(min_length=1, max_length=64)
    explanation_en: str
    explanation_km: str
    directory_version: str
    deadlines: Deadlines | None = None
    not_yet_served: bool = False


@register
class ComplaintAssigned(Event):
    """Routing decided which office must act on the case."""

    event_type: ClassVar[str] = "complaint.assigned"
    event_version: ClassVar[int] = 1
    type: Literal["complaint.assigned"] = "complaint.assigned"
    version: Literal[1] = 1
    data: AssignedData


class MovedData(Payload):
    """A case moved from one office to another: who asked, why, which rule, new deadlines."""

    from_office: OfficeRef
    to_office: OfficeRef
    reason_en: str
    reason_km: str
    rule: str = Field(min_length=1, max_length=64)
    directory_version: str
    requested_by: ActorRef | None = None
    deadlines: Deadlines | None = None


@register
class ComplaintForwarded(Event):
    """The matter is under another ministry: the case went to that ministry's office."""

    event_type: ClassVar[str] = "complaint.forwarded"
    event_version: ClassVar[int] = 1
    type: Literal["complaint.forwarded"] = "complaint.forwarded"
    version: Literal[1] = 1
    data: MovedData


@register
class ComplaintTransferred(Event):
    """A misrouted case was sent to the right office."""

    event_type: ClassVar[str] = "complaint.transferred"
    event_version: ClassVar[int] = 1
    type: Literal["complaint.transferred"] = "complaint.transferred"
    version: Literal[1] = 1
    data: MovedData


class EscalatedData(MovedData):
    """An escalation one level up the ladder, and what triggered it."""

    trigger: Literal["acknowledgement_overdue", "resolution_overdue", "appeal", "officer_request"]
    #: Set when a case limit sent the case straight to the provincial ombudsman: the overall
    #: deadline passed (trigger ``resolution_overdue``) or a move request came after the
    #: case had been handed on as often as allowed (trigger ``officer_request``).
    limit: Literal["overall_deadline", "move_limit"] | None = None


@register
class ComplaintEscalated(Event):
    """The case climbed one level (commune -> district ombudsman -> province -> national)."""

    event_type: ClassVar[str] = "complaint.escalated"
    event_version: ClassVar[int] = 1
    type: Literal["complaint.escalated"] = "complaint.escalated"
    version: Literal[1] = 1
    data: EscalatedData


class DeadlineData(Payload):
    """A deadline of the responsible office."""

    office: OfficeRef
    deadline: DeadlineKind
    due_at: AwareDatetime


@register
class DeadlineApproaching(Event):
    """A deadline will pass soon and the office has not acted."""

    event_type: ClassVar[str] = "complaint.deadline_approaching"
    event_version: ClassVar[int] = 1
    type: Literal["complaint.deadline_approaching"] = "complaint.deadline_approaching"
    version: Literal[1] = 1
    data: DeadlineData


@register
class DeadlinePassed(Event):
    """A deadline passed without the office acting (an escalation usually follows)."""

    event_type: ClassVar[str] = "complaint.deadline_passed"
    event_version: ClassVar[int] = 1
    type: Literal["complaint.deadline_passed"] = "complaint.deadline_passed"
    version: Literal[1] = 1
    data: DeadlineData


class DeadlinesChangedData(Payload):
    """The responsible office's deadlines changed without the case moving, and why."""

    office: OfficeRef
    deadlines: Deadlines
    why: Literal["paused_for_citizen", "resumed", "reopened"]


@register
class DeadlinesChanged(Event):
    """The office's clocks paused (a question waits for the citizen), resumed with the
    working time that was left, or started afresh on a reopening."""

    event_type: ClassVar[str] = "complaint.deadlines_changed"
    event_version: ClassVar[int] = 1
    type: Literal["complaint.deadlines_changed"] = "complaint.deadlines_changed"
    version: Literal[1] = 1
    data: DeadlinesChangedData


class MoveRefusedData(Payload):
    """A move an office asked for that routing will not carry out, and why (both languages)."""

    office_id: str = Field(min_length=1, max_length=64)
    request: Literal["transfer", "forward", "escalation"]
    request_event_id: str = Field(min_length=1, max_length=64)
    reason_en: str
    reason_km: str
    to_office_id: str | None = Field(default=None, max_length=64)
    to_ministry: str | None = Field(default=None, max_length=32)
    requested_by: ActorRef | None = None


@register
class MoveRequestRefused(Event):
    """Routing refused an office's transfer, forward or escalation request; the case stays."""

    event_type: ClassVar[str] = "complaint.move_refused"
    event_version: ClassVar[int] = 1
    type: Literal["complaint.move_refused"] = "complaint.move_refused"
    version: Literal[1] = 1
    data: MoveRefusedData


# --- officer actions (intake) -----------------------------------------------------------


class OfficeActionData(Payload):
    """An action of the responsible office; the text of notes and questions stays in intake."""

    office_id: str = Field(min_length=1, max_length=64)
    actor: ActorRef | None = None


@register
class ComplaintAcknowledged(Event):
    """The responsible office acknowledged the case."""

    event_type: ClassVar[str] = "complaint.acknowledged"
    event_version: ClassVar[int] = 1
    type: Literal["complaint.acknowledged"] = "complaint.acknowledged"
    version: Literal[1] = 1
    data: OfficeActionData


@register
class InformationRequested(Event):
    """An officer asked the citizen a question (answered with the tracking code)."""

    event_type: ClassVar[str] = "complaint.information_requested"
    event_version: ClassVar[int] = 1
    type: Literal["complaint.information_requested"] = "complaint.information_requested"
    version: Literal[1] = 1
    data: OfficeActionData


@register
class ComplaintResolved(Event):
    """An officer marked the case resolved (the citizen may still confirm or appeal)."""

    event_type: ClassVar[str] = "complaint.resolved"
    event_version: ClassVar[int] = 1
    type: Literal["complaint.resolved"] = "complaint.resolved"
    version: Literal[1] = 1
    data: OfficeActionData


class RejectedData(OfficeActionData):
    """Why the office rejected the case."""

    reason: Literal["spam", "duplicate", "out_of_scope"]
    duplicate_of: str | None = Field(default=None, max_length=64)


@register
class ComplaintRejected(Event):
    """The office rejected the case (spam, duplicate of another, out of scope)."""

    event_type: ClassVar[str] = "complaint.rejected"
    event_version: ClassVar[int] = 1
    type: Literal["complaint.rejected"] = "complaint.rejected"
    version: Literal[1] = 1
    data: RejectedData


class MoveRequestData(OfficeActionData):
    """An officer asks routing to move the case; routing decides and announces the move."""

    reason: str = Field(min_length=1, max_length=500)
    to_office_id: str | None = Field(default=None, max_length=64)
    to_ministry: str | None = Field(default=None, max_length=32)


@register
class TransferRequested(Event):
    """An officer asked to transfer a misrouted case to another office."""

    event_type: ClassVar[str] = "complaint.transfer_requested"
    event_version: ClassVar[int] = 1
    type: Literal["complaint.transfer_requested"] = "complaint.transfer_requested"
    version: Literal[1] = 1
    data: MoveRequestData


@register
class ForwardRequested(Event):
    """An officer asked to forward the case to another ministry."""

    event_type: ClassVar[str] = "complaint.forward_requested"
    event_version: ClassVar[int] = 1
    type: Literal["complaint.forward_requested"] = "complaint.forward_requested"
    version: Literal[1] = 1
    data: MoveRequestData


@register
class EscalationRequested(Event):
    """An officer asked to escalate the case one level."""

    event_type: ClassVar[str] = "complaint.escalation_requested"
    event_version: ClassVar[int] = 1
    type: Literal["complaint.escalation_requested"] = "complaint.escalation_requested"
    version: Literal[1] = 1
    data: MoveRequestData


# --- citizen actions (intake) -----------------------------------------------------------


class CitizenActionData(Payload):
    """A citizen action; its text (an answer, added information) stays in intake."""

    office_id: str | None = Field(default=None, max_length=64)


@register
class InformationProvided(Event):
    """The citizen answered a question or added information."""

    event_type: ClassVar[str] = "complaint.information_provided"
    event_version: ClassVar[int] = 1
    type: Literal["complaint.information_provided"] = "complaint.information_provided"
    version: Literal[1] = 1
    data: CitizenActionData


class ClosedData(Payload):
    """How the case was closed."""

    how: Literal["confirmed_by_citizen", "auto_closed"]
    office_id: str | None = Field(default=None, max_length=64)
    #: Why an ``auto_closed`` case closed: absent when the period to confirm or appeal a
    #: resolution ran out; ``no_reply`` when the citizen did not answer the office's question.
    reason: Literal["no_reply"] | None = None
    #: Set when the case closed because the original report of the same problem it is
    #: linked to closed (``how`` is then ``auto_closed``; docs/channels.md, "Duplicates").
    follows: str | None = Field(default=None, max_length=64)


@register
class ComplaintClosed(Event):
    """The case is closed: the citizen confirmed the resolution, or the period ran out."""

    event_type: ClassVar[str] = "complaint.closed"
    event_version: ClassVar[int] = 1
    type: Literal["complaint.closed"] = "complaint.closed"
    version: Literal[1] = 1
    data: ClosedData


class ReopenedData(Payload):
    """Who reopened the case, and whether it is a citizen's appeal (which escalates)."""

    by: ActorRef
    appeal: bool = False
    office_id: str | None = Field(default=None, max_length=64)


@register
class ComplaintReopened(Event):
    """The citizen appealed or reopened the resolution, or an office head reopened it."""

    event_type: ClassVar[str] = "complaint.reopened"
    event_version: ClassVar[int] = 1
    type: Literal["complaint.reopened"] = "complaint.reopened"
    version: Literal[1] = 1
    data: ReopenedData


class RatedData(Payload):
    """How satisfied the citizen is with the handling of the case (1-5)."""

    rating: int = Field(ge=1, le=5)
    office_id: str | None = Field(default=None, max_length=64)


@register
class ComplaintRated(Event):
    """The citizen rated how the case was handled."""

    event_type: ClassVar[str] = "complaint.rated"
    event_version: ClassVar[int] = 1
    type: Literal["complaint.rated"] = "complaint.rated"
    version: Literal[1] = 1
    data: RatedData


@register
class ComplaintWithdrawn(Event):
    """The citizen withdrew the case."""

    event_type: ClassVar[str] = "complaint.withdrawn"
    event_version: ClassVar[int] = 1
    type: Literal["complaint.withdrawn"] = "complaint.withdrawn"
    version: Literal[1] = 1
    data: CitizenActionData


# --- duplicates (intake) ----------------------------------------------------------------


class LinkedData(OfficeActionData):
    """A case joined to (or let go of) the original report of the same problem; both
    sit with ``office_id``. The case follows the original's resolution and closing."""

    original_id: str = Field(min_length=1, max_length=64)


@register
class ComplaintLinked(Event):
    """An officer linked the case to the original report of the same problem."""

    event_type: ClassVar[str] = "complaint.linked"
    event_version: ClassVar[int] = 1
    type: Literal["complaint.linked"] = "complaint.linked"
    version: Literal[1] = 1
    data: LinkedData


@register
class ComplaintUnlinked(Event):
    """An officer undid a link: the case is handled on its own again."""

    event_type: ClassVar[str] = "complaint.unlinked"
    event_version: ClassVar[int] = 1
    type: Literal["complaint.unlinked"] = "complaint.unlinked"
    version: Literal[1] = 1
    data: LinkedData


class ContactStoppedData(Payload):
    """The holder of a contact sent STOP: nothing more goes to it, about any case.

    The contact travels sealed, as in ``complaint.submitted``: only notification opens it,
    to stop every message to that address (not only this case's).
    """

    contact: SealedContact


@register
class ContactStopped(Event):
    """A citizen who follows this case by SMS or Telegram asked for no more messages."""

    event_type: ClassVar[str] = "complaint.contact_stopped"
    event_version: ClassVar[int] = 1
    type: Literal["complaint.contact_stopped"] = "complaint.contact_stopped"
    version: Literal[1] = 1
    data: ContactStoppedData


class ContactResumedData(Payload):
    """The holder of a contact that had sent STOP sent START: messages go to it again.

    Sealed as in ``complaint.contact_stopped``; it undoes that stop for every case.
    """

    contact: SealedContact


@register
class ContactResumed(Event):
    """A citizen who had sent STOP from SMS or Telegram asked for messages again."""

    event_type: ClassVar[str] = "complaint.contact_resumed"
    event_version: ClassVar[int] = 1
    type: Literal["complaint.contact_resumed"] = "complaint.contact_resumed"
    version: Literal[1] = 1
    data: ContactResumedData
