"""The social-media desk's queue (``/officer/queue``): messages sent to the Page, each filed
as a case for its sender or dismissed with a reason.

Intake keeps no name or picture of a sender and shows none; filing answers the same
printable receipt as a counter filing, and notification sends the code to the sender.
"""

from __future__ import annotations

from fastapi import APIRouter
from fastapi.responses import HTMLResponse, Response

from samleng.web.adapters.api import ApiProblem, ServiceUnavailable
from samleng.web.domain.codes import safe_id
from samleng.web.entrypoints.officer.console import Console, ConsoleDep
from samleng.web.entrypoints.officer.filing import KINDS, both, filing_body

router = APIRouter(prefix="/officer", tags=["officer"])

SOCIAL = "social_media:"


def _social_desk(console: Console) -> str | None:
    session = console.session
    if session is None or not session.has("desk_agent"):
        return None
    return next((d for d in session.desks if d.startswith(SOCIAL)), None)


async def _queue(console: Console, status: int = 200, **context: object) -> HTMLResponse:
    session = console.session
    assert session is not None
    try:
        messages = await console.web.intake.desk_queue(session.access_token, console.lang)
    except (ApiProblem, ServiceUnavailable) as failure:
        return console.failure(failure)
    context.setdefault("notice", "")
    context.setdefault("error", "")
    return console.page(
        "queue.html",
        status,
        messages=messages,
        kinds=KINDS,
        categories=await console.category_labels(),
        **context,
    )


async def _refused(console: Console, failure: ApiProblem | ServiceUnavailable) -> Response:
    """Intake's refusal shown above the queue (what to fix), or as a page (an outage)."""
    if isinstance(failure, ApiProblem) and failure.status in (400, 404, 422):
        return await _queue(console, failure.status, error=failure.detail)
    return console.failure(failure)


@router.get("/queue", response_class=HTMLResponse, summary="The social-media desk's queue")
async def queue(console: ConsoleDep) -> Response:
    """Waiting messages, oldest first, each with its two forms."""
    if console.session is None:
        return console.sign_in_page()
    if _social_desk(console) is None:
        return console.page("message.html", 403, message=console.texts("desk_not_social"))
    notice = console.texts("desk_dismissed") if console.request.query_params.get("done") else ""
    return await _queue(console, notice=notice)


async def _posted(console: Console, message_id: str) -> tuple[str, dict[str, str]] | Response:
    """The social desk and the posted form, or the answer that refuses them."""
    if console.session is None:
        return console.session_over()
    desk = _social_desk(console)
    if desk is None:
        return console.page("message.html", 403, message=console.texts("desk_not_social"))
    form = {k: str(v) for k, v in (await console.request.form()).items()}
    if not console.form_allowed(form.get("csrf", "")):
        return console.forbidden("csrf_failed")
    if not safe_id(message_id):
        return console.not_found()
    return desk, form


@router.post("/queue/{message_id}/case", response_class=HTMLResponse, summary="File a message")
async def file_message(message_id: str, console: ConsoleDep) -> Response:
    """File the message as a case for its sender; answer the printable receipt."""
    posted = await _posted(console, message_id)
    if isinstance(posted, Response):
        return posted
    desk, form = posted
    assert console.session is not None
    body = filing_body({**form, "desk": desk}, (desk,))
    try:
        receipt = await console.web.intake.file_message(
            console.session.access_token, message_id, body, console.lang
        )
    except (ApiProblem, ServiceUnavailable) as failure:
        return await _refused(console, failure)
    return console.page("filing_receipt.html", receipt=receipt, both=both)


@router.post("/queue/{message_id}/dismissal", summary="Dismiss a message with a reason")
async def dismiss(message_id: str, console: ConsoleDep) -> Response:
    """Dismiss the message (intake audits it), then show the queue again."""
    posted = await _posted(console, message_id)
    if isinstance(posted, Response):
        return posted
    _, form = posted
    assert console.session is not None
    try:
        await console.web.intake.dismiss_message(
            console.session.access_token, message_id, form.get("reason", ""), console.lang
        )
    except (ApiProblem, ServiceUnavailable) as failure:
        return await _refused(console, failure)
    return console.redirect("/officer/queue", "done=1")
