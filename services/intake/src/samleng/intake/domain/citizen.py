"""What a citizen can do with a tracking code, as pure commands: case in, case and event out.

Each command checks the case's status (:mod:`samleng.intake.domain.status`), records the
step in the timeline and returns the catalogue event that announces it, numbered after the
last event the case has seen. Refusals are :class:`ActionRefused`, in English and Khmer.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, replace
from datetime import datetime, timedelta

from samleng.common.events import (
    ANSWERED,
    OPEN,
    ActorRef,
    CaseStatus,
    CitizenActionData,
    ClosedData,
    ComplaintClosed,
    ComplaintRated,
    ComplaintReopened,
    ComplaintWithdrawn,
    ContactResumed,
    ContactResumedData,
    ContactStopped,
    ContactStoppedData,
    Event,
    InformationProvided,
    InformationRequested,
    OfficeActionData,
    RatedData,
    ReopenedData,
    SealedContact,
)
from samleng.intake.domain.model import (
    Attachment,
    Case,
    CitizenNote,
    Question,
    TimelineEntry,
    next_event,
    normalise_text,
)
from samleng.intake.domain.status import can_move


@dataclass(frozen=True)
class ActionRefused(Exception):
    """The case's state does not allow this action; the texts say why and what to do."""

    slug: str
    en: str
    km: str

    def __str__(self) -> str:
        return self.en


def _office_id(case: Case) -> str | None:
    return case.office.office_id if case.office else None


def _step(
    case: Case, event: Event, status: CaseStatus, en: str, km: str, *, moves: bool = True
) -> Case:
    """The case with the event's timeline entry, and its new status if ``moves``."""
    entry = TimelineEntry(
        event_id=str(event.event_id),
        sequence=event.sequence,
        at=event.occurred_at,
        status=status if moves else case.status,
        text_en=en,
        text_km=km,
    )
    updated = replace(case, timeline=(*case.timeline, entry))
    if moves:
        updated = replace(updated, status=status, status_sequence=event.sequence)
    return updated


def _require_open(case: Case, what_en: str, what_km: str) -> None:
    if case.status not in OPEN:
        raise ActionRefused(
            "case-not-open",
            f"This case is {case.status.value}: you can no longer {what_en}.",
            f"ករណីនេះស្ថិតក្នុងស្ថានភាព {case.status.value}៖ អ្នកមិនអាច{what_km}បានទៀតទេ។",
        )


def _text(text: str) -> str:
    clean = normalise_text(text)
    if not clean:
        raise ActionRefused("empty-text", "Write some text.", "សូមសរសេរអត្ថបទ។")
    return clean


def ask_question(case: Case, text: str, office_id: str, now: datetime) -> tuple[Case, Event]:
    """An officer's question to the citizen (the officer API of issue 5 calls this)."""
    _require_open(case, "be asked questions", "ទទួលសំណួរ")
    question = Question(question_id=uuid.uuid4().hex[:12], asked_at=now, text=_text(text))
    event = next_event(InformationRequested, case, OfficeActionData(office_id=office_id), now)
    asked = replace(case, questions=(*case.questions, question))
    return (
        _step(
            asked,
            event,
            CaseStatus.INFORMATION_REQUESTED,
            "The office asked you a question.",
            "ការិយាល័យបានសួរសំណួរអ្នក។",
        ),
        event,
    )


def _provided(case: Case, now: datetime) -> Event:
    return next_event(InformationProvided, case, CitizenActionData(office_id=_office_id(case)), now)


def answer_question(case: Case, question_id: str, text: str, now: datetime) -> tuple[Case, Event]:
    """The citizen answers an officer's question; the office goes back to work on it."""
    _require_open(case, "answer questions", "ឆ្លើយសំណួរ")
    question = next((q for q in case.questions if q.question_id == question_id), None)
    if question is None:
        raise ActionRefused(
            "unknown-question",
            "This case has no question with that id; use a question_id from the case view.",
            "ករណីនេះគ្មានសំណួរដែលមានលេខសម្គាល់នោះទេ សូមប្រើ question_id ពីទិដ្ឋភាពករណី។",
        )
    if question.answer is not None:
        raise ActionRefused(
            "already-answered",
            "You already answered this question; add information instead.",
            "អ្នកបានឆ្លើយសំណួរនេះរួចហើយ សូមបន្ថែមព័ត៌មានជំនួសវិញ។",
        )
    answer = _text(text)
    event = _provided(case, now)
    questions = tuple(
        replace(q, answer=answer, answered_at=now) if q.question_id == question_id else q
        for q in case.questions
    )
    answered = replace(
        case,
        questions=questions,
        notes=(*case.notes, CitizenNote(at=now, text=answer, question_id=question_id)),
    )
    still_waiting = any(q.answer is None for q in questions)
    back_to_work = case.status is CaseStatus.INFORMATION_REQUESTED and not still_waiting
    return (
        _step(
            answered,
            event,
            CaseStatus.ACKNOWLEDGED,
            "You answered the office's question.",
            "អ្នកបានឆ្លើយសំណួររបស់ការិយាល័យ។",
            moves=back_to_work,
        ),
        event,
    )


def add_information(case: Case, text: str, now: datetime) -> tuple[Case, Event]:
    """The citizen adds information to a case the office is still handling."""
    _require_open(case, "add information", "បន្ថែមព័ត៌មាន")
    note = CitizenNote(at=now, text=_text(text))
    event = _provided(case, now)
    added = replace(case, notes=(*case.notes, note))
    return (
        _step(
            added,
            event,
            case.status,
            "You added information.",
            "អ្នកបានបន្ថែមព័ត៌មាន។",
            moves=False,
        ),
        event,
    )


def may_attach(case: Case, max_count: int) -> None:
    """Refuse (ActionRefused) another file on a closed case or one that has ``max_count``."""
    _require_open(case, "attach files", "ភ្ជាប់ឯកសារ")
    if len(case.attachments) >= max_count:
        raise ActionRefused(
            "too-many-attachments",
            f"A case can have at most {max_count} attachments.",
            f"ករណីមួយអាចមានឯកសារភ្ជាប់យ៉ាងច្រើន {max_count}។",
        )


def attach(case: Case, attachment: Attachment, max_count: int) -> tuple[Case, Event]:
    """The citizen attaches a (cleaned, stored) file; the office is told new information came."""
    may_attach(case, max_count)
    event = _provided(case, attachment.at)
    attached = replace(case, attachments=(*case.attachments, attachment))
    return (
        _step(
            attached,
            event,
            case.status,
            "You attached a file.",
            "អ្នកបានភ្ជាប់ឯកសារ។",
            moves=False,
        ),
        event,
    )


def confirm_resolution(case: Case, now: datetime) -> tuple[Case, Event]:
    """The citizen confirms the office really resolved it: the case closes."""
    if case.status is not CaseStatus.RESOLVED:
        raise ActionRefused(
            "not-resolved",
            f"Only a resolved case can be confirmed; this one is {case.status.value}.",
            f"មានតែករណីដែលបានដោះស្រាយទេដែលអាចបញ្ជាក់បាន ករណីនេះ {case.status.value}។",
        )
    event = next_event(
        ComplaintClosed,
        case,
        ClosedData(how="confirmed_by_citizen", office_id=_office_id(case)),
        now,
    )
    return (
        _step(
            case,
            event,
            CaseStatus.CLOSED,
            "You confirmed the resolution.",
            "អ្នកបានបញ្ជាក់ថាបានដោះស្រាយ។",
        ),
        event,
    )


def reopen(case: Case, *, appeal: bool, now: datetime, period: timedelta) -> tuple[Case, Event]:
    """The citizen reopens (or appeals, which escalates) an answer within the period."""
    if not can_move(case.status, CaseStatus.REOPENED):
        raise ActionRefused(
            "cannot-reopen",
            f"Only a resolved, rejected or closed case can be reopened; "
            f"this one is {case.status.value}.",
            f"មានតែករណីដែលបានដោះស្រាយ បដិសេធ ឬបិទទេ ដែលអាចបើកឡើងវិញបាន ករណីនេះ {case.status.value}។",
        )
    answered_at = case.answered_at or case.submitted_at
    if now - answered_at > period:
        raise ActionRefused(
            "appeal-period-over",
            f"The period to reopen or appeal ({period.days} days after the office's answer) "
            "is over; submit new feedback instead.",
            f"រយៈពេលបើកឡើងវិញ ឬប្តឹងឧទ្ធរណ៍ ({period.days} ថ្ងៃបន្ទាប់ពីចម្លើយការិយាល័យ) "
            "បានផុតហើយ សូមដាក់មតិថ្មីជំនួសវិញ។",
        )
    event = next_event(
        ComplaintReopened,
        case,
        ReopenedData(by=ActorRef(role="citizen"), appeal=appeal, office_id=_office_id(case)),
        now,
    )
    en, km = (
        ("You appealed: the case goes one level up.", "អ្នកបានប្តឹងឧទ្ធរណ៍៖ ករណីនឹងឡើងមួយថ្នាក់។")
        if appeal
        else ("You reopened the case.", "អ្នកបានបើកករណីឡើងវិញ។")
    )
    return _step(case, event, CaseStatus.REOPENED, en, km), event


def rate_handling(case: Case, rating: int, now: datetime) -> tuple[Case, Event]:
    """The citizen rates how the case was handled (once, after the office answered)."""
    if case.status not in ANSWERED:
        raise ActionRefused(
            "not-answered-yet",
            "You can rate the handling once the office has resolved or rejected the case.",
            "អ្នកអាចវាយតម្លៃបាន នៅពេលការិយាល័យបានដោះស្រាយ ឬបដិសេធករណី។",
        )
    if case.rating is not None:
        raise ActionRefused(
            "already-rated", "You already rated this case.", "អ្នកបានវាយតម្លៃករណីនេះរួចហើយ។"
        )
    event = next_event(
        ComplaintRated, case, RatedData(rating=rating, office_id=_office_id(case)), now
    )
    rated = replace(case, rating=rating)
    return (
        _step(
            rated,
            event,
            case.status,
            f"You rated the handling {rating} of 5.",
            f"អ្នកបានវាយតម្លៃ {rating} លើ 5។",
            moves=False,
        ),
        event,
    )


def withdraw(case: Case, now: datetime) -> tuple[Case, Event]:
    """The citizen withdraws a case the office has not answered yet."""
    _require_open(case, "withdraw it", "ដកវាវិញ")
    event = next_event(ComplaintWithdrawn, case, CitizenActionData(office_id=_office_id(case)), now)
    return (
        _step(case, event, CaseStatus.WITHDRAWN, "You withdrew the case.", "អ្នកបានដកករណីវិញ។"),
        event,
    )


def stop_messages(case: Case, contact: SealedContact, now: datetime) -> tuple[Case, Event]:
    """The citizen sent STOP from a contact: notification sends it nothing more, ever."""
    event = next_event(ContactStopped, case, ContactStoppedData(contact=contact), now)
    return (
        _step(
            case,
            event,
            case.status,
            "You asked for no more messages.",
            "អ្នកបានស្នើមិនឱ្យផ្ញើសារទៀត។",
            moves=False,
        ),
        event,
    )


def resume_messages(case: Case, contact: SealedContact, now: datetime) -> tuple[Case, Event]:
    """The citizen sent START from a contact that had sent STOP: messages go to it again."""
    event = next_event(ContactResumed, case, ContactResumedData(contact=contact), now)
    return (
        _step(
            case,
            event,
            case.status,
            "You asked for messages again.",
            "អ្នកបានស្នើឱ្យផ្ញើសារម្ដងទៀត។",
            moves=False,
        ),
        event,
    )
