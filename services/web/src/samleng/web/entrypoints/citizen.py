"""The citizen portal: submit feedback (``/``), the receipt, follow a case (``/track``) and
confirm a contact with the code notification sent to it (``/confirm``).

Every page works without JavaScript: plain forms, pages rendered here. The tracking code
and the confirmation code are only ever in a POST body or the page itself, never in a URL,
so they cannot leak through history, referrers or proxy logs. No cookie is set.
"""

from __future__ import annotations

import uuid
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, JSONResponse, Response
from starlette.datastructures import FormData, UploadFile

from samleng.web.adapters.api import ApiProblem, ServiceUnavailable, Upload
from samleng.web.bootstrap import Web
from samleng.web.domain import submission
from samleng.web.domain.codes import compact
from samleng.web.entrypoints.deps import LangDep, PagesDep, WebDep
from samleng.web.entrypoints.pages import Pages
from samleng.web.entrypoints.security import posted_from_here
from samleng.web.i18n import Lang, Texts

router = APIRouter(tags=["citizen"])

MAX_UPLOAD_BYTES = 5 * 1024 * 1024
MAX_FORM_BYTES = 30 * 1024 * 1024
#: Citizen actions: the view's action name -> (intake's path, what the form sends).
ACTIONS = {
    "answer": "answers",
    "add_information": "information",
    "attach": "attachments",
    "confirm": "confirmation",
    "reopen": "reopening",
    "appeal": "reopening",
    "rate": "rating",
    "withdraw": "withdrawal",
}


async def read_form(request: Request) -> FormData:
    """The posted form; files are spooled to disk by Starlette above 1 MB."""
    return await request.form(max_files=submission.MAX_FILES + 1, max_fields=60)


def _values(form: FormData) -> dict[str, str]:
    return {key: value for key, value in form.multi_items() if isinstance(value, str)}


def _files(form: FormData, name: str) -> list[UploadFile]:
    return [f for f in form.getlist(name) if isinstance(f, UploadFile) and f.filename]


async def _uploads(files: list[UploadFile]) -> list[Upload]:
    uploads = []
    for file in files:
        data = await file.read(MAX_UPLOAD_BYTES + 1)
        uploads.append(Upload(file.filename or "file", file.content_type or "", data))
    return uploads


def _problem_message(problem: ApiProblem, texts: Texts) -> str:
    if problem.status == 429:
        return texts("busy")
    if problem.status == 413:
        return texts("too_large")
    return problem.detail


async def _reference(web: Web, values: dict[str, str]) -> dict[str, Any]:
    """Categories, services and the place lists the form's current choices open."""
    places = submission.place_codes(values)
    lists: dict[str, list[dict[str, Any]]] = {"province": await web.intake.places()}
    for level, parent in (
        ("district", "province"),
        ("commune", "district"),
        ("village", "commune"),
    ):
        code = places[parent]
        lists[level] = await web.intake.places(code) if code else []
    return {
        "categories": await web.intake.categories(),
        "services": await web.intake.services(),
        "places": lists,
        "chosen": places,
    }


async def submit_page(
    request: Request,
    web: Web,
    pages: Pages,
    lang: Lang,
    values: dict[str, str] | None = None,
    errors: dict[str, str] | None = None,
    message: str = "",
    status_code: int = 200,
) -> HTMLResponse:
    """The submit form, filled with what the citizen chose so far."""
    values = dict(values or {})
    if not values.get("idempotency_key"):
        values["idempotency_key"] = str(uuid.uuid4())
    try:
        reference = await _reference(web, values)
    except (ServiceUnavailable, ApiProblem):
        return pages.render(request, "citizen/unavailable.html", lang=lang, status_code=503)
    return pages.render(
        request,
        "citizen/submit.html",
        lang=lang,
        status_code=status_code,
        values=values,
        errors=errors or {},
        message=message,
        kinds=submission.KINDS,
        genders=submission.GENDERS,
        age_bands=submission.AGE_BANDS,
        about_offices=tuple(submission.ABOUT_OFFICES),
        max_files=submission.MAX_FILES,
        **reference,
    )


@router.get("/", response_class=HTMLResponse, summary="The submit form")
@router.get("/submit", response_class=HTMLResponse, include_in_schema=False)
async def home(request: Request, web: WebDep, pages: PagesDep, lang: LangDep) -> HTMLResponse:
    """Give feedback: kind, category, service, place, description, photos, contact."""
    return await submit_page(request, web, pages, lang)


@router.get("/places.json", summary="Places inside a province, district or commune")
async def places(web: WebDep, parent: str = "") -> Response:
    """The place list for the form's pickers (public reference data, cacheable)."""
    if parent and not (parent.isdigit() and len(parent) in (2, 4, 6)):
        return JSONResponse({"places": []}, status_code=400)
    try:
        found = await web.intake.places(parent or None)
    except (ServiceUnavailable, ApiProblem):
        return JSONResponse({"places": []}, status_code=503)
    return JSONResponse(
        {"places": [{"code": p["code"], "name": p["name"]} for p in found]},
        headers={"Cache-Control": "public, max-age=86400"},
    )


def _refused(request: Request, pages: Pages, lang: Lang) -> HTMLResponse:
    return pages.render(
        request,
        "citizen/message.html",
        lang=lang,
        status_code=403,
        message=Texts(lang)("bad_origin"),
    )


@router.post("/submit", response_class=HTMLResponse, summary="Send feedback to intake")
async def submit(request: Request, web: WebDep, pages: PagesDep, lang: LangDep) -> HTMLResponse:
    """Check the form, submit to intake with the form's Idempotency-Key, attach the files."""
    texts = Texts(lang)
    if not posted_from_here(request, web.settings.public_url):
        return _refused(request, pages, lang)
    if int(request.headers.get("content-length") or 0) > MAX_FORM_BYTES:
        return await submit_page(
            request, web, pages, lang, errors={"photos": "too_many_files"}, status_code=413
        )
    form = await read_form(request)
    values = _values(form)
    if "refresh" in values:  # "show the next list" without JavaScript: nothing is sent
        return await submit_page(request, web, pages, lang, values)

    async def again(errors: dict[str, str], message: str, status: int) -> HTMLResponse:
        return await submit_page(request, web, pages, lang, values, errors, message, status)

    draft = submission.read_submission(values)
    files = _files(form, "photos")
    errors = dict(draft.errors)
    if len(files) > submission.MAX_FILES:
        errors["photos"] = "too_many_files"
    if errors:
        return await again(errors, texts("errors_summary"), 422)
    try:
        key = str(uuid.UUID(values.get("idempotency_key", "")))
    except ValueError:
        key = str(uuid.uuid4())
    try:
        accepted = await web.intake.submit(draft.body, key, lang)
    except ServiceUnavailable:
        return await again({}, texts("intake_down"), 503)
    except ApiProblem as problem:
        field_errors = {
            submission.form_field(e["field"]): (
                problem.detail if len(problem.errors) == 1 or lang == "km" else e["message"]
            )
            for e in problem.errors
        }
        return await again(field_errors, _problem_message(problem, texts), problem.status)
    code = str(accepted["tracking_code"])
    refused = await _attach_all(web, code, await _uploads(files), lang)
    return pages.render(
        request,
        "citizen/receipt.html",
        lang=lang,
        code=code,
        refused=refused,
    )


async def _attach_all(web: Web, code: str, uploads: list[Upload], lang: Lang) -> list[str]:
    """Attach the files once (a retried submission finds them attached); what was refused."""
    if not uploads:
        return []
    texts = Texts(lang)
    try:
        if (await web.intake.case(code, lang)).get("attachments", 0) > 0:
            return []
    except (ApiProblem, ServiceUnavailable):
        return [texts("files_not_sent")]
    refused = []
    for upload in uploads:
        try:
            await web.intake.attach(code, upload, lang)
        except ApiProblem as problem:
            refused.append(texts("file_refused", name=upload.filename, why=problem.detail))
        except ServiceUnavailable:
            refused.append(texts("files_not_sent"))
            break
    return refused


@router.get("/track", response_class=HTMLResponse, summary="Enter a tracking code")
@router.get("/track/{action}", response_class=HTMLResponse, include_in_schema=False)
async def track_form(request: Request, pages: PagesDep, lang: LangDep) -> HTMLResponse:
    """The form where a citizen types their code (it is POSTed, never put in the URL)."""
    return pages.render(request, "citizen/track.html", lang=lang, error="")


async def _case_page(
    request: Request,
    web: Web,
    pages: Pages,
    lang: Lang,
    code: str,
    *,
    notice: str = "",
    error: str = "",
    status_code: int = 200,
    view: dict[str, Any] | None = None,
) -> HTMLResponse:
    texts = Texts(lang)
    if view is None:
        try:
            view = await web.intake.case(code, lang)
        except ApiProblem as problem:
            message = _problem_message(problem, texts)
            return pages.render(
                request,
                "citizen/track.html",
                lang=lang,
                error=message,
                status_code=problem.status,
            )
        except ServiceUnavailable:
            return pages.render(
                request,
                "citizen/track.html",
                lang=lang,
                error=texts("intake_down"),
                status_code=503,
            )
    return pages.render(
        request,
        "citizen/case.html",
        lang=lang,
        status_code=status_code,
        code=code,
        case=view,
        notice=notice,
        error=error,
    )


@router.post("/track", response_class=HTMLResponse, summary="Show a case by its tracking code")
async def track(request: Request, web: WebDep, pages: PagesDep, lang: LangDep) -> HTMLResponse:
    """Status, office, timeline and what the citizen can do now."""
    if not posted_from_here(request, web.settings.public_url):
        return _refused(request, pages, lang)
    values = _values(await read_form(request))
    code = compact(values.get("code", ""))
    if code is None:
        return pages.render(
            request,
            "citizen/track.html",
            lang=lang,
            error=Texts(lang)("code_hint"),
            status_code=400,
        )
    return await _case_page(request, web, pages, lang, code)


def _action_body(action: str, values: dict[str, str]) -> dict[str, Any] | None:
    if action == "answer":
        return {"question_id": values.get("question_id", ""), "text": values.get("text", "")}
    if action == "add_information":
        return {"text": values.get("text", "")}
    if action in ("reopen", "appeal"):
        return {"appeal": action == "appeal"}
    if action == "rate":
        rating = values.get("rating", "")
        return {"rating": int(rating) if rating.isdigit() else 0}
    return None


@router.post("/track/{action}", response_class=HTMLResponse, summary="Act on a case by code")
async def act(
    action: str, request: Request, web: WebDep, pages: PagesDep, lang: LangDep
) -> HTMLResponse:
    """Answer, add information, attach, confirm, reopen, appeal, rate or withdraw."""
    texts = Texts(lang)
    if action not in ACTIONS:
        return pages.render(
            request, "error.html", lang=lang, status_code=404, key="not_found_title"
        )
    if not posted_from_here(request, web.settings.public_url):
        return _refused(request, pages, lang)
    form = await read_form(request)
    values = _values(form)
    code = compact(values.get("code", ""))
    if code is None:
        return pages.render(
            request, "citizen/track.html", lang=lang, error=texts("code_hint"), status_code=400
        )
    try:
        if action == "attach":
            files = _files(form, "file")
            if not files:
                return await _case_page(
                    request, web, pages, lang, code, error=texts("required"), status_code=422
                )
            (upload,) = await _uploads(files[:1])
            view = await web.intake.attach(code, upload, lang)
        else:
            body = _action_body(action, values)
            view = await web.intake.citizen_act(code, ACTIONS[action], body, lang)
    except ApiProblem as problem:
        return await _case_page(
            request,
            web,
            pages,
            lang,
            code,
            error=_problem_message(problem, texts),
            status_code=problem.status,
        )
    except ServiceUnavailable:
        return await _case_page(
            request, web, pages, lang, code, error=texts("intake_down"), status_code=503
        )
    return await _case_page(request, web, pages, lang, code, notice=texts("action_done"), view=view)


#: Longer than any way of typing a confirmation code (notification refuses more).
MAX_CONFIRMATION_CODE = 40


@router.get("/confirm", response_class=HTMLResponse, summary="Enter a confirmation code")
async def confirm_form(request: Request, pages: PagesDep, lang: LangDep) -> HTMLResponse:
    """Where the first message to a contact sends its holder (the link carries no code)."""
    return pages.render(request, "citizen/confirm.html", lang=lang, error="", done=False)


@router.post("/confirm", response_class=HTMLResponse, summary="Confirm a contact by its code")
async def confirm_contact(
    request: Request, web: WebDep, pages: PagesDep, lang: LangDep
) -> HTMLResponse:
    """Post the code to notification; news of the case then reaches this contact."""
    if not posted_from_here(request, web.settings.public_url):
        return _refused(request, pages, lang)
    texts = Texts(lang)
    code = _values(await read_form(request)).get("code", "").strip()
    error, status_code = "", 200
    if not code or len(code) > MAX_CONFIRMATION_CODE:
        error, status_code = texts("contact_hint"), 400
    else:
        try:
            await web.notification.confirm_contact(code, lang)
        except ApiProblem as problem:
            status_code = problem.status
            error = {404: texts("contact_unknown"), 422: texts("contact_hint")}.get(
                problem.status, _problem_message(problem, texts)
            )
        except ServiceUnavailable:
            error, status_code = texts("notification_down"), 503
    return pages.render(
        request,
        "citizen/confirm.html",
        lang=lang,
        error=error,
        done=not error,
        status_code=status_code,
    )


@router.get("/leave", response_class=HTMLResponse, summary="Leave quickly")
async def leave(request: Request, pages: PagesDep) -> HTMLResponse:
    """A neutral empty page; the browser forgets this site's cache, storage and queue."""
    response = pages.render(request, "leave.html", lang="km")
    response.headers["Clear-Site-Data"] = '"cache", "storage"'
    return response
