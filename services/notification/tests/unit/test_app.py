"""bootstrap() takes any port from the caller, and the HTTP API reaches the ports through
deps.py; here with fakes, without connecting to anything (no lifespan runs)."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime

import httpx
import pytest

from samleng.notification.app import bootstrap
from samleng.notification.domain.delivery import DeliveryState, Target
from samleng.notification.settings import NotificationSettings
from services.notification.tests.unit.fakes import (
    FakeAlertFeed,
    FakeBell,
    FakeDeliveryQueue,
    FakeRecipientDirectory,
)
from services.notification.tests.unit.test_couriers import delivery

pytestmark = pytest.mark.unit

TOKEN = "admin-token-for-unit-tests-0123456789"  # noqa: S105
ADMIN = {"Authorization": f"Bearer {TOKEN}"}


def settings() -> NotificationSettings:
    """Test settings with the admin API on."""
    return NotificationSettings(environment="test", admin_token=TOKEN)


def test_bootstrap_uses_the_ports_it_is_given_and_refuses_unknown_ones() -> None:
    recipients = FakeRecipientDirectory()
    service = bootstrap(settings(), recipients=recipients)
    assert service.ports.recipients is recipients
    assert [c.channel for c in service.ports.channels] == ["in_app"]
    with pytest.raises(TypeError, match="outbox"):
        bootstrap(settings(), outbox=object())


async def test_the_admin_api_reaches_the_ports_through_its_dependencies() -> None:
    queue, bell = FakeDeliveryQueue(), FakeBell()
    await queue.plan([delivery(1, target=Target(address="+85510000001"))])
    queue.deliveries[delivery(1).id] = queue.deliveries[delivery(1).id].failed_because(
        "the SMS gateway answered HTTP 400", datetime(2026, 3, 2, tzinfo=UTC)
    )
    service = bootstrap(settings(), deliveries=queue, couriers=bell)
    transport = httpx.ASGITransport(app=service.app)
    async with httpx.AsyncClient(transport=transport, base_url="http://test") as http:
        assert (await http.get("/v1/admin/deliveries")).status_code == 401
        log = (await http.get("/v1/admin/deliveries", headers=ADMIN)).json()
        assert [(d["delivery_id"], d["state"]) for d in log] == [(delivery(1).id, "failed")]
        assert "+85510000001" not in str(log)
        again = await http.post(f"/v1/admin/deliveries/{delivery(1).id}/send-again", headers=ADMIN)
        assert again.status_code == 202
    assert queue.deliveries[delivery(1).id].state == DeliveryState.PENDING
    assert bell.rings == 1


async def test_the_office_feed_route_reads_the_feed_port() -> None:
    queue = FakeDeliveryQueue()
    sent = replace(delivery(1), recipient="office:commune:a", channel="in_app")
    await queue.plan([sent.sent_now(datetime(2026, 3, 2, tzinfo=UTC))])
    feed = FakeAlertFeed(queue)
    assert [a.recipient for a in await feed.for_recipient("office:commune:a")] == [sent.recipient]
    service = bootstrap(settings(), feed=feed)
    transport = httpx.ASGITransport(app=service.app)
    async with httpx.AsyncClient(transport=transport, base_url="http://test") as http:
        # no OIDC settings: officer routes answer 503 rather than letting anyone in
        response = await http.get("/v1/offices/commune:a/notifications")
    assert response.status_code == 503
