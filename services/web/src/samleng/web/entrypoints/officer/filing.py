"""Assisted filing at a desk (``/officer/filing``): a desk agent files for a citizen at a
counter, on the hotline or from the social-media desk, and prints the bilingual receipt.

The receipt is the answer to the form's POST itself (never a redirect): the tracking code
is in no URL, no history entry and no cache, and intake shows it this once.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter
from fastapi.responses import HTMLResponse, Response

from samleng.web.adapters.api import ApiProblem, ServiceUnavailable
from samleng.web.entrypoints.officer.console import Console, ConsoleDep
from samleng.web.i18n import Texts

router = APIRouter(prefix="/officer", tags=["officer"])

KINDS = ("complaint", "request_for_help", "request_for_information", "suggestion")
GENDERS = ("female", "male", "other", "undisclosed")
AGE_BANDS = ("under_18", "18_24", "25_34", "35_44", "45_59", "60_plus", "undisclosed")
FIELDS = ("kind", "category", "commune_code", "description", "sms_number", "desk")


def both(key: str, **values: Any) -> dict[str, str]:
    """A console text in both languages (the receipt is bilingual whatever the page's)."""
    return {"km": Texts("km")(key, **values), "en": Texts("en")(key, **values)}


async def _form(console: Console, status: int = 200, **context: Any) -> HTMLResponse:
    session = console.session
    assert session is not None
    return console.page(
        "filing.html",
        status,
        desks=session.desks,
        kinds=KINDS,
        genders=GENDERS,
        age_bands=AGE_BANDS,
        categories=await console.category_labels(),
        values=context.pop("values", {}),
        error=context.pop("error", ""),
        **context,
    )


def _refused(console: Console) -> HTMLResponse | None:
    if console.session is None:
        return console.sign_in_page()
    if not console.session.has("desk_agent") or not console.session.desks:
        return console.page("message.html", 403, message=console.texts("desk_not_agent"))
    return None


@router.get("/filing", response_class=HTMLResponse, summary="File for a citizen at a desk")
async def filing_form(console: ConsoleDep) -> HTMLResponse:
    """The filing form of a desk agent."""
    return _refused(console) or await _form(console)


def filing_body(form: dict[str, str], desks: tuple[str, ...]) -> dict[str, Any]:
    """What intake's desk API takes, from the posted form (empty optional fields left out)."""
    desk = form.get("desk") or (desks[0] if len(desks) == 1 else "")
    body: dict[str, Any] = {
        "kind": form.get("kind", ""),
        "category": form.get("category", ""),
        "commune_code": form.get("commune_code", "").strip(),
        "description": form.get("description", ""),
        "desk": desk or None,
        "language": form.get("language", "km"),
    }
    if form.get("conduct_here") and desk:
        # "officials of this very office": the office whose desk this is
        body["about_office_id"] = desk.partition(":")[2]
        body["about_office_conduct"] = True
    for name, key in (
        ("sms_number", "sms_number"),
        ("gender", "reporter_gender"),
        ("age_band", "reporter_age_band"),
    ):
        if form.get(name, "").strip():
            body[key] = form[name].strip()
    return body


@router.post("/filing", response_class=HTMLResponse, summary="File, then show the receipt")
async def file_for_citizen(console: ConsoleDep) -> Response:
    """Send the filing to intake; answer the printable receipt (the code shown once)."""
    refused = _refused(console)
    if refused is not None:
        return refused if console.session else console.session_over()
    session = console.session
    assert session is not None
    form = {k: str(v) for k, v in (await console.request.form()).items()}
    if not console.form_allowed(form.get("csrf", "")):
        return console.forbidden("csrf_failed")
    try:
        receipt = await console.web.intake.file_for_citizen(
            session.access_token, filing_body(form, session.desks), console.lang
        )
    except ApiProblem as problem:
        if problem.status in (400, 422):
            return await _form(console, 422, error=problem.detail, values=form)
        return console.failure(problem)
    except ServiceUnavailable as failure:
        return console.failure(failure)
    return console.page("filing_receipt.html", receipt=receipt, both=both)
