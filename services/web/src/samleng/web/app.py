"""The web front end: citizen portal and officer console, a client of intake's HTTP API.

    app = create_app()                      # settings from SAMLENG_* variables
    app = create_app(intake_url="http://127.0.0.1:8123", environment="test")

It holds no case data and opens no broker or database connection. ``/readyz`` is ready
when intake answers its own ``/readyz``: without intake, no page can do its job.
"""

from __future__ import annotations

import contextlib
import logging
from collections.abc import AsyncIterator
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import HTMLResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

from samleng.common import telemetry
from samleng.common.guards import BodySizeLimit
from samleng.common.http import RouteLogMiddleware, health_router
from samleng.common.metrics import ServiceMetrics
from samleng.web.adapters.api import ForwardedFor
from samleng.web.bootstrap import Web, bootstrap
from samleng.web.entrypoints import assets, citizen, officer
from samleng.web.entrypoints.citizen import MAX_FORM_BYTES
from samleng.web.entrypoints.pages import Pages
from samleng.web.entrypoints.security import CitizenCompression, SecurityHeaders
from samleng.web.i18n import Texts
from samleng.web.settings import WebSettings

log = logging.getLogger(__name__)


def create_app(settings: WebSettings | None = None, **overrides: Any) -> FastAPI:
    """The web app; ``overrides`` are settings, or parts for ``bootstrap`` (``intake=...``)."""
    parts = {key: overrides.pop(key) for key in list(overrides) if key in Web.__dataclass_fields__}
    settings = settings or WebSettings(**overrides)
    # httpx logs every request URL at INFO, and citizen calls carry the tracking code
    logging.getLogger("httpx").setLevel(logging.WARNING)
    logging.getLogger("httpcore").setLevel(logging.WARNING)
    telemetry.configure(settings)
    web = bootstrap(settings, **parts)
    metrics = ServiceMetrics(settings.service_name)

    @contextlib.asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        app.state.samleng_metrics = metrics
        log.info("service started", extra={"service": settings.service_name})
        try:
            yield
        finally:
            await web.close()
            log.info("service stopped", extra={"service": settings.service_name})

    async def readiness() -> dict[str, bool]:
        return {"intake": await web.intake.ready()}

    app = FastAPI(
        title="Samleng web",
        lifespan=lifespan,
        docs_url=None,
        redoc_url=None,
        openapi_url=None,
    )
    app.state.web = web
    app.state.pages = Pages(stats_url=f"{settings.reporting_url.rstrip('/')}/dashboard")
    app.include_router(health_router(readiness))
    app.include_router(assets.router)
    app.include_router(citizen.router)
    app.include_router(officer.router)
    app.add_middleware(RouteLogMiddleware)
    app.add_middleware(CitizenCompression)
    app.add_middleware(SecurityHeaders)
    # the submit page answers a declared oversize form itself; this cuts off the rest,
    # including bodies streamed without a length (url-encoded Khmer takes 9 bytes a letter)
    app.add_middleware(BodySizeLimit, max_bytes=256 * 1024, max_upload_bytes=2 * MAX_FORM_BYTES)
    app.add_middleware(ForwardedFor)  # outermost: intake counts each citizen, not the portal

    async def error_page(request: Request, exc: Exception) -> HTMLResponse:
        """Errors as a page in the reader's language; nothing of the request is logged."""
        if isinstance(exc, StarletteHTTPException):
            status, key = exc.status_code, "not_found_title"
        elif isinstance(exc, RequestValidationError):
            status, key = 400, "bad_request"
        else:
            log.exception("unhandled error")  # the traceback is logged without its messages
            status, key = 500, "server_error"
        lang = Texts.of(request.query_params.get("lang")).lang
        pages: Pages = request.app.state.pages
        return pages.render(request, "error.html", lang=lang, status_code=status, key=key)

    app.add_exception_handler(StarletteHTTPException, error_page)
    app.add_exception_handler(RequestValidationError, error_page)
    app.add_exception_handler(Exception, error_page)
    return app


async def migrate(settings: WebSettings) -> None:
    """Nothing to migrate: the web service has no database."""
    log.info("nothing to migrate", extra={"service": settings.service_name})
