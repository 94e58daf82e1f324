"""FastAPI dependencies of reporting's routes, all rooted in ``service_of(request)``.

    @router.get("/v1/stats/summary")
    async def stats_summary(headline: HeadlineDep) -> SummaryView: ...

The getters are ``async`` so FastAPI calls them on the event loop (a plain ``def``
dependency hops through the thread pool on every request).

Tests swap any of them with ``app.dependency_overrides[get_records] = ...``, or build the
service with fakes: ``bootstrap(settings, records=FakeCaseRecords())``.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request

from samleng.common.calendar import WorkingCalendar
from samleng.common.service import service_of
from samleng.reporting.ports import CaseRecords, HeadlineSource, Publications, ReportingPorts
from samleng.reporting.settings import ReportingSettings


def _ports(request: Request) -> ReportingPorts:
    ports = service_of(request).ports
    assert isinstance(ports, ReportingPorts)
    return ports


async def get_records(request: Request) -> CaseRecords:
    """The case records of this service."""
    return _ports(request).records


async def get_publications(request: Request) -> Publications:
    """The published tables of this service."""
    return _ports(request).publications


async def get_headline(request: Request) -> HeadlineSource:
    """The national headline of this service."""
    return _ports(request).headline


async def get_calendar(request: Request) -> WorkingCalendar:
    """The deployment's working-day calendar."""
    return _ports(request).calendar


async def get_settings(request: Request) -> ReportingSettings:
    """The settings this service was built with."""
    settings = service_of(request).settings
    assert isinstance(settings, ReportingSettings)
    return settings


RecordsDep = Annotated[CaseRecords, Depends(get_records)]
PublicationsDep = Annotated[Publications, Depends(get_publications)]
HeadlineDep = Annotated[HeadlineSource, Depends(get_headline)]
SettingsDep = Annotated[ReportingSettings, Depends(get_settings)]
CalendarDep = Annotated[WorkingCalendar, Depends(get_calendar)]
