"""Intake's citizen HTTP API: decode, call a handler, encode; HTTP errors live only here."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from typing import Annotated

from fastapi import APIRouter, File, Header, Request, UploadFile, status

from samleng.intake.domain import citizen
from samleng.intake.domain.tracking import TrackingCode
from samleng.intake.entrypoints.deps import (
    AttachmentsDep,
    BudgetsDep,
    CasesDep,
    CitizenDesk,
    DeskDep,
    HasherDep,
    KeysDep,
    RelayDep,
    SettingsDep,
    get_cases,
    get_hasher,
    get_relay,
    get_settings,
)
from samleng.intake.entrypoints.errors import LocalisedProblem, request_language, too_many
from samleng.intake.entrypoints.forms import Form, to_submission
from samleng.intake.entrypoints.problems import citizen_problems, problems
from samleng.intake.entrypoints.schemas import (
    AnswerBody,
    Bilingual,
    CaseView,
    RatingBody,
    ReopenBody,
    SubmissionAccepted,
    SubmitFeedback,
    TextBody,
)
from samleng.intake.entrypoints.views import case_view
from samleng.intake.handlers import (
    Command,
    IdempotencyConflict,
    Retry,
    act_on_case,
    attach_file,
    find_case,
    submit_feedback,
)

__all__ = ["case_view", "get_cases", "get_hasher", "get_relay", "get_settings", "router"]

router = APIRouter(prefix="/v1", tags=["citizen"])


@router.post(
    "/complaints",
    status_code=status.HTTP_202_ACCEPTED,
    response_model=SubmissionAccepted,
    responses=problems(413, 422, 429),
    summary="Submit feedback anonymously; answers a tracking code",
)
async def submit(
    body: SubmitFeedback,
    request: Request,
    cases: CasesDep,
    keys: KeysDep,
    relay: RelayDep,
    settings: SettingsDep,
    budgets: BudgetsDep,
    idempotency_key: Annotated[
        str | None,
        Header(
            max_length=255,
            description="Any unique string the app makes per submission (e.g. a UUID); "
            "a retry with the same key answers the same tracking code",
        ),
    ] = None,
) -> SubmissionAccepted:
    """Store the feedback and its event together; the relay publishes the event."""
    lang = request_language(request)
    with citizen_problems():
        submission, reporter = to_submission(
            Form(
                kind=body.kind,
                category=body.category,
                commune_code=body.commune_code,
                village_code=body.village_code,
                province_code=body.province_code,
                district_code=body.district_code,
                description=body.description,
                language=lang,
                channel=body.channel,
                service_code=body.service_code,
                amount_asked_riel=body.amount_asked_riel,
                service_rating=body.service_rating,
                about_office_id=body.about_office_id,
                about_office_conduct=body.about_office_conduct,
                contacts=tuple((c.channel, c.address) for c in body.contacts),
                gender=body.reporter_gender,
                age_band=body.reporter_age_band,
            ),
            max_description=settings.max_description_length,
        )
    retry_after = await budgets.submissions.spend()
    if retry_after is not None:
        raise too_many(retry_after)
    retry = None
    if idempotency_key:
        canonical = json.dumps(body.model_dump(mode="json"), sort_keys=True, ensure_ascii=False)
        retry = Retry(
            idempotency_key, canonical.encode(), timedelta(hours=settings.idempotency_hours)
        )
    try:
        submitted = await submit_feedback(submission, cases, keys, reporter=reporter, retry=retry)
    except IdempotencyConflict:
        raise LocalisedProblem(
            422,
            "idempotency-key-reused",
            en="This Idempotency-Key was already used for a different submission; "
            "make a new key for new feedback.",
            km="Idempotency-Key នេះត្រូវបានប្រើសម្រាប់មតិផ្សេងរួចហើយ សូមបង្កើតកូនសោថ្មី។",
        ) from None
    relay.wake()
    code = str(submitted.code)
    return SubmissionAccepted(
        tracking_code=code,
        status=submitted.case.status.value,
        status_url=f"/v1/complaints/{code}",
        message=Bilingual(
            en="Received. Keep this tracking code: it is the only way to follow your case.",
            km="បានទទួល។ សូមរក្សាលេខកូដតាមដាននេះ៖ វាជាមធ្យោបាយតែមួយគត់ដើម្បីតាមដានករណីរបស់អ្នក។",
        ),
    )


@router.get(
    "/complaints/{tracking_code}",
    response_model=CaseView,
    responses=problems(400, 404, 429),
    summary="Follow a case with its tracking code",
)
async def follow(
    tracking_code: str,
    cases: CasesDep,
    hasher: HasherDep,
    budgets: BudgetsDep,
    settings: SettingsDep,
) -> CaseView:
    """Status, office, questions and timeline of the case the code opens."""
    with citizen_problems():
        code = TrackingCode.parse(tracking_code)
        case = await find_case(code, cases, hasher, budgets.lookup_misses)
    return case_view(case, timedelta(days=settings.reopen_period_days))


async def _act(tracking_code: str, command: Command, desk: CitizenDesk) -> CaseView:
    """Run a citizen command on the case a code opens, then let the relay publish."""
    with citizen_problems():
        code = TrackingCode.parse(tracking_code)
        case = await act_on_case(code, desk.cases, desk.hasher, desk.budgets.lookup_misses, command)
    desk.relay.wake()
    return case_view(case, timedelta(days=desk.settings.reopen_period_days))


ACTION_PROBLEMS = problems(400, 404, 409, 422, 429)


def _limit(text: str, settings: SettingsDep) -> str:
    if len(text) > settings.max_text_length:
        raise LocalisedProblem(
            422,
            "text-too-long",
            en=f"text has {len(text)} characters; shorten it to {settings.max_text_length}",
            km=f"អត្ថបទមាន {len(text)} តួអក្សរ សូមបង្រួមឱ្យនៅត្រឹម {settings.max_text_length}",
            errors=[{"field": "text", "message": "too long"}],
        )
    return text


@router.post(
    "/complaints/{tracking_code}/answers",
    summary="Answer the office's question",
    response_model=CaseView,
    responses=ACTION_PROBLEMS,
)
async def answer(
    tracking_code: str,
    body: AnswerBody,
    desk: DeskDep,
) -> CaseView:
    """Answer one of the questions the case view lists."""
    text = _limit(body.text, desk.settings)
    now = datetime.now(UTC)
    return await _act(
        tracking_code,
        lambda c: citizen.answer_question(c, body.question_id, text, now),
        desk,
    )


@router.post(
    "/complaints/{tracking_code}/information",
    summary="Add information to the case",
    response_model=CaseView,
    responses=ACTION_PROBLEMS,
)
async def add_information(
    tracking_code: str,
    body: TextBody,
    desk: DeskDep,
) -> CaseView:
    """Add information while the office is handling the case."""
    text = _limit(body.text, desk.settings)
    now = datetime.now(UTC)
    return await _act(
        tracking_code,
        lambda c: citizen.add_information(c, text, now),
        desk,
    )


@router.post(
    "/complaints/{tracking_code}/attachments",
    summary="Attach a photo or document (JPEG, PNG, WebP, PDF)",
    response_model=CaseView,
    responses=problems(400, 404, 409, 413, 429)
    | {
        415: {
            "description": "Not an accepted file type",
            "content": {"application/problem+json": {}},
        }
    },
)
async def attach(
    tracking_code: str,
    file: Annotated[UploadFile, File(description="The photo or document")],
    cases: CasesDep,
    hasher: HasherDep,
    budgets: BudgetsDep,
    relay: RelayDep,
    settings: SettingsDep,
    store: AttachmentsDep,
) -> CaseView:
    """Attach a file; photos are stripped of location and device data before storage."""
    data = await file.read(settings.max_attachment_bytes + 1)
    if len(data) > settings.max_attachment_bytes:
        raise LocalisedProblem(
            413,
            "attachment-too-large",
            en=f"The file is larger than {settings.max_attachment_bytes // 1024} KiB.",
            km=f"ឯកសារធំជាង {settings.max_attachment_bytes // 1024} KiB។",
        )
    with citizen_problems():
        code = TrackingCode.parse(tracking_code)
        case = await attach_file(
            code,
            data,
            cases,
            hasher,
            budgets.lookup_misses,
            store,
            settings.max_attachments,
        )
    relay.wake()
    return case_view(case, timedelta(days=settings.reopen_period_days))


@router.post(
    "/complaints/{tracking_code}/confirmation",
    summary="Confirm the office really resolved it (closes the case)",
    response_model=CaseView,
    responses=ACTION_PROBLEMS,
)
async def confirm(
    tracking_code: str,
    desk: DeskDep,
) -> CaseView:
    """Confirm the resolution."""
    now = datetime.now(UTC)
    return await _act(
        tracking_code,
        lambda c: citizen.confirm_resolution(c, now),
        desk,
    )


@router.post(
    "/complaints/{tracking_code}/reopening",
    summary="Reopen the office's answer, or appeal it one level up",
    response_model=CaseView,
    responses=ACTION_PROBLEMS,
)
async def reopen(
    tracking_code: str,
    body: ReopenBody,
    desk: DeskDep,
) -> CaseView:
    """Reopen or appeal within the period after the office's answer."""
    now = datetime.now(UTC)
    period = timedelta(days=desk.settings.reopen_period_days)
    return await _act(
        tracking_code,
        lambda c: citizen.reopen(c, appeal=body.appeal, now=now, period=period),
        desk,
    )


@router.post(
    "/complaints/{tracking_code}/rating",
    summary="Rate how the case was handled",
    response_model=CaseView,
    responses=ACTION_PROBLEMS,
)
async def rate(
    tracking_code: str,
    body: RatingBody,
    desk: DeskDep,
) -> CaseView:
    """Rate the handling once the office has answered."""
    now = datetime.now(UTC)
    return await _act(
        tracking_code,
        lambda c: citizen.rate_handling(c, body.rating, now),
        desk,
    )


@router.post(
    "/complaints/{tracking_code}/withdrawal",
    summary="Withdraw the case",
    response_model=CaseView,
    responses=ACTION_PROBLEMS,
)
async def withdraw(
    tracking_code: str,
    desk: DeskDep,
) -> CaseView:
    """Withdraw a case the office has not answered yet."""
    now = datetime.now(UTC)
    return await _act(
        tracking_code,
        lambda c: citizen.withdraw(c, now),
        desk,
    )
