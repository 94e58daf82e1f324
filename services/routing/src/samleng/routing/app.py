"""Assemble routing: ``bootstrap(settings=None, **ports) -> Service[RoutingPorts]``.

    service = bootstrap(settings, clock=ManualClock(start))   # tests move time themselves
    app = create_app(settings)                                 # = bootstrap(settings).app

Real adapters are built unless a port is passed in. The app's lifespan creates the
indexes, loads the pilot directory if none is active, moves events out of old per-case
outboxes, then runs the inbox, the outbox relay and the clock loop. The clock loop is
``app.state.clocks`` (tests and operators read its ``passes``).
"""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI

from samleng.common.calendar import working_calendar
from samleng.common.outbox import Outbox, OutboxRelay
from samleng.common.reference import service_catalogue
from samleng.common.runtime import ServiceRuntime
from samleng.common.service import Service, web_app
from samleng.routing.adapters.cases import CaseRepository
from samleng.routing.adapters.clock import SystemClock
from samleng.routing.adapters.directory import DirectoryStore, initial_spec
from samleng.routing.domain.sla import CaseLimits
from samleng.routing.entrypoints import api, subscribers
from samleng.routing.entrypoints.clocks import ClockLoop
from samleng.routing.ports import RoutingPorts
from samleng.routing.settings import RoutingSettings


def bootstrap(settings: RoutingSettings | None = None, **ports: Any) -> Service[RoutingPorts]:
    """The routing service; nothing connects until its app's lifespan starts."""
    settings = settings or RoutingSettings()
    runtime = ServiceRuntime(settings)
    relay = OutboxRelay(
        Outbox(runtime.db), runtime.publisher, poll_seconds=settings.relay_poll_seconds
    )
    cases = CaseRepository(runtime.db, Outbox(runtime.db), on_stored=relay.wake)
    store = DirectoryStore(
        runtime.db,
        refresh_seconds=settings.directory_refresh_seconds,
        initial=initial_spec(settings.initial_directory),
    )
    wired = RoutingPorts(
        cases=cases,
        directories=store,
        clock=SystemClock(),
        catalogue=service_catalogue(),
        calendar=working_calendar(settings),
        limits=CaseLimits(
            overall_working_days=settings.overall_working_days,
            move_limit=settings.move_limit,
            no_reply_working_days=settings.no_reply_working_days,
        ),
    ).replace(**ports)
    clocks = ClockLoop(
        wired,
        poll_seconds=settings.clock_poll_seconds,
        lease_seconds=settings.clock_lease_seconds,
    )
    app = web_app(
        runtime,
        title="Samleng routing",
        on_start=[cases.create_indexes, store.ensure_bundled, cases.adopt_old_outboxes],
        background=[relay.run, clocks.run],
        max_body_bytes=settings.max_directory_bytes,
        admin_token=settings.admin_token,
    )
    app.state.clocks = clocks
    subscribers.subscribe(runtime.broker, wired, runtime.health)
    app.include_router(api.router)
    return Service(settings, runtime, wired, app).installed()


def create_app(settings: RoutingSettings | None = None, **overrides: Any) -> FastAPI:
    """The routing app: ``bootstrap(settings, **overrides).app``."""
    return bootstrap(settings, **overrides).app


async def migrate(settings: RoutingSettings) -> None:
    """Create routing's indexes, load and activate the pilot directory if none is active,
    and move events out of old per-case outboxes (idempotent)."""
    runtime = ServiceRuntime(settings)
    try:
        cases = CaseRepository(runtime.db, Outbox(runtime.db))
        await cases.create_indexes()
        store = DirectoryStore(runtime.db, initial=initial_spec(settings.initial_directory))
        await store.ensure_bundled()
        await cases.adopt_old_outboxes()
    finally:
        await runtime.mongo.close()
