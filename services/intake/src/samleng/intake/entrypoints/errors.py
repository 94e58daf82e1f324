"""Problems in the requester's language, 429 with Retry-After, and request size limits.

Every error intake answers is RFC 9457 problem+json whose ``detail`` is in the language
of ``Accept-Language`` (Khmer unless English is asked for), with the other language
beside it in ``detail_en`` / ``detail_km`` so a client can show both.
"""

from __future__ import annotations

from http import HTTPStatus
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.responses import Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from samleng.common.http import PROBLEM_JSON, Problem, problem_response, validation_errors


def language(accept_language: str | None) -> str:
    """``en`` when the client prefers English, otherwise ``km`` (Khmer)."""
    for part in (accept_language or "").split(","):
        tag = part.split(";")[0].strip().lower()
        if tag.startswith("en"):
            return "en"
        if tag.startswith("km"):
            return "km"
    return "km"


def request_language(request: Request) -> str:
    """The language a request asked for."""
    return language(request.headers.get("accept-language"))


class LocalisedProblem(Problem):
    """A problem with its detail in English and Khmer, and optional response headers."""

    def __init__(
        self,
        status: int,
        slug: str,
        *,
        en: str,
        km: str,
        title: str | None = None,
        headers: dict[str, str] | None = None,
        **extensions: Any,
    ) -> None:
        super().__init__(status, slug, en, title=title, detail_en=en, detail_km=km, **extensions)
        self.en, self.km = en, km
        self.headers = headers or {}


def _localised_response(problem: LocalisedProblem, request: Request) -> Response:
    lang = request_language(request)
    problem.detail = problem.km if lang == "km" else problem.en
    response = problem_response(problem, request)
    response.headers.update(problem.headers)
    response.headers["Content-Language"] = lang
    return response


def too_many(retry_after: int) -> LocalisedProblem:
    """429 telling the caller when to try again."""
    return LocalisedProblem(
        429,
        "too-many-requests",
        en=f"Too many requests reach Samleng right now. Try again in {retry_after} seconds.",
        km=f"មានសំណើច្រើនពេកនៅពេលនេះ។ សូមព្យាយាមម្តងទៀតក្នុងរយៈពេល {retry_after} វិនាទី។",
        headers={"Retry-After": str(retry_after)},
    )


def install_localised_handlers(app: FastAPI) -> None:
    """Answer LocalisedProblems, and validation errors, in the requester's language."""

    async def on_localised(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, LocalisedProblem)
        return _localised_response(exc, request)

    async def on_validation(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, RequestValidationError)
        errors, fields = validation_errors(exc)
        problem = LocalisedProblem(
            422,
            "validation-error",
            en=f"The request is not valid; fix these fields: {fields}.",
            km=f"សំណើមិនត្រឹមត្រូវ សូមកែតម្រូវវាលទាំងនេះ៖ {fields}។",
            title="Invalid request",
            errors=errors,
        )
        return _localised_response(problem, request)

    async def on_http(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, StarletteHTTPException)
        en, km = _HTTP_TEXTS.get(exc.status_code, (str(exc.detail), str(exc.detail)))
        problem = LocalisedProblem(
            exc.status_code,
            HTTPStatus(exc.status_code).phrase.lower().replace(" ", "-"),
            en=en,
            km=km,
            headers=dict(exc.headers or {}),
        )
        return _localised_response(problem, request)

    app.add_exception_handler(LocalisedProblem, on_localised)
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


class BodySizeLimit:
    """Refuse request bodies over a limit with 413, whether or not they declare a length.

    Uploads (``multipart/form-data``) get the attachment limit, everything else the
    (much smaller) request limit; the body is never read past the limit.
    """

    def __init__(self, app: ASGIApp, *, max_bytes: int, max_upload_bytes: int) -> None:
        self.app = app
        self.max_bytes = max_bytes
        self.max_upload_bytes = max_upload_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Pass the request on, cutting it off past the limit."""
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = {k.decode().lower(): v.decode() for k, v in scope.get("headers", [])}
        upload = headers.get("content-type", "").startswith("multipart/form-data")
        limit = self.max_upload_bytes + 16 * 1024 if upload else self.max_bytes
        declared = headers.get("content-length", "")
        if declared.isdigit() and int(declared) > limit:
            await self._refuse(scope, receive, send, limit)
            return
        seen = 0
        refused = False

        async def limited() -> Message:
            nonlocal seen, refused
            message = await receive()
            if message["type"] == "http.request":
                seen += len(message.get("body", b""))
                if seen > limit:
                    refused = True
                    raise _TooLarge
            return message

        sent = False

        async def guarded_send(message: Message) -> None:
            nonlocal sent
            if refused:
                return  # whatever the app answers to a cut-off body, the answer is 413
            sent = True
            await send(message)

        try:
            await self.app(scope, limited, guarded_send)
        except Exception:
            if not refused:
                raise
        if refused and not sent:
            await self._refuse(scope, receive, send, limit)

    async def _refuse(self, scope: Scope, receive: Receive, send: Send, limit: int) -> None:
        lang = language(
            dict((k.decode().lower(), v.decode()) for k, v in scope.get("headers", [])).get(
                "accept-language"
            )
        )
        en = f"The request is too large; send at most {limit // 1024} KiB."
        km = f"សំណើធំពេក សូមផ្ញើយ៉ាងច្រើន {limit // 1024} KiB។"
        body = {
            "type": "https://samleng.org/problems/request-too-large",
            "title": "Content Too Large",
            "status": 413,
            "detail": km if lang == "km" else en,
            "detail_en": en,
            "detail_km": km,
            "instance": "(request)",
        }
        response = JSONResponse(body, status_code=413, media_type=PROBLEM_JSON)
        await response(scope, receive, send)


class _TooLarge(Exception):
    pass
