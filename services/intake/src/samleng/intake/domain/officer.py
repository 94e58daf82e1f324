"""What an office can do with a case, as pure commands: case in, case and event out.

Each command checks the case's life cycle (:func:`~samleng.intake.domain.status.can_move`),
records the step in the citizen's timeline (in English and Khmer, never naming the
officer) and returns the catalogue event that announces it, numbered after the last event
the case has seen. Moves to another office are *requests*: routing decides and announces
the move, which then reaches the case like any routing decision. Refusals are
:class:`~samleng.intake.domain.citizen.ActionRefused`.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime
from typing import Literal

from samleng.common.events import (
    OPEN,
    ActorRef,
    CaseStatus,
    ComplaintAcknowledged,
    ComplaintRejected,
    ComplaintReopened,
    ComplaintResolved,
    EscalationRequested,
    Event,
    ForwardRequested,
    MoveRequestData,
    OfficeActionData,
    RejectedData,
    ReopenedData,
    TransferRequested,
)
from samleng.intake.domain.citizen import ActionRefused
from samleng.intake.domain.model import Case, TimelineEntry, next_event, normalise_text
from samleng.intake.domain.status import can_move

RejectionReason = Literal["spam", "duplicate", "out_of_scope"]
MoveKind = Literal["transfer", "forward", "escalate"]
ActorRole = Literal["officer", "office_head", "ombudsman", "ministry_liaison"]

MAX_NOTE_LENGTH = 2000
MAX_REASON_LENGTH = 500


@dataclass(frozen=True)
class Actor:
    """Who acts, as events may name them: a role at an office (never a person)."""

    role: ActorRole
    office_id: str

    def ref(self) -> ActorRef:
        """The actor as an event carries it."""
        return ActorRef(role=self.role, office_id=self.office_id)


def step(case: Case, event: Event, status: CaseStatus, en: str, km: str) -> Case:
    """The case with the event's timeline entry and its (possibly unchanged) status."""
    entry = TimelineEntry(
        event_id=str(event.event_id),
        sequence=event.sequence,
        at=event.occurred_at,
        status=status,
        text_en=en,
        text_km=km,
    )
    moved = status is not case.status
    return replace(
        case,
        timeline=(*case.timeline, entry),
        status=status,
        status_sequence=event.sequence if moved else case.status_sequence,
    )


def _refuse_move(case: Case, to: CaseStatus, what_en: str, what_km: str) -> None:
    if not can_move(case.status, to):
        raise ActionRefused(
            "illegal-transition",
            f"A case that is {case.status.value} cannot be {what_en}.",
            f"ករណីដែលស្ថិតក្នុងស្ថានភាព {case.status.value} មិនអាច{what_km}បានទេ។",
        )


def _text(text: str, limit: int, what_en: str, what_km: str) -> str:
    clean = normalise_text(text)
    if not clean:
        raise ActionRefused("empty-text", f"Write {what_en}.", f"សូមសរសេរ{what_km}។")
    if len(clean) > limit:
        raise ActionRefused(
            "text-too-long",
            f"Keep {what_en} under {limit} characters.",
            f"សូមសរសេរ{what_km}មិនលើសពី {limit} តួអក្សរ។",
        )
    return clean


def acknowledge(case: Case, actor: Actor, now: datetime) -> tuple[Case, Event]:
    """The office confirms it has the case and is working on it."""
    if case.status in (CaseStatus.ACKNOWLEDGED, CaseStatus.INFORMATION_REQUESTED):
        raise ActionRefused(
            "already-acknowledged",
            "The office already acknowledged this case.",
            "ការិយាល័យបានទទួលស្គាល់ករណីនេះរួចហើយ។",
        )
    _refuse_move(case, CaseStatus.ACKNOWLEDGED, "acknowledged", "ទទួលស្គាល់")
    event = next_event(
        ComplaintAcknowledged,
        case,
        OfficeActionData(office_id=actor.office_id, actor=actor.ref()),
        now,
    )
    updated = step(
        case,
        event,
        CaseStatus.ACKNOWLEDGED,
        "The office acknowledged your case and is handling it.",
        "ការិយាល័យបានទទួលស្គាល់ករណីរបស់អ្នក ហើយកំពុងដោះស្រាយ។",
    )
    return updated, event


def resolve(case: Case, note: str, actor: Actor, now: datetime) -> tuple[Case, Event]:
    """The office resolves the case; its note is what the citizen reads in the timeline."""
    text = _text(note, MAX_NOTE_LENGTH, "a resolution note", "កំណត់ចំណាំអំពីដំណោះស្រាយ")
    _refuse_move(case, CaseStatus.RESOLVED, "resolved", "ដោះស្រាយ")
    event = next_event(
        ComplaintResolved, case, OfficeActionData(office_id=actor.office_id, actor=actor.ref()), now
    )
    updated = step(
        case,
        event,
        CaseStatus.RESOLVED,
        f"The office reports the case resolved: {text}",
        f"ការិយាល័យរាយការណ៍ថាករណីត្រូវបានដោះស្រាយ៖ {text}",
    )
    return replace(updated, answered_at=now), event


_REJECTIONS: dict[RejectionReason, tuple[str, str]] = {
    "spam": ("it is not feedback on a public service", "វាមិនមែនជាមតិលើសេវាសាធារណៈ"),
    # the citizen cannot see the other case, but still learns it is being handled
    "duplicate": (
        "the same problem was already reported and is handled in that case",
        "បញ្ហាដដែលនេះត្រូវបានរាយការណ៍រួចហើយ ហើយកំពុងដោះស្រាយក្នុងករណីនោះ",
    ),
    "out_of_scope": ("it is outside what this office handles", "វានៅក្រៅសមត្ថកិច្ចការិយាល័យនេះ"),
}


def reject(
    case: Case,
    reason: RejectionReason,
    actor: Actor,
    now: datetime,
    *,
    duplicate_of: str | None = None,
) -> tuple[Case, Event]:
    """The office declines the case: spam, out of scope, or a duplicate of another case."""
    if reason == "duplicate" and not duplicate_of:
        raise ActionRefused(
            "duplicate-of-missing",
            "Say which case this one duplicates (duplicate_of).",
            "សូមបញ្ជាក់ករណីដែលករណីនេះស្ទួន (duplicate_of)។",
        )
    if reason != "duplicate" and duplicate_of:
        raise ActionRefused(
            "duplicate-of-unexpected",
            "duplicate_of goes only with the reason 'duplicate'.",
            "duplicate_of ប្រើបានតែជាមួយមូលហេតុ 'duplicate' ប៉ុណ្ណោះ។",
        )
    if duplicate_of == case.complaint_id:
        raise ActionRefused(
            "duplicate-of-itself",
            "A case cannot duplicate itself; name the other case.",
            "ករណីមួយមិនអាចស្ទួននឹងខ្លួនឯងបានទេ សូមបញ្ជាក់ករណីផ្សេង។",
        )
    _refuse_move(case, CaseStatus.REJECTED, "rejected", "បដិសេធ")
    event = next_event(
        ComplaintRejected,
        case,
        RejectedData(
            office_id=actor.office_id,
            actor=actor.ref(),
            reason=reason,
            duplicate_of=duplicate_of,
        ),
        now,
    )
    why_en, why_km = _REJECTIONS[reason]
    updated = step(
        case,
        event,
        CaseStatus.REJECTED,
        f"The office did not accept the case: {why_en}.",
        f"ការិយាល័យមិនទទួលយកករណីនេះទេ៖ {why_km}។",
    )
    return replace(updated, answered_at=now), event


_MOVES: dict[MoveKind, tuple[type[Event], str, str]] = {
    "transfer": (
        TransferRequested,
        "The office asked to transfer your case to the right office.",
        "ការិយាល័យបានស្នើផ្ទេរករណីរបស់អ្នកទៅការិយាល័យត្រឹមត្រូវ។",
    ),
    "forward": (
        ForwardRequested,
        "The office asked to forward your case to the responsible ministry.",
        "ការិយាល័យបានស្នើបញ្ជូនបន្តករណីរបស់អ្នកទៅក្រសួងទទួលបន្ទុក។",
    ),
    "escalate": (
        EscalationRequested,
        "The office asked for your case to go one level up.",
        "ការិយាល័យបានស្នើលើកករណីរបស់អ្នកឡើងមួយថ្នាក់។",
    ),
}


def request_move(
    case: Case,
    kind: MoveKind,
    reason: str,
    actor: Actor,
    now: datetime,
    *,
    to_office_id: str | None = None,
    to_ministry: str | None = None,
) -> tuple[Case, Event]:
    """Ask routing to transfer, forward or escalate the case; routing decides and moves it."""
    why = _text(reason, MAX_REASON_LENGTH, "the reason", "មូលហេតុ")
    if case.status not in OPEN or case.status is CaseStatus.SUBMITTED:
        raise ActionRefused(
            "illegal-transition",
            f"Only a case the office is working on can be moved; this one is {case.status.value}.",
            f"មានតែករណីដែលការិយាល័យកំពុងដោះស្រាយទេ ដែលអាចផ្ទេរបាន ករណីនេះ {case.status.value}។",
        )
    if kind == "transfer" and not to_office_id:
        raise ActionRefused(
            "to-office-missing",
            "Say which office should receive the case (to_office_id).",
            "សូមបញ្ជាក់ការិយាល័យដែលត្រូវទទួលករណី (to_office_id)។",
        )
    if kind == "forward" and not (to_ministry or to_office_id):
        raise ActionRefused(
            "to-ministry-missing",
            "Say which ministry should receive the case (to_ministry).",
            "សូមបញ្ជាក់ក្រសួងដែលត្រូវទទួលករណី (to_ministry)។",
        )
    event_type, en, km = _MOVES[kind]
    event = next_event(
        event_type,
        case,
        MoveRequestData(
            office_id=actor.office_id,
            actor=actor.ref(),
            reason=why,
            to_office_id=to_office_id,
            to_ministry=to_ministry,
        ),
        now,
    )
    # the case stays where it is until routing announces the move
    return step(case, event, case.status, en, km), event


def reopen(case: Case, actor: Actor, now: datetime) -> tuple[Case, Event]:
    """An office head reopens an answered case so the office handles it again."""
    _refuse_move(case, CaseStatus.REOPENED, "reopened", "បើកឡើងវិញ")
    event = next_event(
        ComplaintReopened,
        case,
        ReopenedData(by=actor.ref(), appeal=False, office_id=actor.office_id),
        now,
    )
    updated = step(
        case,
        event,
        CaseStatus.REOPENED,
        "The head of the office reopened your case: it is being handled again.",
        "ប្រធានការិយាល័យបានបើកករណីរបស់អ្នកឡើងវិញ៖ កំពុងដោះស្រាយម្តងទៀត។",
    )
    return updated, event
