"""The case record is a function of the set of events; periods are in the deployment's
calendar and its working days skip Khmer holidays."""

from __future__ import annotations

import random
from collections import defaultdict
from datetime import UTC, datetime

import pytest

from samleng.reporting.domain.cases import fold
from samleng.reporting.domain.periods import InvalidPeriod, parse_period
from services.reporting.tests.integration.helpers import generate
from services.reporting.tests.unit.fakes import CALENDAR

pytestmark = pytest.mark.unit


def test_duplicates_and_any_order_fold_to_the_same_record() -> None:
    events, _ = generate(60, seed=3)
    by_case = defaultdict(list)
    for event in events:
        by_case[event.complaint_id].append(event)
    rng = random.Random(1)  # noqa: S311
    for complaint_id, mine in by_case.items():
        shuffled = mine + rng.sample(mine, k=min(3, len(mine)))
        rng.shuffle(shuffled)
        assert fold(complaint_id, shuffled) == fold(complaint_id, mine)


def test_working_days_skip_weekends_and_cambodian_holidays() -> None:
    # Friday 2 Jan 2026 10:00 is day 1; Mon 5, Tue 6, Thu 8, Fri 9 (7 Jan is a holiday)
    start = datetime(2026, 1, 2, 3, tzinfo=UTC)
    assert CALENDAR.working_day_of(start, datetime(2026, 1, 9, 3, tzinfo=UTC)) == 5
    assert CALENDAR.working_day_of(start, start) == 1
    # 18:00 UTC on 2 Jan is already Saturday 3 Jan in Phnom Penh: Monday, day 2
    assert CALENDAR.working_day_of(start, datetime(2026, 1, 2, 18, tzinfo=UTC)) == 2


def test_periods_are_years_quarters_or_months_in_phnom_penh_time() -> None:
    q2 = parse_period("2026-Q2", CALENDAR)
    assert (q2.first_day.isoformat(), q2.end_day.isoformat()) == ("2026-04-01", "2026-07-01")
    assert q2.start == datetime(2026, 3, 31, 17, tzinfo=UTC)  # midnight in Phnom Penh
    assert parse_period("2026-12", CALENDAR).months() == ["2026-12"]
    with pytest.raises(InvalidPeriod, match="quarter"):
        parse_period("2026-13", CALENDAR)
    for unwritable in ("9999", "9999-12", "0001-01", "0000-Q1"):
        with pytest.raises(InvalidPeriod, match="from 1900 to 9998"):
            parse_period(unwritable, CALENDAR)
