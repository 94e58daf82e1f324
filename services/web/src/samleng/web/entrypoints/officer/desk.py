"""The officer's notifications (notification's in-app feed) and the audit trail."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query
from fastapi.responses import HTMLResponse, Response

from samleng.web.adapters.api import ApiProblem, ServiceUnavailable
from samleng.web.domain.codes import safe_id, safe_office
from samleng.web.entrypoints.officer.console import ConsoleDep

router = APIRouter(prefix="/officer", tags=["officer"])

AUDIT_PAGE = 100


@router.get("/notifications", response_class=HTMLResponse, summary="In-app notifications")
async def notifications(console: ConsoleDep) -> HTMLResponse:
    """The newest alerts of each of the officer's offices."""
    session = console.session
    if session is None:
        return console.sign_in_page()
    feeds, failed = [], False
    for office in filter(safe_office, session.offices):
        try:
            feeds.append(
                await console.web.notification.feed(session.access_token, office, console.lang)
            )
        except (ApiProblem, ServiceUnavailable):
            failed = True
    return console.page("notifications.html", feeds=feeds, failed=failed)


@router.post("/notifications/{office_id}/{event_id}/read", summary="Mark an alert read")
async def mark_read(office_id: str, event_id: str, console: ConsoleDep) -> Response:
    """Mark one alert read, then show the notifications again."""
    session = console.session
    if session is None:
        return console.session_over()
    form = await console.request.form()
    if not console.form_allowed(str(form.get("csrf", ""))):
        return console.forbidden("csrf_failed")
    if not (safe_office(office_id) and safe_id(event_id)):
        return console.not_found()
    try:
        await console.web.notification.mark_read(
            session.access_token, office_id, event_id, console.lang
        )
    except (ApiProblem, ServiceUnavailable) as failure:
        return console.failure(failure)
    return console.redirect("/officer/notifications")


@router.get("/audit", response_class=HTMLResponse, summary="The audit trail")
async def audit(
    console: ConsoleDep,
    complaint_id: Annotated[str, Query(max_length=64)] = "",
    subject: Annotated[str, Query(max_length=200)] = "",
    after_seq: Annotated[int, Query(ge=0)] = 0,
) -> HTMLResponse:
    """Who read or did what, when, in chain order: all of it for administrators, their own
    office's part for heads of office (intake decides which entries)."""
    session = console.session
    if session is None:
        return console.sign_in_page()
    params = [("after_seq", str(after_seq)), ("limit", str(AUDIT_PAGE))]
    params += [(k, v) for k, v in (("complaint_id", complaint_id), ("subject", subject)) if v]
    try:
        page = await console.web.intake.audit(session.access_token, params, console.lang)
    except (ApiProblem, ServiceUnavailable) as failure:
        return console.failure(failure)
    entries = page.get("entries", [])
    return console.page(
        "audit.html",
        entries=entries,
        filters={"complaint_id": complaint_id, "subject": subject},
        next_seq=entries[-1]["seq"] if len(entries) == AUDIT_PAGE else None,
    )
