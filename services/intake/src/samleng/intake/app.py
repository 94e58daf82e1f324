"""Assemble the intake app: ``create_app(settings=None, **overrides)``."""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI

from samleng.common.http import RouteLogMiddleware, health_router, install_problem_handlers
from samleng.common.runtime import ServiceRuntime
from samleng.intake.adapters.cases import CaseRepository
from samleng.intake.adapters.outbox import OutboxRelay
from samleng.intake.domain.tracking import TrackingCodeHasher
from samleng.intake.entrypoints import api, subscribers
from samleng.intake.settings import IntakeSettings


def create_app(settings: IntakeSettings | None = None, **overrides: Any) -> FastAPI:
    """The intake FastAPI app; nothing connects until its lifespan starts."""
    settings = settings or IntakeSettings(**overrides)
    runtime = ServiceRuntime(settings)
    cases = CaseRepository(runtime.db)
    relay = OutboxRelay(runtime.db, runtime.publisher, poll_seconds=settings.relay_poll_seconds)
    subscribers.subscribe(runtime.broker, cases)

    app = FastAPI(
        title="Samleng intake",
        summary="Citizen feedback on public services: submit and follow a case anonymously",
        version="0.1.0",
        lifespan=runtime.lifespan(
            on_start=[cases.create_indexes],
            background=[relay.run] if settings.relay_enabled else [],
        ),
    )
    app.state.settings = settings
    app.state.runtime = runtime
    app.state.cases = cases
    app.state.relay = relay
    app.state.hasher = TrackingCodeHasher(settings.tracking_code_key.get_secret_value().encode())
    install_problem_handlers(app)
    app.add_middleware(RouteLogMiddleware)
    app.include_router(health_router(runtime.readiness))
    app.include_router(api.router)
    return app


async def migrate(settings: IntakeSettings) -> None:
    """Create intake's indexes (idempotent)."""
    runtime = ServiceRuntime(settings)
    try:
        await CaseRepository(runtime.db).create_indexes()
    finally:
        await runtime.mongo.close()
