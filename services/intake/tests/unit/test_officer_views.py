"""Officer views and inbox cursors, without I/O."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime

import pytest

from samleng.intake.adapters.inbox import InvalidCursor, decode_cursor, encode_cursor
from samleng.intake.domain import officer
from samleng.intake.officer.entrypoints.views import (
    is_routing_decision,
    officer_actions,
)
from services.intake.tests.unit.test_officer_commands import ACTOR, HEAD, NOW, assigned

pytestmark = pytest.mark.unit


def test_cursor_round_trip_and_refusal() -> None:
    case = replace(assigned(), submitted_at=datetime(2026, 11, 2, 9, 0, 0, 123000, tzinfo=UTC))
    assert decode_cursor(encode_cursor(case)) == (case.submitted_at, case.complaint_id)
    for bad in ("not-ours", "", "e30"):
        with pytest.raises(InvalidCursor):
            decode_cursor(bad)


def test_routing_explanation_and_escalation_come_from_routing_entries_only() -> None:
    case = assigned()
    assert [is_routing_decision(e) for e in case.timeline] == [False, True]
    moved, _ = officer.request_move(case, "escalate", "too big for us", ACTOR, NOW)
    assert not is_routing_decision(moved.timeline[-1])  # a request is not a decision
    assert not moved.escalated  # only routing's escalated event sets it


def test_actions_follow_the_status() -> None:
    case = assigned()
    assert {"acknowledge", "resolve", "reject", "escalate"} <= set(officer_actions(case))
    assert "reopen" not in officer_actions(case)
    resolved, _ = officer.resolve(case, "done", ACTOR, NOW)
    assert officer_actions(resolved) == ["note", "reopen"]
    reopened, _ = officer.reopen(resolved, HEAD, NOW)
    assert "acknowledge" in officer_actions(reopened)
