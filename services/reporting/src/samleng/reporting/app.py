"""Assemble the reporting app: ``create_app(settings=None, **overrides)``."""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI

from samleng.common.auth import TokenVerifier
from samleng.common.http import RouteLogMiddleware, health_router, install_problem_handlers
from samleng.common.runtime import ServiceRuntime
from samleng.reporting.adapters.archive import EventArchive
from samleng.reporting.adapters.case_records import CaseRecords
from samleng.reporting.adapters.headline import HeadlineCache
from samleng.reporting.adapters.publications import Publications
from samleng.reporting.entrypoints import subscribers
from samleng.reporting.entrypoints.api import make_router
from samleng.reporting.entrypoints.dashboard import make_dashboard_router
from samleng.reporting.entrypoints.opendata import make_open_data_router
from samleng.reporting.entrypoints.publisher import Publisher
from samleng.reporting.handlers import StatisticsPorts
from samleng.reporting.settings import ReportingSettings


def create_app(settings: ReportingSettings | None = None, **overrides: Any) -> FastAPI:
    """The reporting app; nothing connects until its lifespan starts."""
    settings = settings or ReportingSettings(**overrides)
    runtime = ServiceRuntime(settings)
    archive, records = EventArchive(runtime.db), CaseRecords(runtime.db)
    publications = Publications(runtime.db)
    subscribers.subscribe(
        runtime.broker, StatisticsPorts(archive, records, publications), runtime.health
    )
    publisher = Publisher(
        records,
        publications,
        threshold=settings.small_cell_threshold,
        monthly=settings.monthly_release,
        interval_seconds=settings.publish_interval_seconds,
        republish_after_seconds=settings.republish_after_seconds,
    )

    async def create_indexes() -> None:
        await archive.create_indexes()
        await records.create_indexes()
        await publications.create_indexes()

    async def publishing() -> None:
        await publisher.run()

    app = FastAPI(
        title="Samleng reporting",
        version="0.1.0",
        lifespan=runtime.lifespan(on_start=[create_indexes], background=[publishing]),
    )
    app.state.runtime = runtime
    # without OIDC settings full detail answers 503; public statistics are unaffected
    app.state.verifier = TokenVerifier.from_settings(settings) if settings.oidc_issuer else None
    install_problem_handlers(app)
    app.add_middleware(RouteLogMiddleware)
    app.include_router(health_router(runtime.readiness))
    headline = HeadlineCache(records, settings.headline_ttl_seconds)
    app.include_router(make_router(records, headline))
    app.include_router(make_open_data_router(publications, settings))
    app.include_router(make_dashboard_router(publications, settings))
    return app


async def migrate(settings: ReportingSettings) -> None:
    """Create reporting's indexes (idempotent)."""
    runtime = ServiceRuntime(settings)
    try:
        await EventArchive(runtime.db).create_indexes()
        await CaseRecords(runtime.db).create_indexes()
        await Publications(runtime.db).create_indexes()
    finally:
        await runtime.mongo.close()


async def rebuild_statistics(settings: ReportingSettings) -> int:
    """Fold every case record again from the event archive; returns how many."""
    from samleng.reporting.handlers import rebuild

    runtime = ServiceRuntime(settings)
    try:
        archive, records = EventArchive(runtime.db), CaseRecords(runtime.db)
        await archive.create_indexes()
        await records.create_indexes()
        return await rebuild(archive, records, Publications(runtime.db))
    finally:
        await runtime.mongo.close()
