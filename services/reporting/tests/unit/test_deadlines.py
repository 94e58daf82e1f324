"""Deadlines are routing's, charged to the office that held the case when one passed; the
events routing added (deadlines changed, move refused, no-reply closures) count right and
any delivery order gives the same figures."""

from __future__ import annotations

import random
from datetime import UTC, datetime

import pytest

from samleng.common.events import MoveRequestRefused
from samleng.reporting.domain import accountability, figures
from samleng.reporting.domain.cases import fold
from samleng.reporting.domain.periods import parse_period
from services.reporting.tests.unit import case_lives
from services.reporting.tests.unit.fakes import CALENDAR

pytestmark = pytest.mark.unit

MARCH = parse_period("2026-03", CALENDAR)
YEAR = parse_period("2026", CALENDAR)
LATER = datetime(2026, 6, 1, tzinfo=UTC)


def test_a_missed_deadline_is_charged_to_the_office_that_held_the_case() -> None:
    record = fold("c-1", case_lives.missed_then_escalated())
    assert figures.sla_by_office([record], YEAR, LATER) == {
        case_lives.COMMUNE.office_id: {"due": 1, "met": 0},
        case_lives.OMBUDSMAN.office_id: {"due": 1, "met": 1},
    }
    assert figures.sla_verdict(record, LATER) is False  # the case missed one deadline
    overall = accountability.overall([record], YEAR, LATER)
    assert (overall["due"], overall["within"], overall["missed"]) == (1, 0, 1)
    assert overall["days_to_resolve"] == {"n": 1, "median": 25, "p90": 25}
    offices = accountability.by_office([record], YEAR, LATER)
    assert offices[case_lives.OMBUDSMAN.office_id]["resolved"] == 1
    assert offices[case_lives.COMMUNE.office_id]["missed"] == 1
    # by level: resolved with the district ombudsman, none left in progress
    levels = accountability.monthly_by_level([record], parse_period("2026-04", CALENDAR), LATER)
    resolved_in_april = {**dict.fromkeys(accountability.MONTHLY_COLUMNS, 0), "resolved": 1}
    assert levels == {"district_ombudsman": resolved_in_april}
    march = accountability.monthly_by_level([record], MARCH, LATER)
    assert march["district_ombudsman"]["in_progress"] == 1  # open at the end of March


def test_a_refused_move_changes_nothing_counted() -> None:
    events = case_lives.missed_then_escalated()
    without = [e for e in events if not isinstance(e, MoveRequestRefused)]
    with_refusal, plain = fold("c-1", events), fold("c-1", without)
    for period in (MARCH, parse_period("2026", CALENDAR)):
        assert figures.status_row([with_refusal], period, LATER) == figures.status_row(
            [plain], period, LATER
        )
    assert with_refusal.transitions == plain.transitions


def test_a_paused_clock_misses_nothing_and_no_reply_is_not_resolved() -> None:
    chain = case_lives.never_answered("c-1")
    record = fold("c-1", chain)
    assert figures.sla_by_office([record], MARCH, LATER) == {}  # paused before it passed
    row = figures.status_row([record], MARCH, LATER)
    assert (row["closed_no_reply"], row["resolved"], row["closed_auto"]) == (1, 0, 0)
    assert figures.breakdown([record], "kind", MARCH, LATER)["complaint"]["ended_otherwise"] == 1


def test_any_delivery_order_and_duplicates_give_the_same_figures() -> None:
    events = case_lives.missed_then_escalated()
    expected = fold("c-1", events)
    rng = random.Random(5)  # noqa: S311 - a reproducible shuffle
    for _ in range(20):
        stream = events + rng.sample(events, k=3)
        rng.shuffle(stream)
        record = fold("c-1", stream)
        assert record.holdings == expected.holdings
        assert accountability.by_office([record], MARCH, LATER) == accountability.by_office(
            [expected], MARCH, LATER
        )
