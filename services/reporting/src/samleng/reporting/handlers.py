"""Reporting's use cases: fold an event into its case record; rebuild; read full detail.

Every handler takes events or domain objects and the ports (``ports.py``): no broker, no
HTTP, no MongoDB, so each one runs in a unit test with the fakes of ``tests/unit``.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from samleng.common.events import DESK_EVENTS, ComplaintSubmitted, Event, registered_events
from samleng.common.handling import HandlerTable
from samleng.common.progress import Progress
from samleng.reporting.domain import accountability, desks, figures
from samleng.reporting.domain.cases import fold, with_event
from samleng.reporting.domain.disclosure import UNRESTRICTED, Disclosure
from samleng.reporting.domain.figures import Area
from samleng.reporting.domain.periods import Period
from samleng.reporting.ports import CaseRecords, EventArchive, Publications, ReportingPorts

#: How often a handler folds again after losing a race for a record before giving up
#: (the message is then redelivered).
FOLD_ATTEMPTS = 32


class RecordContention(Exception):
    """Other consumers kept changing a case record while this one folded an event."""


async def on_event(event: Event, ports: ReportingPorts) -> None:
    """Archive the event, fold it into its complaint's record and note which years'
    publications it can change: its own year's and every later one's.

    An event after everything the record holds extends it; an older one (or a record of
    an earlier format) refolds the complaint from the archive. Both give the record of a
    full fold, so duplicates and any delivery order count the same. A duplicate the record
    holds already writes nothing, but still notes its years: an earlier delivery may have
    stopped between the record and the note.
    """
    await ports.archive.keep(event)
    await _fold_into_record(event, ports)
    await _note_changed_years(event, ports)


async def on_desk_message(event: Event, ports: ReportingPorts) -> None:
    """Count a desk message's arrival or dismissal once, and note the years it changes."""
    count = desks.count_of(event)
    if count is None or ports.desk_counts is None:
        raise RuntimeError(f"reporting cannot count {event.type} without its desk counts")
    await ports.desk_counts.keep(count)
    await _note_changed_years(event, ports)


async def _note_changed_years(event: Event, ports: ReportingPorts) -> None:
    """Mark the publications the event can change: its own year's and every later one's."""
    local_date = ports.calendar.local_date
    since = local_date(event.occurred_at).year
    await ports.publications.changed(range(since, local_date(datetime.now(UTC)).year + 1))


async def _fold_into_record(event: Event, ports: ReportingPorts) -> None:
    for attempt in range(FOLD_ATTEMPTS):
        # A submission almost always opens its record: try that first, without a read (a
        # record stored already refuses the insert, and the next attempt reads it).
        opens = attempt == 0 and isinstance(event, ComplaintSubmitted)
        stored = None if opens else await ports.records.get(event.complaint_id)
        record = with_event(stored, event)
        if record is stored:
            return
        if record is None:
            record = fold(event.complaint_id, await ports.archive.of_complaint(event.complaint_id))
        if await ports.records.replace(record, stored):
            return
    raise RecordContention(
        f"the record of {event.complaint_id} kept changing over {FOLD_ATTEMPTS} attempts"
    )


async def rebuild(
    archive: EventArchive,
    records: CaseRecords,
    publications: Publications,
    say: Callable[[str], None] | None = None,
) -> int:
    """Forget every record and publication and fold them all again from the archive;
    returns how many records. The running services publish again from the new records.
    Progress (counts and an ETA) goes to ``say`` (stderr by default)."""
    complaint_ids = [complaint_id async for complaint_id in archive.complaint_ids()]
    progress = Progress("rebuild", len(complaint_ids), unit="case records", say=say)
    await records.clear()
    await publications.clear()
    for complaint_id in complaint_ids:
        await records.save(fold(complaint_id, await archive.of_complaint(complaint_id)))
        progress.advance()
    progress.finish()
    return progress.done


async def detail(
    records: CaseRecords,
    area: Area,
    period: Period,
    now: datetime,
    disclosure: Disclosure = UNRESTRICTED,
) -> dict[str, Any]:
    """Every figure for one period and area, as this viewer may see it: unsuppressed, but
    never a case about the conduct of the viewer's offices, and person attributes
    suppressed for officials (``domain.disclosure``)."""
    relevant = records.relevant(area, period.start, period.end)
    cases = [r async for r in relevant if area.contains(r) and disclosure.shows(r)]
    return {
        "status": figures.status_row(cases, period, now),
        "problems": figures.problems(cases, period, now),
        **figures.by_ministry_and_level(cases, period, now),
        "backlog_by_year": figures.backlog(cases, period, now),
        "trend": figures.trend(cases, period, now),
        "time_in_working_days": figures.timeliness(cases, period, now),
        "sla_by_office": figures.sla_by_office(cases, period, now),
        "sla_by_province": figures.sla_by(cases, period, now, lambda r: r.province or "unknown"),
        "overall_deadline": accountability.overall(cases, period, now),
        "by_office": accountability.by_office(cases, period, now),
        "monthly_by_level": {
            month.label: accountability.monthly_by_level(cases, month, now)
            for month in period.month_periods()
            if month.start < now
        },
        "satisfaction": figures.satisfaction(cases, period, now),
        "extra_fees_by_service": figures.extra_fees(cases, period, now, "service"),
        "extra_fees_by_province": figures.extra_fees(cases, period, now, "province"),
        "extra_fees_by_district": figures.extra_fees(cases, period, now, "district"),
        "breakdowns": {
            dim: disclosure.breakdown(dim, figures.breakdown(cases, dim, period, now))
            for dim in figures.BREAKDOWNS
        },
    }


#: Reporting counts every registered event type: a case's into its record, a desk
#: message's (which has no case) into the desk counts.
HANDLERS: HandlerTable[ReportingPorts] = HandlerTable(
    service="reporting",
    queue="reporting.statistics",
    handlers={
        **dict.fromkeys((e for e in registered_events() if e not in DESK_EVENTS), on_event),
        **dict.fromkeys(DESK_EVENTS, on_desk_message),
    },
)
