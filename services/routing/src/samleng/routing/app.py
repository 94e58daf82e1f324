"""Assemble the routing app: ``create_app(settings=None, **overrides)``.

app = create_app(settings, clock=ManualClock(start))  # tests move time themselves
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import holidays
from fastapi import FastAPI

from samleng.common.http import RouteLogMiddleware, health_router, install_problem_handlers
from samleng.common.reference import service_catalogue
from samleng.common.runtime import ServiceRuntime
from samleng.routing.adapters.cases import CaseRepository
from samleng.routing.adapters.directory import DirectoryStore
from samleng.routing.clock import Clock, SystemClock
from samleng.routing.domain.calendar import WorkingCalendar
from samleng.routing.entrypoints import subscribers
from samleng.routing.entrypoints.api import directory_router
from samleng.routing.entrypoints.clocks import ClockLoop
from samleng.routing.handlers import Context
from samleng.routing.settings import RoutingSettings


def working_calendar(settings: RoutingSettings) -> WorkingCalendar:
    """The offices' working days and hours, with the country's public holidays."""
    return WorkingCalendar(
        holidays=holidays.country_holidays(settings.holiday_country),
        opens=settings.office_opens_at,
        closes=settings.office_closes_at,
        utc_offset=timedelta(hours=settings.office_utc_offset_hours),
    )


def create_app(
    settings: RoutingSettings | None = None,
    *,
    clock: Clock | None = None,
    **overrides: Any,
) -> FastAPI:
    """The routing app; nothing connects until its lifespan starts."""
    settings = settings or RoutingSettings(**overrides)
    clock = clock or SystemClock()
    runtime = ServiceRuntime(settings)
    cases = CaseRepository(runtime.db)
    store = DirectoryStore(runtime.db)
    calendar = working_calendar(settings)
    catalogue = service_catalogue()

    async def context() -> Context:
        return Context(await store.active(), catalogue, calendar, clock.now())

    subscribers.subscribe(runtime.broker, runtime.publisher, cases, context, runtime.health)
    clocks = ClockLoop(
        cases,
        runtime.publisher,
        context,
        clock,
        poll_seconds=settings.clock_poll_seconds,
        lease_seconds=settings.clock_lease_seconds,
    )

    async def clock_loop() -> None:
        await clocks.run()

    app = FastAPI(
        title="Samleng routing",
        version="0.2.0",
        lifespan=runtime.lifespan(
            on_start=[cases.create_indexes, store.ensure_bundled], background=[clock_loop]
        ),
    )
    app.state.runtime = runtime
    app.state.clocks = clocks
    install_problem_handlers(app)
    app.add_middleware(RouteLogMiddleware)
    app.include_router(health_router(runtime.readiness))
    app.include_router(directory_router(store, settings))
    return app


async def migrate(settings: RoutingSettings) -> None:
    """Create routing's indexes and load and activate the pilot directory (idempotent)."""
    runtime = ServiceRuntime(settings)
    try:
        await CaseRepository(runtime.db).create_indexes()
        await DirectoryStore(runtime.db).ensure_bundled()
    finally:
        await runtime.mongo.close()
