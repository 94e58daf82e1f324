"""What the citizen sees of a case (no officer identities, no contact details)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from samleng.common.events import ANSWERED, OPEN, CaseStatus
from samleng.common.reference import UnknownService, service_catalogue
from samleng.intake.citizen.entrypoints.schemas import (
    CaseView,
    DeadlinesView,
    OfficeView,
    QuestionView,
    TimelineView,
)
from samleng.intake.domain.model import Case
from samleng.intake.domain.status import STATUS_LABELS, can_move
from samleng.intake.entrypoints.schemas import Bilingual, ServiceView


def _actions(case: Case, reopen_until: datetime | None) -> list[str]:
    actions: list[str] = []
    if case.status in OPEN:
        if case.open_questions:
            actions.append("answer")
        actions += ["add_information", "attach", "withdraw"]
    if case.status is CaseStatus.RESOLVED:
        actions.append("confirm")
    if can_move(case.status, CaseStatus.REOPENED) and (
        reopen_until is None or datetime.now(UTC) <= reopen_until
    ):
        actions += ["reopen", "appeal"]
    if case.status in ANSWERED and case.rating is None:
        actions.append("rate")
    return actions


def _service_view(code: str | None) -> ServiceView | None:
    if code is None:
        return None
    try:
        s = service_catalogue().service(code)
    except UnknownService:
        return None
    return ServiceView(
        code=s.code,
        name_en=s.name_en,
        name_km=s.name_km,
        official_fee_riel=s.official_fee_riel,
        standard_working_days=s.standard_working_days,
    )


def case_view(case: Case, reopen_period: timedelta = timedelta(days=30)) -> CaseView:
    """What the citizen sees of a case."""
    label = STATUS_LABELS[case.status]
    reopen_until = (
        case.answered_at + reopen_period
        if case.answered_at and can_move(case.status, CaseStatus.REOPENED)
        else None
    )
    return CaseView(
        status=case.status.value,
        status_label=Bilingual(en=label["en"], km=label["km"]),
        kind=case.submission.kind.value,
        category=case.submission.category.value,
        service=_service_view(case.submission.service_code),
        submitted_at=case.submitted_at,
        office=(
            OfficeView(
                level=case.office.level, name_en=case.office.name_en, name_km=case.office.name_km
            )
            if case.office
            else None
        ),
        deadlines=(
            DeadlinesView(
                resolve_by=case.deadlines.resolve_by,
                overall_by=case.deadlines.overall_by,
                reply_by=case.deadlines.reply_by,
            )
            if case.deadlines and case.status in OPEN
            else None
        ),
        timeline=[
            TimelineView(at=e.at, status=e.status.value, text=Bilingual(en=e.text_en, km=e.text_km))
            for e in case.timeline
        ],
        questions=[
            QuestionView(
                question_id=q.question_id,
                asked_at=q.asked_at,
                text=q.text,
                answered=q.answer is not None,
            )
            for q in case.questions
        ],
        attachments=len(case.attachments),
        rating=case.rating,
        reopen_until=reopen_until,
        actions=_actions(case, reopen_until),
    )
