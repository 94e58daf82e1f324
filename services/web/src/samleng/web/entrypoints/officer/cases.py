"""The inbox, the case page, the officer actions and attachments."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated, Any

from fastapi import APIRouter, Query
from fastapi.responses import HTMLResponse, Response

from samleng.web.adapters.api import ApiProblem, ServiceUnavailable
from samleng.web.adapters.session import OfficerSession
from samleng.web.domain.codes import safe_id, safe_office
from samleng.web.domain.inbox import age_days, most_urgent_first, urgency
from samleng.web.entrypoints.officer.console import Console, ConsoleDep
from samleng.web.entrypoints.pages import NO_STORE

router = APIRouter(prefix="/officer", tags=["officer"])

#: Officer actions the case page offers: the view's action name -> intake's path.
ACTIONS = {
    "acknowledge": "acknowledge",
    "ask": "questions",
    "note": "notes",
    "resolve": "resolve",
    "reject": "reject",
    "duplicate": "duplicate",
    "transfer": "transfer",
    "forward": "forward",
    "escalate": "escalate",
    "reopen": "reopen",
    "link": "link",
    "unlink": "unlink",
    "partner_note": "partner-notes",
}
STATUSES = (
    "submitted",
    "assigned",
    "acknowledged",
    "information_requested",
    "resolved",
    "reopened",
    "rejected",
    "closed",
    "withdrawn",
)
IMAGES = ("image/jpeg", "image/png", "image/webp")


@router.get("", response_class=HTMLResponse, summary="The inbox")
async def inbox(
    console: ConsoleDep,
    office: Annotated[str, Query(max_length=64)] = "",
    status: Annotated[list[str] | None, Query()] = None,
    kind: Annotated[str, Query(max_length=40)] = "",
    overdue: Annotated[str, Query(max_length=5)] = "",
    sort: Annotated[str, Query(max_length=12)] = "deadline",
    cursor: Annotated[str, Query(max_length=200)] = "",
) -> HTMLResponse:
    """Open cases of the officer's offices, overdue and due soon first, with filters."""
    session = console.session
    if session is None:
        return console.sign_in_page()
    sort = sort if sort in ("deadline", "submitted") else "deadline"
    statuses = [s for s in (status or []) if s in STATUSES]
    params: list[tuple[str, str]] = [("sort", sort), ("limit", "50")]
    params += [("status", s) for s in statuses]
    if office and safe_office(office):
        params.append(("office", office))
    for name, value in (("kind", kind), ("cursor", cursor)):
        if value:
            params.append((name, value))
    if overdue == "true":
        params.append(("overdue", "true"))
    try:
        listing = await console.web.intake.inbox(session.access_token, params, console.lang)
    except (ApiProblem, ServiceUnavailable) as failure:
        return console.failure(failure)
    now = datetime.now(UTC)
    cases = listing.get("cases", [])
    if sort == "deadline":
        cases = most_urgent_first(cases, now)
    rows = [{**case, "urgency": urgency(case, now), "age": age_days(case, now)} for case in cases]
    filters = {
        "office": office,
        "status": statuses,
        "kind": kind,
        "overdue": overdue == "true",
        "sort": sort,
    }
    return console.page(
        "inbox.html",
        listing=listing,
        rows=rows,
        filters=filters,
        statuses=STATUSES,
        unread=await _unread(console, session),
        categories=await console.category_labels(),
    )


async def _unread(console: Console, session: OfficerSession) -> int | None:
    """Unread alerts over the officer's offices; None when the feed cannot be read."""
    total = 0
    for office in filter(safe_office, session.offices):
        try:
            feed = await console.web.notification.feed(session.access_token, office, console.lang)
            total += int(feed["unread"])
        except (ApiProblem, ServiceUnavailable, KeyError, ValueError):
            return None
    return total


async def case_page(
    console: Console,
    session: OfficerSession,
    complaint_id: str,
    *,
    notice: str = "",
    error: str = "",
    status: int = 200,
) -> HTMLResponse:
    """The case as intake has it now (the read is audited by intake)."""
    try:
        case = await console.web.intake.officer_case(
            session.access_token, complaint_id, console.lang
        )
    except (ApiProblem, ServiceUnavailable) as failure:
        return console.failure(failure)
    categories = await console.category_labels()
    return console.page(
        "case.html", status, case=case, notice=notice, error=error, categories=categories
    )


@router.get("/cases/{complaint_id}", response_class=HTMLResponse, summary="A case")
async def show_case(
    complaint_id: str, console: ConsoleDep, done: Annotated[str, Query(max_length=1)] = ""
) -> HTMLResponse:
    """Timeline, questions, citizen's information, notes, attachments and every action."""
    session = console.session
    if session is None:
        return console.sign_in_page()
    if not safe_id(complaint_id):
        return console.not_found()
    notice = console.texts("saved") if done else ""
    return await case_page(console, session, complaint_id, notice=notice)


def action_body(action: str, values: dict[str, str]) -> dict[str, Any]:
    """Intake's body for an action form: the version read, and what the action needs."""
    if action in ("note", "partner_note"):
        return {"text": values.get("text", "")}
    version = values.get("version", "")
    body: dict[str, Any] = {"version": int(version)} if version.isdigit() else {}
    fields = {
        "ask": {"text": "text"},
        "resolve": {"note": "note"},
        "reject": {"reason": "reason"},
        "duplicate": {"duplicate_of": "duplicate_of"},
        "transfer": {"reason": "reason", "to_office_id": "to_office_id"},
        "forward": {"reason": "reason", "to_ministry": "to_ministry"},
        "escalate": {"reason": "reason"},
        "link": {"original_id": "original_id"},
    }
    for name, field in fields.get(action, {}).items():
        body[name] = values.get(field, "").strip()
    return body


@router.post("/cases/{complaint_id}/{action}", summary="Act on a case")
async def act(complaint_id: str, action: str, console: ConsoleDep) -> Response:
    """Run an officer action on the version read; a 409 shows the case as it is now."""
    session = console.session
    if session is None:
        return console.session_over()
    if action not in ACTIONS or not safe_id(complaint_id):
        return console.not_found()
    form = await console.request.form()
    values = {k: v for k, v in form.multi_items() if isinstance(v, str)}
    if not console.form_allowed(values.get("csrf", "")):
        return console.forbidden("csrf_failed")
    try:
        await console.web.intake.officer_act(
            session.access_token,
            complaint_id,
            ACTIONS[action],
            action_body(action, values),
            console.lang,
        )
    except ApiProblem as problem:
        if problem.status == 401:
            return console.failure(problem)
        conflict = problem.slug == "version-conflict"
        message = console.texts("conflict") if conflict else problem.detail
        return await case_page(console, session, complaint_id, error=message, status=problem.status)
    except ServiceUnavailable as failure:
        return console.failure(failure)
    return console.redirect(f"/officer/cases/{complaint_id}", "done=1")


@router.get("/cases/{complaint_id}/attachments/{attachment_id}", summary="An attachment")
async def attachment(complaint_id: str, attachment_id: str, console: ConsoleDep) -> Response:
    """The file through intake's audited download; photos open in the browser."""
    session = console.session
    if session is None:
        return console.sign_in_page()
    if not (safe_id(complaint_id) and safe_id(attachment_id)):
        return console.not_found()
    try:
        content_type, data = await console.web.intake.attachment(
            session.access_token, complaint_id, attachment_id, console.lang
        )
    except (ApiProblem, ServiceUnavailable) as failure:
        return console.failure(failure)
    image = content_type in IMAGES
    return Response(
        data,
        media_type=content_type if image else "application/octet-stream",
        headers={
            **NO_STORE,
            "Content-Disposition": "inline" if image else "attachment",
            "Content-Security-Policy": "default-src 'none'; sandbox",
        },
    )
