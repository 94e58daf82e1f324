"""Linked reports over real RabbitMQ and MongoDB: every report counts as received, a
problem reported several times counts once as resolved (its original), an unlinked report
counts on its own again. In a vhost and database of its own."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from samleng.reporting.app import create_app
from samleng.reporting.settings import ReportingSettings
from services.reporting.tests.integration.delivery import deliver
from services.reporting.tests.integration.linked import EXPECTED, linked_history
from tests.support import running, settings_for

pytestmark = pytest.mark.integration


async def test_linked_reports_are_received_apiece_and_resolved_once(
    stack: Any,
    reporting_vhost: Callable[[], str],
    reporting_db: Any,
    sign_in: Callable[..., dict[str, str]],
) -> None:
    amqp_url = reporting_vhost()
    settings = settings_for(
        stack,
        ReportingSettings,
        "reporting",
        amqp_url=amqp_url,
        mongo_database=reporting_db.name,
        publish_interval_seconds=0.2,
    )
    start = datetime.now(UTC) - timedelta(days=1)
    history = linked_history(start)
    async with running(create_app(settings)) as http:
        await deliver(settings, amqp_url, [*history, history[5]])  # one delivered twice
        answer = await http.get(
            "/v1/stats/detail",
            params={"period": str(start.year)},
            headers=sign_in(["national_analyst"]),
        )
    assert answer.status_code == 200, answer.text
    figures = answer.json()["figures"]
    assert figures["problems"] == EXPECTED
    assert figures["status"]["received"] == 4
