"""Routing and reporting count the same working days: each service builds its calendar
from the same settings, routing sets a deadline with its own code, and reporting's own
code judges a resolution at that deadline kept and one second later missed, and counts the
deadline's working day as routing's term. Inputs: a holiday, a weekend, a time-zone edge."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from samleng.common.events import (
    Category,
    ComplaintResolved,
    ComplaintSubmitted,
    FeedbackKind,
    Location,
    OfficeActionData,
    SubmittedData,
)
from samleng.common.reference import service_catalogue
from samleng.reporting.app import bootstrap as reporting
from samleng.reporting.domain import figures
from samleng.reporting.domain.cases import fold
from samleng.reporting.settings import ReportingSettings
from samleng.routing.adapters.directory import bundled_directory
from samleng.routing.app import bootstrap as routing
from samleng.routing.domain.decisions import Context, on_submitted
from samleng.routing.settings import RoutingSettings

pytestmark = pytest.mark.unit

RECEIVED = {
    # Monday 13 April 2026, 10:00 local: Khmer New Year is 14-16 April
    "holiday": datetime(2026, 4, 13, 3, tzinfo=UTC),
    # Friday 11 December 2026, 16:30 local: half an hour before the weekend
    "weekend": datetime(2026, 12, 11, 9, 30, tzinfo=UTC),
    # Friday 17:30 UTC is Saturday 00:30 in Phnom Penh: the case arrives at the weekend
    "time zone edge": datetime(2026, 12, 11, 17, 30, tzinfo=UTC),
}


def _submitted(at: datetime) -> ComplaintSubmitted:
    data = SubmittedData(
        kind=FeedbackKind.COMPLAINT,
        category=Category.DELAY,
        location=Location(province_code="17", district_code="1702", commune_code="170201"),
    )
    return ComplaintSubmitted.first("c-calendar", producer="intake", data=data, occurred_at=at)


@pytest.mark.parametrize("case", sorted(RECEIVED))
def test_routing_and_reporting_count_the_same_working_days(
    case: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SAMLENG_ENVIRONMENT", "test")
    monkeypatch.setenv("SAMLENG_TIME_ZONE", "Asia/Phnom_Penh")
    routing_calendar = routing(RoutingSettings()).ports.calendar
    reporting_calendar = reporting(ReportingSettings()).ports.calendar
    received = RECEIVED[case]
    submitted = _submitted(received)
    directory = bundled_directory()
    ctx = Context(directory, service_catalogue(), routing_calendar, received)
    _, assigned = on_submitted(submitted, ctx)
    assert assigned.data.deadlines is not None
    resolve_by = assigned.data.deadlines.resolve_by
    assert resolve_by is not None
    terms, _ = directory.sla.terms_for(FeedbackKind.COMPLAINT, Category.DELAY)
    days = terms.resolve_working_days
    # reporting's calendar puts routing's deadline on the term's last working day
    assert reporting_calendar.working_day_of(received, resolve_by) == days
    assert reporting_calendar.working_day_of(received, resolve_by + timedelta(seconds=1)) == (
        days + 1
    )
    later = datetime(2027, 3, 1, tzinfo=UTC)
    for offset, kept in ((timedelta(0), True), (timedelta(seconds=1), False)):
        resolved = ComplaintResolved.caused_by(
            assigned,
            producer="intake",
            data=OfficeActionData(office_id=assigned.data.office.office_id),
            occurred_at=resolve_by + offset,
        )
        record = fold("c-calendar", [submitted, assigned, resolved])
        assert figures.sla_verdict(record, later) is kept
