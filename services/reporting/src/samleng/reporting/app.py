"""Assemble reporting: ``bootstrap(settings=None, **ports) -> Service[ReportingPorts]``.

service = bootstrap(settings)                          # the MongoDB adapters
service = bootstrap(settings, records=FakeCaseRecords())  # any port replaced
app = create_app(settings)                             # = bootstrap(settings).app
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from fastapi import FastAPI

from samleng.common.broker import subscribe_table
from samleng.common.calendar import working_calendar
from samleng.common.runtime import ServiceRuntime
from samleng.common.service import Service, token_verifier, web_app
from samleng.reporting.adapters.archive import MongoEventArchive
from samleng.reporting.adapters.case_records import MongoCaseRecords
from samleng.reporting.adapters.desk_counts import MongoDeskCounts
from samleng.reporting.adapters.headline import HeadlineCache
from samleng.reporting.adapters.publications import MongoPublications
from samleng.reporting.entrypoints import accountability, api, dashboard, opendata
from samleng.reporting.entrypoints.publisher import Publisher
from samleng.reporting.handlers import HANDLERS, rebuild
from samleng.reporting.ports import ReportingPorts
from samleng.reporting.settings import ReportingSettings


def real_ports(runtime: ServiceRuntime, settings: ReportingSettings) -> ReportingPorts:
    """The MongoDB adapters of every port."""
    records = MongoCaseRecords(runtime.db)
    return ReportingPorts(
        archive=MongoEventArchive(runtime.db),
        records=records,
        publications=MongoPublications(runtime.db),
        headline=HeadlineCache(records, settings.headline_ttl_seconds),
        calendar=working_calendar(settings),
        desk_counts=MongoDeskCounts(runtime.db),
    )


def bootstrap(settings: ReportingSettings | None = None, **ports: Any) -> Service[ReportingPorts]:
    """The reporting service: real adapters unless a port is given; nothing connects yet."""
    settings = settings or ReportingSettings()
    runtime = ServiceRuntime(settings)
    wired = replace(real_ports(runtime, settings), **ports)
    publisher = Publisher(
        wired.records,
        wired.publications,
        wired.calendar,
        threshold=settings.small_cell_threshold,
        monthly=settings.monthly_release,
        interval_seconds=settings.publish_interval_seconds,
        republish_after_seconds=settings.republish_after_seconds,
        desk_counts=wired.desk_counts,
    )

    async def create_indexes() -> None:
        await _create_indexes(runtime)

    async def publishing() -> None:
        await publisher.run()

    app = web_app(
        runtime,
        title="Samleng reporting",
        on_start=[create_indexes],
        background=[publishing],
    )
    subscribe_table(runtime.broker, HANDLERS, wired, health=runtime.health)
    for module in (api, opendata, accountability, dashboard):
        app.include_router(module.router)
    # without OIDC settings full detail answers 503; public statistics are unaffected
    return Service(settings, runtime, wired, app, verifier=token_verifier(settings)).installed()


def create_app(settings: ReportingSettings | None = None, **overrides: Any) -> FastAPI:
    """The reporting app; ``overrides`` replace ports, as in :func:`bootstrap`."""
    return bootstrap(settings, **overrides).app


async def _create_indexes(runtime: ServiceRuntime) -> None:
    await MongoEventArchive(runtime.db).create_indexes()
    await MongoCaseRecords(runtime.db).create_indexes()
    await MongoPublications(runtime.db).create_indexes()
    await MongoDeskCounts(runtime.db).create_indexes()


async def migrate(settings: ReportingSettings) -> None:
    """Create reporting's indexes (idempotent)."""
    runtime = ServiceRuntime(settings)
    try:
        await _create_indexes(runtime)
    finally:
        await runtime.mongo.close()


async def rebuild_statistics(settings: ReportingSettings) -> int:
    """Fold every case record again from the event archive; returns how many."""
    runtime = ServiceRuntime(settings)
    try:
        await _create_indexes(runtime)
        ports = real_ports(runtime, settings)
        return await rebuild(ports.archive, ports.records, ports.publications)
    finally:
        await runtime.mongo.close()
