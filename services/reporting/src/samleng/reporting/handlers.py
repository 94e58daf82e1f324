"""Reporting's use cases: fold an event into its case record; rebuild; read full detail.

Every handler takes events or domain objects and the ports (``ports.py``): no broker, no
HTTP, no MongoDB, so each one runs in a unit test with the fakes of ``tests/unit``.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from samleng.common.events import Event, registered_events
from samleng.common.handling import HandlerTable
from samleng.reporting.domain import figures
from samleng.reporting.domain.calendar import local_date
from samleng.reporting.domain.cases import fold
from samleng.reporting.domain.figures import Area
from samleng.reporting.domain.periods import Period
from samleng.reporting.ports import CaseRecords, EventArchive, Publications, ReportingPorts


async def on_event(event: Event, ports: ReportingPorts) -> None:
    """Archive the event, refold its complaint (idempotent: the fold is of a set) and note
    which years' publications it can change: its own year's and every later one's."""
    await ports.archive.keep(event)
    # Refold even for a duplicate: an earlier delivery may have crashed before saving.
    events = await ports.archive.of_complaint(event.complaint_id)
    await ports.records.save(fold(event.complaint_id, events))
    since = local_date(event.occurred_at).year
    await ports.publications.changed(range(since, local_date(datetime.now(UTC)).year + 1))


async def rebuild(archive: EventArchive, records: CaseRecords, publications: Publications) -> int:
    """Forget every record and publication and fold them all again from the archive;
    returns how many records. The running services publish again from the new records."""
    await records.clear()
    await publications.clear()
    rebuilt = 0
    async for complaint_id in archive.complaint_ids():
        await records.save(fold(complaint_id, await archive.of_complaint(complaint_id)))
        rebuilt += 1
    return rebuilt


async def detail(records: CaseRecords, area: Area, period: Period, now: datetime) -> dict[str, Any]:
    """Every figure for one period and area, unsuppressed (for analysts)."""
    cases = [r for r in await records.relevant(area, period.start, period.end) if area.contains(r)]
    return {
        "status": figures.status_row(cases, period, now),
        **figures.by_ministry_and_level(cases, period, now),
        "backlog_by_year": figures.backlog(cases, period, now),
        "trend": figures.trend(cases, period, now),
        "time_in_working_days": figures.timeliness(cases, period, now),
        "sla_by_office": figures.sla_by(cases, period, now, lambda r: r.office_id or "unassigned"),
        "sla_by_province": figures.sla_by(cases, period, now, lambda r: r.province or "unknown"),
        "satisfaction": figures.satisfaction(cases, period, now),
        "extra_fees_by_service": figures.extra_fees(cases, period, now, "service"),
        "extra_fees_by_province": figures.extra_fees(cases, period, now, "province"),
        "extra_fees_by_district": figures.extra_fees(cases, period, now, "district"),
        "breakdowns": {
            dim: figures.breakdown(cases, dim, period, now) for dim in figures.BREAKDOWNS
        },
    }


#: Reporting counts every registered event type.
HANDLERS: HandlerTable[ReportingPorts] = HandlerTable(
    service="reporting",
    queue="reporting.statistics",
    handlers=dict.fromkeys(registered_events(), on_event),
)
