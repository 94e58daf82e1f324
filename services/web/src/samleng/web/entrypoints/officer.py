"""The officer console (``/officer``): sign-in, inbox, case page, notifications, audit.

Officers sign in with OpenID Connect (authorization code + PKCE). The session is an
encrypted, HttpOnly cookie holding the access token intake checks; every form carries the
session's CSRF token and must come from this origin. Intake decides what an officer may
see and do: this console only shows intake's answers and its refusals.
"""

from __future__ import annotations

import secrets
import time
from datetime import UTC, datetime
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from samleng.web.adapters.api import ApiProblem, ServiceUnavailable
from samleng.web.adapters.oidc import SignInFailed
from samleng.web.adapters.session import SESSION_COOKIE, SIGN_IN_COOKIE, OfficerSession
from samleng.web.bootstrap import Web
from samleng.web.domain.codes import safe_id, safe_office
from samleng.web.domain.inbox import age_days, most_urgent_first, urgency
from samleng.web.entrypoints.deps import LangDep, PagesDep, WebDep
from samleng.web.entrypoints.pages import NO_STORE, Pages
from samleng.web.entrypoints.security import posted_from_here
from samleng.web.i18n import Lang, Texts

router = APIRouter(prefix="/officer", tags=["officer"])

SIGN_IN_SECONDS = 600
COOKIE_PATH = "/officer"
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


def current_session(request: Request, web: WebDep) -> OfficerSession | None:
    """The signed-in officer, or None (no cookie, altered cookie, or expired)."""
    if web.sessions is None:
        return None
    max_age = int(web.settings.session_hours * 3600)
    found = web.sessions.open(request.cookies.get(SESSION_COOKIE), max_age)
    if found is None:
        return None
    try:
        session = OfficerSession.from_dict(found)
    except (KeyError, TypeError, ValueError):
        return None
    return session if session.expires_at > time.time() else None


SessionDep = Annotated[OfficerSession | None, Depends(current_session)]


def _redirect_uri(web: Web) -> str:
    return f"{web.settings.public_url}/officer/callback"


def _set_cookie(response: Response, web: Web, name: str, value: str, max_age: int) -> None:
    response.set_cookie(
        name,
        value,
        max_age=max_age,
        path=COOKIE_PATH,
        secure=bool(web.settings.cookie_secure),
        httponly=True,
        samesite="lax",
    )


def _page(
    request: Request,
    pages: Pages,
    lang: Lang,
    session: OfficerSession | None,
    template: str,
    status: int = 200,
    **context: Any,
) -> HTMLResponse:
    """An officer page: the session (or None) goes to the layout for its menu."""
    return pages.render(
        request, f"officer/{template}", lang=lang, status_code=status, session=session, **context
    )


def _sign_in_page(
    request: Request, web: Web, pages: Pages, lang: Lang, message: str = "", status: int = 200
) -> HTMLResponse:
    return _page(
        request,
        pages,
        lang,
        None,
        "sign_in.html",
        status,
        enabled=web.oidc is not None,
        message=message,
    )


def _lang_of(request: Request) -> Lang:
    return Texts.of(request.query_params.get("lang")).lang


@router.get("/sign-in", summary="Start the OpenID Connect sign-in")
async def sign_in(request: Request, web: WebDep, pages: PagesDep, lang: LangDep) -> Response:
    """Send the browser to the issuer with a fresh state, nonce and PKCE challenge."""
    if web.oidc is None or web.sign_ins is None:
        return _sign_in_page(request, web, pages, lang, Texts(lang)("sign_in_off"), 503)
    try:
        start = await web.oidc.begin(_redirect_uri(web))
    except SignInFailed as error:
        message = Texts(lang)("sign_in_failed", why=str(error))
        return _sign_in_page(request, web, pages, lang, message, 503)
    kept = {"state": start.state, "nonce": start.nonce, "verifier": start.verifier, "lang": lang}
    response = RedirectResponse(start.url, status_code=303, headers=dict(NO_STORE))
    _set_cookie(response, web, SIGN_IN_COOKIE, web.sign_ins.seal(kept), SIGN_IN_SECONDS)
    return response


@router.get("/callback", summary="Finish the sign-in")
async def callback(
    request: Request,
    web: WebDep,
    pages: PagesDep,
    code: Annotated[str, Query(max_length=2048)] = "",
    state: Annotated[str, Query(max_length=512)] = "",
    error: Annotated[str, Query(max_length=200)] = "",
) -> Response:
    """Check the state, exchange the code with the PKCE verifier, open the session."""
    if web.oidc is None or web.sign_ins is None or web.sessions is None:
        return _sign_in_page(request, web, pages, "km", Texts("km")("sign_in_off"), 503)
    kept = web.sign_ins.open(request.cookies.get(SIGN_IN_COOKIE), SIGN_IN_SECONDS) or {}
    lang: Lang = Texts.of(kept.get("lang")).lang
    texts = Texts(lang)
    if error or not code or not secrets.compare_digest(str(kept.get("state", "")), state):
        why = error or "state"
        return _sign_in_page(request, web, pages, lang, texts("sign_in_failed", why=why), 400)
    try:
        session = await web.oidc.finish(
            code, str(kept["nonce"]), str(kept["verifier"]), _redirect_uri(web)
        )
    except SignInFailed as failure:
        message = texts("sign_in_failed", why=str(failure))
        return _sign_in_page(request, web, pages, lang, message, 400)
    target = "/officer?lang=en" if lang == "en" else "/officer"
    response = RedirectResponse(target, status_code=303, headers=dict(NO_STORE))
    max_age = max(1, int(session.expires_at - time.time()))
    _set_cookie(response, web, SESSION_COOKIE, web.sessions.seal(session.to_dict()), max_age)
    response.delete_cookie(SIGN_IN_COOKIE, path=COOKIE_PATH)
    return response


def _form_allowed(request: Request, web: Web, session: OfficerSession, token: str) -> bool:
    return posted_from_here(request, web.settings.public_url) and secrets.compare_digest(
        token, session.csrf
    )


@router.post("/sign-out", summary="Sign out")
async def sign_out(request: Request, web: WebDep, pages: PagesDep, session: SessionDep) -> Response:
    """End the session (the cookie is deleted), and offer the issuer's sign-out."""
    lang = _lang_of(request)
    form = await request.form()
    if session is not None and not _form_allowed(request, web, session, str(form.get("csrf", ""))):
        return _forbidden(request, pages, lang, session, "csrf_failed")
    issuer_sign_out = None
    if web.oidc is not None:
        issuer_sign_out = await web.oidc.sign_out_url(f"{web.settings.public_url}/officer")
    response = _page(request, pages, lang, None, "signed_out.html", issuer_sign_out=issuer_sign_out)
    response.delete_cookie(SESSION_COOKIE, path=COOKIE_PATH)
    return response


def _forbidden(
    request: Request, pages: Pages, lang: Lang, session: OfficerSession | None, key: str
) -> HTMLResponse:
    return _page(request, pages, lang, session, "message.html", 403, message=Texts(lang)(key))


def _api_failure(
    request: Request,
    web: Web,
    pages: Pages,
    lang: Lang,
    session: OfficerSession,
    failure: ApiProblem | ServiceUnavailable,
) -> HTMLResponse:
    """A refusal or outage as a page; a 401 means the session is over."""
    texts = Texts(lang)
    if isinstance(failure, ServiceUnavailable):
        message, status = texts("intake_down"), 503
    elif failure.status == 401:
        response = _sign_in_page(request, web, pages, lang, texts("session_over"), 401)
        response.delete_cookie(SESSION_COOKIE, path=COOKIE_PATH)
        return response
    else:
        message, status = failure.detail, failure.status
    return _page(request, pages, lang, session, "message.html", status, message=message)


@router.get("", response_class=HTMLResponse, summary="The inbox")
async def inbox(
    request: Request,
    web: WebDep,
    pages: PagesDep,
    lang: LangDep,
    session: SessionDep,
    office: Annotated[str, Query(max_length=64)] = "",
    status: Annotated[list[str] | None, Query()] = None,
    kind: Annotated[str, Query(max_length=40)] = "",
    overdue: Annotated[str, Query(max_length=5)] = "",
    sort: Annotated[str, Query(max_length=12)] = "deadline",
    cursor: Annotated[str, Query(max_length=200)] = "",
) -> HTMLResponse:
    """Open cases of the officer's offices, overdue and due soon first, with filters."""
    if session is None:
        return _sign_in_page(request, web, pages, lang)
    sort = sort if sort in ("deadline", "submitted") else "deadline"
    statuses = [s for s in (status or []) if s in STATUSES]
    params: list[tuple[str, str]] = [("sort", sort), ("limit", "50")]
    params += [("status", s) for s in statuses]
    if office and safe_office(office):
        params.append(("office", office))
    if kind:
        params.append(("kind", kind))
    if overdue == "true":
        params.append(("overdue", "true"))
    if cursor:
        params.append(("cursor", cursor))
    try:
        listing = await web.intake.inbox(session.access_token, params, lang)
    except (ApiProblem, ServiceUnavailable) as failure:
        return _api_failure(request, web, pages, lang, session, failure)
    now = datetime.now(UTC)
    cases = listing.get("cases", [])
    if sort == "deadline":
        cases = most_urgent_first(cases, now)
    rows = [{**case, "urgency": urgency(case, now), "age": age_days(case, now)} for case in cases]
    return _page(
        request,
        pages,
        lang,
        session,
        "inbox.html",
        listing=listing,
        rows=rows,
        filters={
            "office": office,
            "status": statuses,
            "kind": kind,
            "overdue": overdue == "true",
            "sort": sort,
        },
        statuses=STATUSES,
        unread=await _unread(web, session, lang),
    )


async def _unread(web: Web, session: OfficerSession, lang: Lang) -> int | None:
    """Unread alerts over the officer's offices; None when the feed cannot be read."""
    total = 0
    for office in session.offices:
        if not safe_office(office):
            continue
        try:
            total += int(
                (await web.notification.feed(session.access_token, office, lang))["unread"]
            )
        except (ApiProblem, ServiceUnavailable, KeyError, ValueError):
            return None
    return total


async def _case_page(
    request: Request,
    web: Web,
    pages: Pages,
    lang: Lang,
    session: OfficerSession,
    complaint_id: str,
    *,
    notice: str = "",
    error: str = "",
    status_code: int = 200,
) -> HTMLResponse:
    try:
        case = await web.intake.officer_case(session.access_token, complaint_id, lang)
    except (ApiProblem, ServiceUnavailable) as failure:
        return _api_failure(request, web, pages, lang, session, failure)
    return _page(
        request,
        pages,
        lang,
        session,
        "case.html",
        status_code,
        case=case,
        notice=notice,
        error=error,
    )


@router.get("/cases/{complaint_id}", response_class=HTMLResponse, summary="A case")
async def case_page(
    complaint_id: str,
    request: Request,
    web: WebDep,
    pages: PagesDep,
    lang: LangDep,
    session: SessionDep,
    done: Annotated[str, Query(max_length=1)] = "",
) -> HTMLResponse:
    """Timeline, questions, citizen's information, notes, attachments and every action."""
    if session is None:
        return _sign_in_page(request, web, pages, lang)
    if not safe_id(complaint_id):
        return pages.render(
            request, "error.html", lang=lang, status_code=404, key="not_found_title"
        )
    notice = Texts(lang)("saved") if done else ""
    return await _case_page(request, web, pages, lang, session, complaint_id, notice=notice)


def _action_body(action: str, values: dict[str, str]) -> dict[str, Any]:
    version = values.get("version", "")
    body: dict[str, Any] = {"version": int(version)} if version.isdigit() else {}
    if action == "note":
        return {"text": values.get("text", "")}
    if action == "ask":
        body["text"] = values.get("text", "")
    elif action == "resolve":
        body["note"] = values.get("note", "")
    elif action == "reject":
        body["reason"] = values.get("reason", "")
    elif action == "duplicate":
        body["duplicate_of"] = values.get("duplicate_of", "").strip()
    elif action in ("transfer", "forward", "escalate"):
        body["reason"] = values.get("reason", "")
        if action == "transfer":
            body["to_office_id"] = values.get("to_office_id", "").strip()
        if action == "forward":
            body["to_ministry"] = values.get("to_ministry", "").strip()
    return body


@router.post("/cases/{complaint_id}/{action}", summary="Act on a case")
async def act(
    complaint_id: str,
    action: str,
    request: Request,
    web: WebDep,
    pages: PagesDep,
    lang: LangDep,
    session: SessionDep,
) -> Response:
    """Run an officer action on the version read; a 409 shows the case as it is now."""
    if session is None:
        return _sign_in_page(request, web, pages, lang, Texts(lang)("session_over"), 401)
    if action not in ACTIONS or not safe_id(complaint_id):
        return pages.render(
            request, "error.html", lang=lang, status_code=404, key="not_found_title"
        )
    form = await request.form()
    values = {k: v for k, v in form.multi_items() if isinstance(v, str)}
    if not _form_allowed(request, web, session, values.get("csrf", "")):
        return _forbidden(request, pages, lang, session, "csrf_failed")
    texts = Texts(lang)
    try:
        await web.intake.officer_act(
            session.access_token, complaint_id, ACTIONS[action], _action_body(action, values), lang
        )
    except ApiProblem as problem:
        if problem.status == 401:
            return _api_failure(request, web, pages, lang, session, problem)
        conflict = problem.slug == "version-conflict"
        return await _case_page(
            request,
            web,
            pages,
            lang,
            session,
            complaint_id,
            error=texts("conflict") if conflict else problem.detail,
            status_code=problem.status,
        )
    except ServiceUnavailable as failure:
        return _api_failure(request, web, pages, lang, session, failure)
    query = "done=1" + ("&lang=en" if lang == "en" else "")
    return RedirectResponse(f"/officer/cases/{complaint_id}?{query}", status_code=303)


@router.get("/cases/{complaint_id}/attachments/{attachment_id}", summary="An attachment")
async def attachment(
    complaint_id: str,
    attachment_id: str,
    request: Request,
    web: WebDep,
    pages: PagesDep,
    lang: LangDep,
    session: SessionDep,
) -> Response:
    """The file through intake's audited download; photos open in the browser."""
    if session is None:
        return _sign_in_page(request, web, pages, lang)
    if not (safe_id(complaint_id) and safe_id(attachment_id)):
        return pages.render(
            request, "error.html", lang=lang, status_code=404, key="not_found_title"
        )
    try:
        content_type, data = await web.intake.attachment(
            session.access_token, complaint_id, attachment_id, lang
        )
    except (ApiProblem, ServiceUnavailable) as failure:
        return _api_failure(request, web, pages, lang, session, failure)
    image = content_type in ("image/jpeg", "image/png", "image/webp")
    return Response(
        data,
        media_type=content_type if image else "application/octet-stream",
        headers={
            **NO_STORE,
            "Content-Disposition": "inline" if image else "attachment",
            "Content-Security-Policy": "default-src 'none'; sandbox",
        },
    )


@router.get("/notifications", response_class=HTMLResponse, summary="In-app notifications")
async def notifications(
    request: Request, web: WebDep, pages: PagesDep, lang: LangDep, session: SessionDep
) -> HTMLResponse:
    """The newest alerts of each of the officer's offices."""
    if session is None:
        return _sign_in_page(request, web, pages, lang)
    feeds, failed = [], False
    for office in session.offices:
        if not safe_office(office):
            continue
        try:
            feeds.append(await web.notification.feed(session.access_token, office, lang))
        except (ApiProblem, ServiceUnavailable):
            failed = True
    return _page(request, pages, lang, session, "notifications.html", feeds=feeds, failed=failed)


@router.post("/notifications/{office_id}/{event_id}/read", summary="Mark an alert read")
async def mark_read(
    office_id: str,
    event_id: str,
    request: Request,
    web: WebDep,
    pages: PagesDep,
    lang: LangDep,
    session: SessionDep,
) -> Response:
    """Mark one alert read, then show the notifications again."""
    if session is None:
        return _sign_in_page(request, web, pages, lang, Texts(lang)("session_over"), 401)
    form = await request.form()
    if not _form_allowed(request, web, session, str(form.get("csrf", ""))):
        return _forbidden(request, pages, lang, session, "csrf_failed")
    if safe_office(office_id) and safe_id(event_id):
        try:
            await web.notification.mark_read(session.access_token, office_id, event_id, lang)
        except (ApiProblem, ServiceUnavailable) as failure:
            return _api_failure(request, web, pages, lang, session, failure)
    target = "/officer/notifications" + ("?lang=en" if lang == "en" else "")
    return RedirectResponse(target, status_code=303)


@router.get("/audit", response_class=HTMLResponse, summary="The audit trail")
async def audit(
    request: Request,
    web: WebDep,
    pages: PagesDep,
    lang: LangDep,
    session: SessionDep,
    complaint_id: Annotated[str, Query(max_length=64)] = "",
    subject: Annotated[str, Query(max_length=200)] = "",
    after_seq: Annotated[int, Query(ge=0)] = 0,
) -> HTMLResponse:
    """Who read or did what, when, in chain order (intake lets administrators read it)."""
    if session is None:
        return _sign_in_page(request, web, pages, lang)
    params: list[tuple[str, str]] = [("after_seq", str(after_seq)), ("limit", "100")]
    if complaint_id:
        params.append(("complaint_id", complaint_id))
    if subject:
        params.append(("subject", subject))
    try:
        page = await web.intake.audit(session.access_token, params, lang)
    except (ApiProblem, ServiceUnavailable) as failure:
        return _api_failure(request, web, pages, lang, session, failure)
    entries = page.get("entries", [])
    return _page(
        request,
        pages,
        lang,
        session,
        "audit.html",
        entries=entries,
        filters={"complaint_id": complaint_id, "subject": subject},
        next_seq=entries[-1]["seq"] if len(entries) == 100 else None,
    )
