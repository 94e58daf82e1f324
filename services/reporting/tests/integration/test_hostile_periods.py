"""Periods whose dates cannot be written answer a clear 400 problem, never a 500."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from samleng.reporting.app import create_app
from samleng.reporting.settings import ReportingSettings
from tests.support import running, settings_for

pytestmark = pytest.mark.integration

OUT_OF_RANGE = ["9999", "9999-12", "9999-Q4", "0001-01", "0000", "0001-Q1"]


async def test_periods_out_of_range_answer_400_naming_the_range(
    stack: Any,
    reporting_vhost: Callable[[], str],
    sign_in: Callable[..., dict[str, str]],
) -> None:
    settings = settings_for(stack, ReportingSettings, "reporting", amqp_url=reporting_vhost())
    analyst = sign_in(["national_analyst"])
    async with running(create_app(settings)) as http:
        for period in OUT_OF_RANGE:
            answers = [
                await http.get("/v1/open-data/status", params={"period": period}),
                await http.get("/v1/open-data/trend", params={"period": period}),
                await http.get("/v1/open-data/breakdowns/gender", params={"period": period}),
                await http.get("/v1/open-data/overall", params={"period": period}),
                await http.get("/v1/open-data/offices", params={"period": period}),
                await http.get("/v1/open-data/monthly", params={"period": period}),
                await http.get("/v1/stats/detail", params={"period": period}, headers=analyst),
                await http.get("/dashboard", params={"period": period}),
            ]
            for answer in answers:
                assert answer.status_code == 400, (period, answer.url, answer.text)
                assert answer.headers["content-type"] == "application/problem+json"
                assert "from 1900 to 9998" in answer.json()["detail"]
        still_fine = await http.get("/v1/open-data/status", params={"period": "2025"})
    assert still_fine.status_code != 400
