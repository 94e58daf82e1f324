"""Working days, office hours and public holidays; SLA terms by kind and category."""

from datetime import UTC, date, datetime, time

import holidays
import pytest

from samleng.common.events import Category, FeedbackKind
from samleng.routing.adapters.directory import bundled_directory
from samleng.routing.domain.calendar import WorkingCalendar

pytestmark = pytest.mark.unit

KH = WorkingCalendar(holidays=holidays.country_holidays("KH"))


@pytest.mark.parametrize(
    ("received", "days", "due_local"),
    [
        # Monday 10:00 -> Monday counts as day 1
        (datetime(2026, 12, 7, 3, 0, tzinfo=UTC), 1, datetime(2026, 12, 7, 17, 0)),
        (datetime(2026, 12, 7, 3, 0, tzinfo=UTC), 2, datetime(2026, 12, 8, 17, 0)),
        # Monday 18:00 local (after closing) -> day 1 is Tuesday
        (datetime(2026, 12, 7, 11, 0, tzinfo=UTC), 1, datetime(2026, 12, 8, 17, 0)),
        # Friday 10:00, 2 days -> Monday (weekend skipped)
        (datetime(2026, 12, 11, 3, 0, tzinfo=UTC), 2, datetime(2026, 12, 14, 17, 0)),
        # Water Festival 23-25 November 2026 (Mon-Wed): day 1 is Thursday
        (datetime(2026, 11, 23, 3, 0, tzinfo=UTC), 1, datetime(2026, 11, 26, 17, 0)),
        # Khmer New Year 14-16 April 2026 (Tue-Thu) are not working days
        (datetime(2026, 4, 13, 3, 0, tzinfo=UTC), 2, datetime(2026, 4, 17, 17, 0)),
    ],
)
def test_deadlines_count_working_days(received: datetime, days: int, due_local: datetime) -> None:
    due = KH.deadline(received, days)
    assert KH.local(due) == due_local


def test_office_hours_are_configurable() -> None:
    late = WorkingCalendar(holidays=set(), opens=time(8), closes=time(20))
    received = datetime(2026, 12, 7, 11, 0, tzinfo=UTC)  # 18:00 local, still open
    assert KH.local(late.deadline(received, 1)) == datetime(2026, 12, 7, 20, 0)
    assert late.is_working_day(date(2026, 4, 14))  # no holidays given
    assert not KH.is_working_day(date(2026, 4, 14))
    with pytest.raises(ValueError, match="at least one"):
        KH.deadline(received, 0)


@pytest.mark.parametrize(
    ("kind", "category", "ack", "resolve", "rule"),
    [
        (FeedbackKind.COMPLAINT, Category.DELAY, 2, 15, "default"),
        (FeedbackKind.COMPLAINT, Category.CORRUPTION, 1, 30, "default+category:corruption"),
        (FeedbackKind.REQUEST_FOR_INFORMATION, Category.OTHER, 2, 10,
         "default+kind:request_for_information"),
        (FeedbackKind.SUGGESTION, Category.OTHER, 5, 0, "default+kind:suggestion"),
        (FeedbackKind.REQUEST_FOR_HELP, Category.EXTRA_FEE, 1, 10,
         "default+kind:request_for_help+category:extra_fee"),
    ],
)  # fmt: skip
def test_sla_by_kind_then_category(
    kind: FeedbackKind, category: Category, ack: int, resolve: int | None, rule: str
) -> None:
    terms, name = bundled_directory().sla.terms_for(kind, category)
    assert (terms.acknowledge_working_days, terms.resolve_working_days, name) == (
        ack,
        resolve,
        rule,
    )
