"""Intake's HTTP API: decode, call a handler, encode; HTTP errors live only here."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Header, Request, status

from samleng.common.http import Problem
from samleng.intake.adapters.cases import CaseRepository
from samleng.intake.adapters.gazetteer import locate_commune
from samleng.intake.adapters.outbox import OutboxRelay
from samleng.intake.domain.model import STATUS_LABELS, Case, Submission
from samleng.intake.domain.tracking import InvalidTrackingCode, TrackingCode, TrackingCodeHasher
from samleng.intake.entrypoints.schemas import (
    Bilingual,
    CaseView,
    OfficeView,
    SubmissionAccepted,
    SubmitFeedback,
    TimelineView,
)
from samleng.intake.handlers import case_by_code, submit_feedback
from samleng.intake.settings import IntakeSettings


def _state(request: Request, name: str) -> object:
    return getattr(request.app.state, name)


def get_cases(request: Request) -> CaseRepository:
    """The case repository of this app."""
    cases = _state(request, "cases")
    assert isinstance(cases, CaseRepository)
    return cases


def get_hasher(request: Request) -> TrackingCodeHasher:
    """The tracking-code hasher of this app."""
    hasher = _state(request, "hasher")
    assert isinstance(hasher, TrackingCodeHasher)
    return hasher


def get_relay(request: Request) -> OutboxRelay:
    """The outbox relay of this app."""
    relay = _state(request, "relay")
    assert isinstance(relay, OutboxRelay)
    return relay


def get_settings(request: Request) -> IntakeSettings:
    """This app's settings."""
    settings = _state(request, "settings")
    assert isinstance(settings, IntakeSettings)
    return settings


CasesDep = Annotated[CaseRepository, Depends(get_cases)]
HasherDep = Annotated[TrackingCodeHasher, Depends(get_hasher)]
RelayDep = Annotated[OutboxRelay, Depends(get_relay)]
SettingsDep = Annotated[IntakeSettings, Depends(get_settings)]

router = APIRouter(prefix="/v1", tags=["citizen"])


def _language(accept_language: str | None) -> str:
    if accept_language and accept_language.strip().lower().startswith("en"):
        return "en"
    return "km"


@router.post(
    "/complaints",
    status_code=status.HTTP_202_ACCEPTED,
    response_model=SubmissionAccepted,
    summary="Submit feedback anonymously; answers a tracking code",
)
async def submit(
    body: SubmitFeedback,
    cases: CasesDep,
    hasher: HasherDep,
    relay: RelayDep,
    settings: SettingsDep,
    accept_language: Annotated[str | None, Header()] = None,
) -> SubmissionAccepted:
    """Store the feedback and its event together; the relay publishes the event."""
    location = locate_commune(body.commune_code)
    if location is None:
        raise Problem(
            422,
            "unknown-commune",
            f"commune_code {body.commune_code!r} is not a commune in the gazetteer; "
            "use the 6-digit code of a commune/sangkat, e.g. 170201",
            title="Unknown commune",
            errors=[{"field": "commune_code", "message": "unknown commune code"}],
        )
    if len(body.description) > settings.max_description_length:
        raise Problem(
            422,
            "description-too-long",
            f"description has {len(body.description)} characters; "
            f"shorten it to at most {settings.max_description_length}",
            errors=[{"field": "description", "message": "too long"}],
        )
    submission = Submission(
        kind=body.kind,
        category=body.category,
        location=location,
        description=body.description,
        service_code=body.service_code,
        language=_language(accept_language),
    )
    code, case = await submit_feedback(submission, cases, hasher)
    relay.wake()
    return SubmissionAccepted(
        tracking_code=str(code),
        status=case.status.value,
        status_url=f"/v1/complaints/{code}",
        message=Bilingual(
            en="Received. Keep this tracking code: it is the only way to follow your case.",
            km="បានទទួល។ សូមរក្សាលេខកូដតាមដាននេះ៖ វាជាមធ្យោបាយតែមួយគត់ដើម្បីតាមដានករណីរបស់អ្នក។",
        ),
    )


@router.get(
    "/complaints/{tracking_code}",
    response_model=CaseView,
    summary="Follow a case with its tracking code",
)
async def follow(tracking_code: str, cases: CasesDep, hasher: HasherDep) -> CaseView:
    """Status, assigned office and timeline of the case the code opens."""
    try:
        code = TrackingCode.parse(tracking_code)
    except InvalidTrackingCode as exc:
        raise Problem(
            400, "invalid-tracking-code", f"{exc}. Check the code and try again."
        ) from None
    case = await case_by_code(code, cases, hasher)
    if case is None:
        raise Problem(404, "case-not-found", "No case has this tracking code. Check the code.")
    return case_view(case)


def case_view(case: Case) -> CaseView:
    """What the citizen sees of a case."""
    label = STATUS_LABELS[case.status]
    return CaseView(
        status=case.status.value,
        status_label=Bilingual(en=label["en"], km=label["km"]),
        kind=case.submission.kind.value,
        category=case.submission.category.value,
        submitted_at=case.submitted_at,
        office=(
            OfficeView(
                level=case.office.level, name_en=case.office.name_en, name_km=case.office.name_km
            )
            if case.office
            else None
        ),
        timeline=[
            TimelineView(at=e.at, status=e.status.value, text=Bilingual(en=e.text_en, km=e.text_km))
            for e in case.timeline
        ],
    )
