"""Assemble the routing app: ``create_app(settings=None, **overrides)``."""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI

from samleng.common.http import RouteLogMiddleware, health_router, install_problem_handlers
from samleng.common.runtime import ServiceRuntime
from samleng.routing.adapters.assignments import AssignmentRepository
from samleng.routing.adapters.directory import gazetteer_directory
from samleng.routing.domain.model import Directory
from samleng.routing.entrypoints import subscribers
from samleng.routing.settings import RoutingSettings


def create_app(
    settings: RoutingSettings | None = None,
    *,
    directory: Directory | None = None,
    **overrides: Any,
) -> FastAPI:
    """The routing app; nothing connects until its lifespan starts."""
    settings = settings or RoutingSettings(**overrides)
    runtime = ServiceRuntime(settings)
    assignments = AssignmentRepository(runtime.db)
    active = directory or gazetteer_directory()
    subscribers.subscribe(runtime.broker, runtime.publisher, assignments, active)

    app = FastAPI(
        title="Samleng routing",
        version="0.1.0",
        lifespan=runtime.lifespan(on_start=[assignments.create_indexes]),
    )
    app.state.runtime = runtime
    install_problem_handlers(app)
    app.add_middleware(RouteLogMiddleware)
    app.include_router(health_router(runtime.readiness))

    @app.get("/v1/directory", tags=["directory"], summary="The active directory version")
    async def directory_info() -> dict[str, object]:
        return {"version": active.version, "commune_offices": len(active.commune_offices)}

    return app


async def migrate(settings: RoutingSettings) -> None:
    """Create routing's indexes and check the directory loads (idempotent)."""
    runtime = ServiceRuntime(settings)
    try:
        await AssignmentRepository(runtime.db).create_indexes()
        gazetteer_directory()
    finally:
        await runtime.mongo.close()
