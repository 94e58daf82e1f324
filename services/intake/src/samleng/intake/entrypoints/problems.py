"""Intake's one problem: ``samleng.common.http.Problem`` in the requester's language.

Every error intake answers is RFC 9457 problem+json whose ``detail`` is in the language
of ``Accept-Language`` (Khmer unless English is asked for), with both languages beside it
in ``detail_en`` / ``detail_km`` so a client can show both. A route raises one with
:func:`problem`, or runs its use case inside :func:`refusals`, which maps every refusal
of the citizen and officer use cases (and of the domain) to the problem that says what to
do. Problems raised by ``samleng.common`` (officer sign-in) that carry ``detail_km`` are
answered in the requester's language too.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from http import HTTPStatus
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.responses import Response

from samleng.common.http import Problem, problem_response, validation_errors
from samleng.common.i18n import language_of
from samleng.intake.adapters.attachments import UnacceptableFile
from samleng.intake.adapters.inbox import InvalidCursor
from samleng.intake.citizen.handlers import CaseNotFound, LookupsExhausted
from samleng.intake.domain.citizen import ActionRefused
from samleng.intake.domain.tracking import InvalidTrackingCode
from samleng.intake.entrypoints.forms import InvalidSubmission
from samleng.intake.officer.handlers import CaseNotVisible, NotPermitted, VersionConflict
from samleng.intake.ports import StaleCase


def language(accept_language: str | None) -> str:
    """The language the client prefers (q-values honoured), Khmer unless it prefers English."""
    return language_of(accept_language)


def request_language(request: Request) -> str:
    """The language a request asked for."""
    return language(request.headers.get("accept-language"))


def problem(
    status: int,
    slug: str,
    *,
    en: str,
    km: str,
    title: str | None = None,
    headers: dict[str, str] | None = None,
    **extensions: Any,
) -> Problem:
    """A problem whose detail is given in English and Khmer."""
    return Problem(
        status, slug, en, title=title, headers=headers, detail_en=en, detail_km=km, **extensions
    )


def too_many(retry_after: int) -> Problem:
    """429 telling the caller when to try again."""
    return problem(
        429,
        "too-many-requests",
        en=f"Too many requests reach Samleng right now. Try again in {retry_after} seconds.",
        km=f"មានសំណើច្រើនពេកនៅពេលនេះ។ សូមព្យាយាមម្តងទៀតក្នុងរយៈពេល {retry_after} វិនាទី។",
        headers={"Retry-After": str(retry_after)},
    )


#: Refusals caused by the case's state (try something else), not by what was sent.
STATE_CONFLICTS = frozenset(
    {"illegal-transition", "already-acknowledged", "case-not-open", "cannot-reopen"}
)


@contextlib.contextmanager
def refusals(*, officer: bool = False) -> Iterator[None]:
    """Map the use cases' and the domain's refusals to problems that say what to do.

    A citizen's refused action is always a conflict (409); an officer's is 422 when what
    they sent must change, 409 when the case's state refuses it.
    """
    try:
        yield
    except ActionRefused as exc:
        status = 422 if officer and exc.slug not in STATE_CONFLICTS else 409
        raise problem(status, exc.slug, en=exc.en, km=exc.km) from None
    except Exception as exc:
        mapped = _problem_for(exc)
        if mapped is None:
            raise
        raise mapped from None


def _problem_for(exc: Exception) -> Problem | None:
    if isinstance(exc, InvalidTrackingCode):
        return problem(
            400,
            "invalid-tracking-code",
            en=f"{exc}. Check the code and try again.",
            km="លេខកូដតាមដានមិនត្រឹមត្រូវ (តួអក្សរខុស ឬខ្វះ)។ សូមពិនិត្យលេខកូដ ហើយព្យាយាមម្តងទៀត។",
        )
    if isinstance(exc, CaseNotFound):
        return problem(
            404,
            "case-not-found",
            en="No case has this tracking code. Check the code.",
            km="គ្មានករណីណាមានលេខកូដតាមដាននេះទេ។ សូមពិនិត្យលេខកូដ។",
        )
    if isinstance(exc, CaseNotVisible):
        return problem(
            404,
            "case-not-found",
            en="No case with this id among the cases of your offices. Check the id.",
            km="គ្មានករណីដែលមានលេខសម្គាល់នេះ ក្នុងករណីនៃការិយាល័យរបស់អ្នកទេ។ សូមពិនិត្យលេខសម្គាល់។",
        )
    if isinstance(exc, LookupsExhausted):
        return too_many(exc.retry_after)
    if isinstance(exc, NotPermitted):
        return problem(
            403,
            "not-permitted",
            en=f"Not allowed: {exc}.",
            km="មិនអនុញ្ញាត៖ តួនាទីរបស់អ្នកមិនអាចធ្វើសកម្មភាពនេះបានទេ។",
        )
    if isinstance(exc, VersionConflict):
        return problem(
            409,
            "version-conflict",
            en=f"Someone changed the case since you read it ({exc}). "
            "Read it again, check what changed, then act on the new version.",
            km=f"មាននរណាម្នាក់បានកែប្រែករណីនេះ បន្ទាប់ពីអ្នកបានអាន (កំណែបច្ចុប្បន្ន {exc.current})។ "
            "សូមអានម្តងទៀត រួចធ្វើសកម្មភាពលើកំណែថ្មី។",
            current_version=exc.current,
        )
    if isinstance(exc, StaleCase):
        return problem(
            409,
            "case-busy",
            en="The case changed while you acted on it; try again.",
            km="ករណីបានផ្លាស់ប្តូរខណៈពេលអ្នកកំពុងធ្វើសកម្មភាព សូមព្យាយាមម្តងទៀត។",
        )
    if isinstance(exc, InvalidSubmission):
        return problem(
            422,
            "invalid-submission",
            en=exc.en,
            km=exc.km,
            title="Invalid submission",
            errors=[{"field": exc.field, "message": exc.en}],
        )
    if isinstance(exc, UnacceptableFile):
        return problem(
            415,
            "unacceptable-file",
            en=f"The file was refused: {exc}.",
            km="ឯកសារត្រូវបានបដិសេធ៖ ទទួលយកតែរូបថត JPEG, PNG, WebP ឬឯកសារ PDF ប៉ុណ្ណោះ។",
        )
    if isinstance(exc, InvalidCursor):
        return problem(
            400,
            "invalid-cursor",
            en="The cursor is not one this API gave; use next_cursor from the last page.",
            km="cursor មិនត្រឹមត្រូវ សូមប្រើ next_cursor ពីទំព័រមុន។",
        )
    return None


_DOCUMENTED = {
    400: "The tracking code or cursor is malformed (a tracking code's check character "
    "catches typing mistakes)",
    401: "No token, or the token is expired, for another audience or badly signed",
    403: "Your role does not allow this (the problem says who may)",
    404: "No such case (among the cases you may see)",
    409: "The case changed since you read it, or its status does not allow this now",
    413: "The request is too large",
    415: "Not an accepted file type",
    422: "A field is invalid; the problem names it",
    428: "Send the case version you read (body 'version' or If-Match)",
    429: "Too many requests; see Retry-After",
}


def documented(*codes: int) -> dict[int | str, dict[str, Any]]:
    """OpenAPI documentation of the problems an operation can answer."""
    return {
        code: {"description": _DOCUMENTED[code], "content": {"application/problem+json": {}}}
        for code in codes
    }


def _in_language(found: Problem, request: Request) -> Response:
    km = found.extensions.get("detail_km")
    if km is None:
        return problem_response(found, request)
    lang = request_language(request)
    en = str(found.extensions.get("detail_en", found.detail))
    answer = Problem(
        found.status,
        found.slug,
        str(km) if lang == "km" else en,
        title=found.title,
        headers=found.headers,
        **{**found.extensions, "detail_en": en, "detail_km": km},
    )
    response = problem_response(answer, request)
    response.headers["Content-Language"] = lang
    return response


def install_localised_problems(app: FastAPI) -> None:
    """Answer problems, validation errors and FastAPI's own errors in the requester's
    language (replacing the shared handlers of the same errors)."""

    async def on_problem(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, Problem)
        return _in_language(exc, request)

    async def on_validation(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, RequestValidationError)
        errors, fields = validation_errors(exc)
        invalid = problem(
            422,
            "validation-error",
            en=f"The request is not valid; fix these fields: {fields}.",
            km=f"សំណើមិនត្រឹមត្រូវ សូមកែតម្រូវវាលទាំងនេះ៖ {fields}។",
            title="Invalid request",
            errors=errors,
        )
        return _in_language(invalid, request)

    async def on_http(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, StarletteHTTPException)
        en, km = _HTTP_TEXTS.get(exc.status_code, (str(exc.detail), str(exc.detail)))
        found = problem(
            exc.status_code,
            HTTPStatus(exc.status_code).phrase.lower().replace(" ", "-"),
            en=en,
            km=km,
            headers=dict(exc.headers or {}),
        )
        return _in_language(found, request)

    app.add_exception_handler(Problem, on_problem)
    app.add_exception_handler(RequestValidationError, on_validation)
    app.add_exception_handler(StarletteHTTPException, on_http)


_HTTP_TEXTS = {
    404: (
        "There is nothing at this address; check the URL against the API documentation.",
        "គ្មានអ្វីនៅអាសយដ្ឋាននេះទេ សូមពិនិត្យ URL ជាមួយឯកសារ API។",
    ),
    405: (
        "This address does not accept this method; see the API documentation.",
        "អាសយដ្ឋាននេះមិនទទួលវិធីសាស្ត្រនេះទេ សូមមើលឯកសារ API។",
    ),
}
