"""What officers see of a case: built only from the case record, which holds no contact
details or self-declared attributes (those live sealed in ``reporters``)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from samleng.common.events import OPEN, CaseStatus, Location
from samleng.intake.adapters import gazetteer
from samleng.intake.domain.access import PROVINCE_SCOPE
from samleng.intake.domain.model import Case, TimelineEntry
from samleng.intake.domain.status import ALLOWED, STATUS_LABELS
from samleng.intake.entrypoints.schemas import Bilingual
from samleng.intake.officer.entrypoints.schemas import (
    AttachmentItem,
    CaseSummary,
    CitizenNoteItem,
    DuplicateCandidateItem,
    InternalNoteItem,
    MoveRefusalItem,
    OfficerCaseView,
    PlaceNames,
    QuestionItem,
    TimelineItem,
)
from samleng.intake.officer.handlers import CaseFile
from samleng.intake.ports import InternalNote

#: How routing's decisions read in the timeline (``assignment`` and ``move`` in domain.model).
ROUTING_ENTRIES = (
    "Assigned to ",
    "Forwarded to ",
    "Transferred to ",
    "Escalated one level up",
    "Escalated to ",
)


def is_routing_decision(entry: TimelineEntry) -> bool:
    """Whether a timeline entry records a routing decision (assignment or move)."""
    return entry.text_en.startswith(ROUTING_ENTRIES)


def _label(status: CaseStatus) -> Bilingual:
    return Bilingual(**STATUS_LABELS[status])


def officer_actions(case: Case) -> list[str]:
    """What the case's status lets its office do now."""
    actions = ["note"]
    allowed = ALLOWED[case.status]
    working = case.status in OPEN and case.status is not CaseStatus.SUBMITTED
    if CaseStatus.ACKNOWLEDGED in allowed and case.status in (
        CaseStatus.ASSIGNED,
        CaseStatus.REOPENED,
    ):
        actions.append("acknowledge")
    if working:
        actions += ["ask", "transfer", "forward", "escalate"]
    if CaseStatus.RESOLVED in allowed:
        actions.append("resolve")
    if CaseStatus.REJECTED in allowed:
        actions += ["reject", "duplicate"]
    if CaseStatus.REOPENED in allowed:
        actions.append("reopen")
    if case.linked_to is not None:
        actions.append("unlink")
    elif working:
        actions.append("link")
    return actions


def place_names(location: Location) -> PlaceNames:
    """The gazetteer's names of each level of the place."""
    return PlaceNames(
        **{
            level: Bilingual(km=km, en=en)
            for level, (km, en) in gazetteer.place_names(location).items()
        }
    )


def _names(case: Case) -> dict[str, Any]:
    """The additive naming fields of both views: the office's names, the place's."""
    office = case.office
    return {
        "office_name_en": office.name_en if office else None,
        "office_name_km": office.name_km if office else None,
        "place": place_names(case.submission.location),
    }


def case_summary(case: Case, now: datetime) -> CaseSummary:
    """A case as an inbox lists it."""
    sub = case.submission
    return CaseSummary(
        complaint_id=case.complaint_id,
        version=case.version,
        status=case.status,
        status_label=_label(case.status),
        kind=sub.kind,
        category=sub.category,
        service_code=sub.service_code,
        location=sub.location,
        office=case.office,
        submitted_at=case.submitted_at,
        escalated=case.escalated,
        open_questions=len(case.open_questions),
        deadlines=case.deadlines,
        next_due=case.next_due,
        overdue=case.overdue(now),
        **_names(case),
    )


def scope_names(scope: tuple[str, ...]) -> dict[str, Bilingual]:
    """Names of a partner expert's whole-province scope entries (``province:17``)."""
    names = {}
    for entry in scope:
        code = entry.removeprefix(PROVINCE_SCOPE)
        found = gazetteer.places_within(None) if entry.startswith(PROVINCE_SCOPE) else None
        for area_code, km, en in found or ():
            if area_code == code:
                names[entry] = Bilingual(
                    en=f"{en} province (all cases)", km=f"ខេត្ត {km} (ករណីទាំងអស់)"
                )
    return names


def note_item(note: InternalNote) -> InternalNoteItem:
    """A note as views show it: role and office, never a name."""
    return InternalNoteItem(
        note_id=note.note_id, at=note.at, role=note.role, office_id=note.office_id, text=note.text
    )


def officer_case_view(case_file: CaseFile) -> OfficerCaseView:
    """Everything the office needs to handle the case."""
    case, sub = case_file.case, case_file.case.submission
    path = f"/v1/officer/cases/{case.complaint_id}/attachments/"
    return OfficerCaseView(
        complaint_id=case.complaint_id,
        version=case.version,
        status=case.status,
        status_label=_label(case.status),
        kind=sub.kind,
        category=sub.category,
        service_code=sub.service_code,
        description=sub.description,
        language=sub.language,
        channel=sub.channel,
        location=sub.location,
        about_office_id=sub.about_office_id,
        about_office_conduct=sub.about_office_conduct,
        amount_asked_riel=sub.amount_asked_riel,
        official_fee_riel=sub.official_fee_riel,
        office=case.office,
        deadlines=case.deadlines,
        next_due=case.next_due,
        escalated=case.escalated,
        move_refusals=[
            MoveRefusalItem(
                at=r.at,
                office_id=r.office_id,
                request=r.request,
                to=r.to,
                reason=Bilingual(en=r.reason_en, km=r.reason_km),
            )
            for r in case.move_refusals
        ],
        routing=[
            Bilingual(en=e.text_en, km=e.text_km) for e in case.timeline if is_routing_decision(e)
        ],
        submitted_at=case.submitted_at,
        answered_at=case.answered_at,
        rating=case.rating,
        timeline=[
            TimelineItem(
                at=e.at,
                sequence=e.sequence,
                status=e.status,
                text=Bilingual(en=e.text_en, km=e.text_km),
            )
            for e in case.timeline
        ],
        questions=[
            QuestionItem(
                question_id=q.question_id,
                asked_at=q.asked_at,
                text=q.text,
                answer=q.answer,
                answered_at=q.answered_at,
            )
            for q in case.questions
        ],
        citizen_notes=[
            CitizenNoteItem(at=n.at, text=n.text, question_id=n.question_id) for n in case.notes
        ],
        internal_notes=[note_item(n) for n in case_file.notes],
        partner_notes=[note_item(n) for n in case_file.partner_notes],
        # partner experts read the case, never the files (they may show people)
        attachments=[]
        if case_file.partner
        else [
            AttachmentItem(
                attachment_id=a.attachment_id,
                content_type=a.content_type,
                size=a.size,
                at=a.at,
                download=path + a.attachment_id,
            )
            for a in case.attachments
        ],
        actions=["partner_note"] if case_file.partner else officer_actions(case),
        linked_to=case.linked_to,
        linked_reports=list(case_file.linked_reports),
        duplicate_candidates=[
            DuplicateCandidateItem(
                complaint_id=c.complaint_id,
                score=c.score,
                submitted_at=c.submitted_at,
                reasons=[
                    Bilingual(en=en, km=km)
                    for en, km in zip(c.reasons_en, c.reasons_km, strict=True)
                ],
            )
            for c in case_file.candidates
        ],
        **_names(case),
    )
