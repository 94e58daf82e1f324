"""Assemble the reporting app: ``create_app(settings=None, **overrides)``."""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI

from samleng.common.http import RouteLogMiddleware, health_router, install_problem_handlers
from samleng.common.runtime import ServiceRuntime
from samleng.reporting.adapters.projections import ComplaintProjections
from samleng.reporting.entrypoints import subscribers
from samleng.reporting.entrypoints.api import make_router
from samleng.reporting.settings import ReportingSettings


def create_app(settings: ReportingSettings | None = None, **overrides: Any) -> FastAPI:
    """The reporting app; nothing connects until its lifespan starts."""
    settings = settings or ReportingSettings(**overrides)
    runtime = ServiceRuntime(settings)
    projections = ComplaintProjections(runtime.db)
    subscribers.subscribe(runtime.broker, projections)
    app = FastAPI(
        title="Samleng reporting",
        version="0.1.0",
        lifespan=runtime.lifespan(on_start=[projections.create_indexes]),
    )
    app.state.runtime = runtime
    install_problem_handlers(app)
    app.add_middleware(RouteLogMiddleware)
    app.include_router(health_router(runtime.readiness))
    app.include_router(make_router(projections))
    return app


async def migrate(settings: ReportingSettings) -> None:
    """Create reporting's indexes (idempotent)."""
    runtime = ServiceRuntime(settings)
    try:
        await ComplaintProjections(runtime.db).create_indexes()
    finally:
        await runtime.mongo.close()
