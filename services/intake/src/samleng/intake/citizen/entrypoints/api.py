"""The citizen API: follow and act on a case with its tracking code (decode, handler, encode).

HTTP errors live only in the entrypoints; the use cases are :mod:`samleng.intake.citizen.handlers`.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from typing import Annotated

from fastapi import APIRouter, File, Header, Request, UploadFile, status

from samleng.intake.citizen.entrypoints.schemas import (
    AnswerBody,
    Bilingual,
    CaseView,
    RatingBody,
    ReopenBody,
    SubmissionAccepted,
    SubmitFeedback,
    TextBody,
)
from samleng.intake.citizen.entrypoints.views import case_view
from samleng.intake.citizen.handlers import (
    Command,
    IdempotencyConflict,
    Retry,
    act_on_case,
    attach_file,
    find_case,
    submit_feedback,
)
from samleng.intake.domain import citizen
from samleng.intake.domain.tracking import TrackingCode
from samleng.intake.entrypoints.deps import AttachmentsDep, CitizenDesk, CitizenDeskDep
from samleng.intake.entrypoints.forms import to_submission
from samleng.intake.entrypoints.problems import (
    documented,
    problem,
    refusals,
    request_language,
    too_many,
)
from samleng.intake.settings import IntakeSettings

router = APIRouter(prefix="/v1", tags=["citizen"])


@router.post(
    "/complaints",
    status_code=status.HTTP_202_ACCEPTED,
    response_model=SubmissionAccepted,
    responses=documented(413, 422, 429),
    summary="Submit feedback anonymously; answers a tracking code",
)
async def submit(
    body: SubmitFeedback,
    request: Request,
    desk: CitizenDeskDep,
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
    settings = desk.settings
    with refusals():
        submission, reporter = to_submission(
            body.form(
                language=lang,
                channel=body.channel,
                contacts=tuple((c.channel, c.address) for c in body.contacts),
            ),
            max_description=settings.max_description_length,
        )
    retry_after = await desk.budgets.submissions.take()
    if retry_after is not None:
        raise too_many(retry_after)
    retry = None
    if idempotency_key:
        canonical = json.dumps(body.model_dump(mode="json"), sort_keys=True, ensure_ascii=False)
        retry = Retry(
            idempotency_key, canonical.encode(), timedelta(hours=settings.idempotency_hours)
        )
    try:
        submitted = await submit_feedback(
            submission, desk.cases, desk.keys, reporter=reporter, retry=retry
        )
    except IdempotencyConflict:
        raise problem(
            422,
            "idempotency-key-reused",
            en="This Idempotency-Key was already used for a different submission; "
            "make a new key for new feedback.",
            km="Idempotency-Key នេះត្រូវបានប្រើសម្រាប់មតិផ្សេងរួចហើយ សូមបង្កើតកូនសោថ្មី។",
        ) from None
    desk.relay.wake()
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
    responses=documented(400, 404, 429),
    summary="Follow a case with its tracking code",
)
async def follow(
    tracking_code: str,
    desk: CitizenDeskDep,
) -> CaseView:
    """Status, office, questions and timeline of the case the code opens."""
    with refusals():
        code = TrackingCode.parse(tracking_code)
        case = await find_case(code, desk.cases, desk.keys.hasher, desk.budgets.lookup_misses)
    return case_view(case, timedelta(days=desk.settings.reopen_period_days))


async def _act(tracking_code: str, command: Command, desk: CitizenDesk) -> CaseView:
    """Run a citizen command on the case a code opens, then let the relay publish."""
    with refusals():
        code = TrackingCode.parse(tracking_code)
        case = await act_on_case(
            code, desk.cases, desk.keys.hasher, desk.budgets.lookup_misses, command
        )
    desk.relay.wake()
    return case_view(case, timedelta(days=desk.settings.reopen_period_days))


ACTION_PROBLEMS = documented(400, 404, 409, 422, 429)


def _limit(text: str, settings: IntakeSettings) -> str:
    if len(text) > settings.max_text_length:
        raise problem(
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
    desk: CitizenDeskDep,
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
    desk: CitizenDeskDep,
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
    responses=documented(400, 404, 409, 413, 415, 422, 429, 503),
)
async def attach(
    tracking_code: str,
    file: Annotated[UploadFile, File(description="The photo or document")],
    desk: CitizenDeskDep,
    store: AttachmentsDep,
) -> CaseView:
    """Attach a file; photos and PDFs are stripped of location, device and author data
    before storage. Limits are checked before the file is decoded: size (413), files per
    case (409), type by content (415), image pixels (422); 503 when too many files are
    being processed."""
    settings = desk.settings
    data = await file.read(settings.max_attachment_bytes + 1)
    if len(data) > settings.max_attachment_bytes:
        raise problem(
            413,
            "attachment-too-large",
            en=f"The file is larger than {settings.max_attachment_bytes // 1024} KiB.",
            km=f"ឯកសារធំជាង {settings.max_attachment_bytes // 1024} KiB។",
        )
    with refusals():
        code = TrackingCode.parse(tracking_code)
        case = await attach_file(
            code,
            data,
            desk.cases,
            desk.keys.hasher,
            desk.budgets.lookup_misses,
            store,
            settings.max_attachments,
        )
    desk.relay.wake()
    return case_view(case, timedelta(days=settings.reopen_period_days))


@router.post(
    "/complaints/{tracking_code}/confirmation",
    summary="Confirm the office really resolved it (closes the case)",
    response_model=CaseView,
    responses=ACTION_PROBLEMS,
)
async def confirm(
    tracking_code: str,
    desk: CitizenDeskDep,
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
    desk: CitizenDeskDep,
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
    desk: CitizenDeskDep,
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
    desk: CitizenDeskDep,
) -> CaseView:
    """Withdraw a case the office has not answered yet."""
    now = datetime.now(UTC)
    return await _act(
        tracking_code,
        lambda c: citizen.withdraw(c, now),
        desk,
    )
