"""HTTP edge shared by every service: RFC 9457 problems, health probes, privacy-safe logs.

app = FastAPI(lifespan=...)
install_problem_handlers(app)
app.include_router(health_router(runtime.readiness))
app.add_middleware(RouteLogMiddleware)
app.add_middleware(SecurityHeaders, hsts=production)   # nosniff, no-store, CSP on HTML

``health_router`` also serves ``/metrics`` (Prometheus text) and ``RouteLogMiddleware``
opens the server span of each request and counts it; both use the metrics that
``ServiceRuntime.lifespan`` puts on ``app.state.samleng_metrics``.
"""

from __future__ import annotations

import logging
import re
import time
from collections.abc import Awaitable, Callable
from http import HTTPStatus
from typing import Any

from fastapi import APIRouter, FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.openapi.utils import get_openapi
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field
from pymongo.errors import ConnectionFailure
from starlette.datastructures import MutableHeaders
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.responses import Response
from starlette.routing import Match
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from samleng.common import telemetry
from samleng.common.health import DependencyUnavailable, transient_dependency
from samleng.common.metrics import CONTENT_TYPE, ServiceMetrics

PROBLEM_JSON = "application/problem+json"
PROBLEM_TYPE_BASE = "https://samleng.org/problems/"
#: Where the admin routes live in every service (behind ``samleng.common.guards.AdminGate``).
ADMIN_PREFIX = "/v1/admin"
#: Probe and scrape routes: neither logged, traced nor counted.
UNOBSERVED_ROUTES = frozenset({"/healthz", "/readyz", "/metrics"})
#: What a 503 asks the caller to wait while MongoDB or the broker cannot be reached.
RETRY_AFTER_UNAVAILABLE_SECONDS = 5

log = logging.getLogger("samleng.http")


class ProblemDetails(BaseModel):
    """RFC 9457 problem details, as every Samleng error answers (``application/problem+json``)."""

    type: str = Field(examples=[PROBLEM_TYPE_BASE + "validation-error"])
    title: str
    status: int = Field(ge=400, le=599)
    detail: str = Field(description="What went wrong and what to change to succeed.")
    instance: str = Field(description="The route template that answered (never the path).")
    errors: list[dict[str, str]] | None = Field(
        default=None, description="For invalid requests: each field, where it is and what is wrong."
    )


class Problem(Exception):
    """An error to answer as RFC 9457 problem JSON; ``detail`` tells the caller what to fix."""

    def __init__(
        self,
        status: int,
        slug: str,
        detail: str,
        *,
        title: str | None = None,
        headers: dict[str, str] | None = None,
        **extensions: Any,
    ) -> None:
        super().__init__(detail)
        self.status = status
        self.slug = slug
        self.detail = detail
        self.title = title or HTTPStatus(status).phrase
        self.headers = dict(headers or {})
        self.extensions = extensions

    def body(self, instance: str) -> dict[str, Any]:
        """The problem document."""
        return {
            "type": PROBLEM_TYPE_BASE + self.slug,
            "title": self.title,
            "status": self.status,
            "detail": self.detail,
            "instance": instance,
            **self.extensions,
        }


def problem_response(problem: Problem, request: Request) -> JSONResponse:
    """Render a Problem with the problem+json media type."""
    headers = dict(problem.headers or {})
    if problem.status == 405:  # every method of the path, not only its first route's
        headers["Allow"] = _allowed_methods(request) or headers.get("Allow", "")
    return JSONResponse(
        problem.body(_route_template(request)),
        status_code=problem.status,
        media_type=PROBLEM_JSON,
        headers=headers or None,
    )


def validation_errors(exc: RequestValidationError) -> tuple[list[dict[str, str]], str]:
    """Each invalid field (name, where, what is wrong) and the first five names, joined."""
    errors = [
        {
            "field": ".".join(str(p) for p in err.get("loc", ()) if p != "body") or "body",
            "location": str(err.get("loc", ("body",))[0]),
            "message": err.get("msg", "invalid"),
        }
        for err in exc.errors()
    ]
    return errors, ", ".join(e["field"] for e in errors[:5])


def install_problem_handlers(app: FastAPI) -> None:
    """Answer every error, including FastAPI's own, as problem+json."""

    async def on_problem(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, Problem)
        return problem_response(exc, request)

    async def on_validation(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, RequestValidationError)
        errors, fields = validation_errors(exc)
        problem = Problem(
            422,
            "validation-error",
            f"The request is not valid; fix these fields: {fields}.",
            title="Invalid request",
            errors=errors,
        )
        return problem_response(problem, request)

    async def on_http(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, StarletteHTTPException)
        slug = HTTPStatus(exc.status_code).phrase.lower().replace(" ", "-")
        # keep what the exception says about the response (Allow on 405, WWW-Authenticate)
        problem = Problem(exc.status_code, slug, str(exc.detail), headers=dict(exc.headers or {}))
        return problem_response(problem, request)

    async def on_unavailable(request: Request, exc: Exception) -> Response:
        dependency = transient_dependency(exc) or "a dependency"
        log.warning(
            "dependency unavailable",
            extra={"route": _route_template(request), "dependency": dependency},
        )
        problem = Problem(
            503,
            "service-unavailable",
            "We cannot store or read cases right now; nothing you sent was kept. "
            "Try again in a few seconds.",
            headers={"Retry-After": str(RETRY_AFTER_UNAVAILABLE_SECONDS)},
        )
        return problem_response(problem, request)

    async def on_unexpected(request: Request, exc: Exception) -> Response:
        if transient_dependency(exc) is not None:
            return await on_unavailable(request, exc)
        log.exception("unhandled error", extra={"route": _route_template(request)})
        problem = Problem(
            500,
            "internal-error",
            "Something went wrong on our side; nothing you sent was lost. Try again later.",
        )
        return problem_response(problem, request)

    app.add_exception_handler(Problem, on_problem)
    app.add_exception_handler(RequestValidationError, on_validation)
    app.add_exception_handler(StarletteHTTPException, on_http)
    for unavailable in (ConnectionFailure, DependencyUnavailable):
        app.add_exception_handler(unavailable, on_unavailable)
    app.add_exception_handler(Exception, on_unexpected)


Readiness = Callable[[], Awaitable[dict[str, bool]]]


def health_router(readiness: Readiness) -> APIRouter:
    """``/healthz`` (alive), ``/readyz`` (connections up) and ``/metrics`` (Prometheus)."""
    router = APIRouter(tags=["health"])

    @router.get("/healthz", summary="Liveness: the process answers")
    async def healthz() -> dict[str, str]:
        return {"status": "ok"}

    @router.get(
        "/readyz",
        summary="Readiness: broker and database connections are up",
        responses={
            503: {
                "description": "Not ready: a connection is down (see checks)",
                "content": {"application/json": {"schema": {"type": "object"}}},
            }
        },
    )
    async def readyz() -> JSONResponse:
        checks = await readiness()
        ready = all(checks.values())
        return JSONResponse(
            {"status": "ready" if ready else "not-ready", "checks": checks},
            status_code=200 if ready else 503,
        )

    @router.get("/metrics", summary="Prometheus metrics of this service", include_in_schema=False)
    async def metrics(request: Request) -> Response:
        found = _metrics_of(request)
        body = found.exposition() if found is not None else b""
        return Response(body, media_type=CONTENT_TYPE)

    return router


def _metrics_of(request: Request) -> ServiceMetrics | None:
    found = getattr(request.app.state, "samleng_metrics", None)
    return found if isinstance(found, ServiceMetrics) else None


class RouteLogMiddleware:
    """Traces, counts and logs each request by route template; never the path, IP or agent.

    A pure ASGI middleware (no per-request task or body streaming through a queue, as
    Starlette's ``BaseHTTPMiddleware`` would add).
    """

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Time the request in a server span, count it and log one line about it."""
        if scope["type"] != "http" or scope.get("path") in UNOBSERVED_ROUTES:
            await self.app(scope, receive, send)
            return
        request = Request(scope)
        method = request.method
        metrics = _metrics_of(request)
        started = time.perf_counter()
        status = 500  # what the client gets if the app fails before it answers

        async def send_observed(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = int(message["status"])
            await send(message)

        with telemetry.span(
            metrics.service if metrics is not None else "http",
            f"HTTP {method}",
            kind=telemetry.SpanKind.SERVER,
            # a new trace per request: a client's traceparent/tracestate could carry a
            # device id into every log line and service that handles the complaint
            parent=None,
            attributes={"http.request.method": method},
        ) as current:
            try:
                await self.app(scope, receive, send_observed)
            finally:
                route = _route_template(request)
                elapsed = time.perf_counter() - started
                with telemetry.guarded("http-observe"):
                    if current is not None:
                        current.update_name(f"{method} {route}")
                        current.set_attribute("http.route", route)
                        current.set_attribute("http.response.status_code", status)
                    if metrics is not None:
                        labels = {"method": method, "route": route}
                        metrics.http_requests.labels(status=str(status), **labels).inc()
                        metrics.http_duration.labels(**labels).observe(elapsed)
                log.info(
                    "request",
                    extra={
                        "method": method,
                        "route": route,
                        "status": status,
                        "duration_ms": round(elapsed * 1000, 1),
                    },
                )


#: The content security policy of HTML that a service (not the web front end) serves:
#: nothing from another origin, no framing, no plugins, forms only back to us.
HTML_CSP = (
    "default-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; "
    "object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
)
#: FastAPI's own API explorer pages load Swagger UI and ReDoc from their CDN.
_EXPLORER_ROUTES = frozenset({"/docs", "/redoc", "/docs/oauth2-redirect"})


class SecurityHeaders:
    """Headers every response carries, and what HTML and case-bearing responses add.

    - ``X-Content-Type-Options: nosniff`` and ``Referrer-Policy: no-referrer`` everywhere;
    - ``Cache-Control: no-store`` unless the route chose its own caching (public open
      data may), so no proxy or shared phone keeps a case;
    - on HTML, a strict ``Content-Security-Policy`` with ``frame-ancestors 'none'``;
    - ``Strict-Transport-Security`` when ``hsts`` (production, behind TLS).
    """

    def __init__(self, app: ASGIApp, *, hsts: bool = False) -> None:
        self.app = app
        self.hsts = hsts

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Add the headers to the response start."""
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        explorer = scope.get("path") in _EXPLORER_ROUTES

        async def send_secured(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                headers.setdefault("X-Content-Type-Options", "nosniff")
                headers.setdefault("Referrer-Policy", "no-referrer")
                headers.setdefault("Cache-Control", "no-store")
                if headers.get("content-type", "").startswith("text/html") and not explorer:
                    headers.setdefault("Content-Security-Policy", HTML_CSP)
                    headers.setdefault("X-Frame-Options", "DENY")
                if self.hsts:
                    headers.setdefault(
                        "Strict-Transport-Security", "max-age=31536000; includeSubDomains"
                    )
            await send(message)

        await self.app(scope, receive, send_secured)


def _route_template(request: Request) -> str:
    route = request.scope.get("route")
    if route is not None and hasattr(route, "path"):
        return str(route.path)
    for candidate in request.app.router.routes:
        match, _ = candidate.matches(request.scope)
        if match is Match.FULL and hasattr(candidate, "path"):
            return str(candidate.path)
    return "(unmatched)"


def describe_problems_in_openapi(app: FastAPI) -> None:
    """Make ``app``'s OpenAPI document say what the service really answers on errors.

    FastAPI declares its own ``HTTPValidationError`` (``application/json``) for 422; every
    Samleng error is ``application/problem+json`` with :class:`ProblemDetails`. The
    document is rewritten once, when it is first asked for.
    """

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is not None:
            return app.openapi_schema
        schema = get_openapi(
            title=app.title,
            version=app.version,
            summary=app.summary,
            description=app.description,
            routes=app.routes,
        )
        components = schema.setdefault("components", {}).setdefault("schemas", {})
        for unused in ("HTTPValidationError", "ValidationError"):
            components.pop(unused, None)
        components["ProblemDetails"] = ProblemDetails.model_json_schema(
            ref_template="#/components/schemas/{model}"
        )
        problem = {"schema": {"$ref": "#/components/schemas/ProblemDetails"}}
        for template, path in schema.get("paths", {}).items():
            for operation in path.values():
                responses = operation.setdefault("responses", {})
                for status, description in _errors_of(template, operation):
                    responses.setdefault(status, {"description": description})
                for status, response in responses.items():
                    if (status.startswith(("4", "5")) or status == "default") and _fastapis(
                        response
                    ):
                        response["content"] = {PROBLEM_JSON: problem}
                if "422" in responses:
                    responses["422"]["description"] = "The request is not valid"
        app.openapi_schema = schema
        return schema

    app.openapi = openapi  # type: ignore[method-assign]


_METHODS = {"get", "put", "post", "delete", "options", "head", "patch", "trace"}


def _allowed_methods(request: Request) -> str:
    """The methods the app's OpenAPI document gives for this request's path (FastAPI's
    405 names only the first route that matched the path)."""
    path, methods = request.scope.get("path", ""), set[str]()
    for template, item in request.app.openapi().get("paths", {}).items():
        pattern = "[^/]+".join(re.escape(part) for part in re.split(r"\{[^}]+\}", template))
        if re.fullmatch(pattern, path):
            methods |= {method.upper() for method in item if method in _METHODS}
    return ", ".join(sorted(methods))


def _fastapis(response: dict[str, Any]) -> bool:
    """True when an error response's content is FastAPI's default, not one a route declared
    itself (Open311 declares its own error list)."""
    content = response.get("content")
    if not content or not content.get(PROBLEM_JSON, {"schema": 1}).get("schema"):
        return True
    if set(content) != {"application/json"}:
        return False
    declared = content["application/json"].get("schema", {})
    return not declared or "HTTPValidationError" in str(declared.get("$ref", ""))


def _errors_of(template: str, operation: dict[str, Any]) -> list[tuple[str, str]]:
    """The error answers every route of this shape can give, documented for all of them:
    bad input (400/422), an unknown path parameter (404), and for a route behind a token
    (an officer's OIDC token, or an admin token header) 401, 403 and 503."""
    parameters = operation.get("parameters", [])
    errors: list[tuple[str, str]] = []
    if parameters or "requestBody" in operation:
        errors += [
            ("400", "The request is not valid: the problem says what to fix"),
            ("422", "The request is not valid"),
        ]
    if "{" in template:
        errors.append(("404", "Nothing is found at this path"))
    signed = (
        template.startswith(ADMIN_PREFIX + "/")
        or "security" in operation
        or any(
            p.get("in") == "header" and p.get("name", "").lower() == "authorization"
            for p in parameters
        )
    )
    if signed:
        errors += [
            ("401", "Sign in: no valid token was sent"),
            ("403", "The token does not allow this"),
            ("503", "Sign-in is not configured on this server"),
        ]
    return errors
