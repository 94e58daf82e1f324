"""Routing's deadlines over real RabbitMQ and MongoDB (issue #16): a deadline missed before
an escalation is charged to the office that missed it, not to the ombudsman; a refused
move changes nothing; a paused clock misses nothing and a no_reply closure is not a
resolution; a replay of every event, shuffled and duplicated, changes no figure."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import Any

import pytest

from samleng.reporting.app import create_app
from samleng.reporting.settings import ReportingSettings
from services.reporting.tests.integration.delivery import deliver, delivery, settled
from services.reporting.tests.unit import case_lives
from tests.support import running, settings_for

pytestmark = pytest.mark.integration


async def test_routing_deadlines_count_against_the_office_that_held_the_case(
    stack: Any, reporting_vhost: Callable[[], str], sign_in: Callable[..., dict[str, str]]
) -> None:
    missed, unanswered = str(uuid.uuid4()), str(uuid.uuid4())
    events = case_lives.missed_then_escalated(missed) + case_lives.never_answered(unanswered)
    amqp_url = reporting_vhost()
    settings = settings_for(
        stack, ReportingSettings, "reporting", amqp_url=amqp_url, publish_interval_seconds=0.2
    )
    analyst = sign_in(["national_analyst"])
    commune, ombudsman = case_lives.COMMUNE.office_id, case_lives.OMBUDSMAN.office_id
    async with running(create_app(settings)) as http:
        await deliver(settings, amqp_url, delivery(events, seed=4))

        async def figures() -> dict[str, Any]:
            answer = await http.get("/v1/stats/detail", params={"period": "2026"}, headers=analyst)
            assert answer.status_code == 200, answer.text
            found: dict[str, Any] = answer.json()["figures"]
            return found

        got = await figures()
        assert got["sla_by_office"] == {
            commune: {"due": 1, "met": 0},  # its 5 days passed: charged to it
            ombudsman: {"due": 1, "met": 1},  # resolved within its own deadline
        }
        assert got["sla_by_province"] == {"12": {"due": 1, "met": 0}}
        overall = got["overall_deadline"]
        assert (overall["due"], overall["within"], overall["missed"]) == (1, 0, 1)
        assert got["by_office"][ombudsman]["resolved"] == 1
        status = got["status"]
        assert (status["received"], status["closed_no_reply"], status["resolved"]) == (2, 1, 1)
        march = got["monthly_by_level"]["2026-03"]
        assert march["district_ombudsman"]["in_progress"] == 1
        assert march["district_ombudsman"]["from_this_year"] == 1
        # two cases are small cells: public tables show none of them
        public = await http.get("/v1/open-data/overall", params={"period": "2026"})
        total = next(r for r in public.json()["rows"] if r["key"] == "total")
        assert total["values"]["due"] is None and total["values"]["median"] is None

        await deliver(settings, amqp_url, delivery(events, seed=9))  # replayed, reordered
        await settled(settings)
        assert await figures() == got
