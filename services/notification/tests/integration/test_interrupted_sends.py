"""A send interrupted by a killed or stopped notification is sent again after the restart,
with the same provider idempotency key, and ends sent, not failed (issue 20, item 3).

The stand-in SMS gateway takes the message in and never answers, as when the sender dies
between the gateway taking the message and the answer coming back.
"""

from __future__ import annotations

import asyncio
import uuid
from typing import Any

import httpx
import pytest

from samleng.notification.app import create_app
from samleng.notification.settings import NotificationSettings
from services.notification.tests.integration.helpers import (
    Gateways,
    assigned,
    office,
    provider_settings,
    providers,
    submitted,
)
from tests.support import eventually, publish_event, running, settings_for

pytestmark = pytest.mark.integration

NUMBER = "+85510000077"


def admin(settings: NotificationSettings) -> dict[str, str]:
    """The admin bearer header."""
    return {"Authorization": f"Bearer {settings.admin_token.get_secret_value()}"}


async def register_sms_officer(
    http: httpx.AsyncClient, settings: NotificationSettings, office_id: str
) -> None:
    """An officer of the office who takes alerts by SMS."""
    response = await http.put(
        f"/v1/admin/offices/{office_id}/recipients/dara",
        json={"endpoints": [{"channel": "sms", "address": NUMBER}]},
        headers=admin(settings),
    )
    assert response.status_code == 200, response.text


async def sms_delivery(
    http: httpx.AsyncClient, settings: NotificationSettings, office_id: str
) -> dict[str, Any]:
    """The office's one SMS delivery, as the admin delivery log shows it."""
    response = await http.get(
        "/v1/admin/deliveries", params={"office_id": office_id}, headers=admin(settings)
    )
    (sms,) = [d for d in response.json() if d["channel"] == "sms"]
    return dict(sms)


def tries(gateways: Gateways) -> list[tuple[dict[str, Any], str | None]]:
    """Every request to the officer's number, with its Idempotency-Key header."""
    return [
        (body, key)
        for (kind, body), key in zip(gateways.requests, gateways.idempotency_keys, strict=True)
        if kind == "sms" and body["to"] == NUMBER
    ]


async def sent_again_with_the_same_key(
    http: httpx.AsyncClient, settings: NotificationSettings, office_id: str, gateways: Gateways
) -> dict[str, Any]:
    """Wait for the SMS to be sent after the restart; check both tries carried one key."""

    async def sent() -> dict[str, Any] | None:
        delivery = await sms_delivery(http, settings, office_id)
        return delivery if delivery["state"] == "sent" else None

    delivery = await eventually(sent, timeout=30)
    attempts = tries(gateways)
    assert len(attempts) == 2  # the one the gateway took before the stop, and the retry
    assert len({body["reference"] for body, _ in attempts}) == 1
    assert len({key for _, key in attempts}) == 1
    assert attempts[0][1] == attempts[0][0]["reference"]
    assert len(gateways.taken) == 1 and len(gateways.accepted_for("sms", NUMBER)) == 1
    return delivery


async def test_a_send_cut_by_kill_9_is_sent_again_after_the_restart(stack: Any, amqp: Any) -> None:
    office_id = f"commune:{uuid.uuid4().hex[:10]}"
    async with providers() as (inbox, gateways):
        gateways.hold_next["sms"] = 1
        # a short lease, so that the restarted process finds it expired soon
        values = provider_settings(inbox, gateways, send_timeout_seconds=2, lease_seconds=5)
        settings = settings_for(stack, NotificationSettings, "notification", **values)
        killed = await asyncio.to_thread(
            stack.start_service, "notification", mongo_database=settings.mongo_database, **values
        )
        try:
            async with httpx.AsyncClient(base_url=killed.url) as first:
                await register_sms_officer(first, settings, office_id)
                await publish_event(amqp, assigned(submitted(str(uuid.uuid4())), office(office_id)))
                await eventually(lambda: _value(gateways.taken))
                killed.kill()  # SIGKILL while the gateway holds the message: no answer, no release
        finally:
            killed.kill()
        async with running(create_app(settings)) as http:
            delivery = await sent_again_with_the_same_key(http, settings, office_id, gateways)
    assert delivery["attempts"] == 2 and delivery["last_error"] is None
    assert delivery["failed_at"] is None


async def test_a_send_cut_by_a_stop_is_given_back_and_sent_at_the_next_start(
    stack: Any, amqp: Any
) -> None:
    office_id = f"commune:{uuid.uuid4().hex[:10]}"
    async with providers() as (inbox, gateways):
        gateways.hold_next["sms"] = 1
        settings = settings_for(
            stack, NotificationSettings, "notification", **provider_settings(inbox, gateways)
        )
        async with running(create_app(settings)) as http:
            await register_sms_officer(http, settings, office_id)
            await publish_event(amqp, assigned(submitted(str(uuid.uuid4())), office(office_id)))
            await eventually(lambda: _value(gateways.taken))
        # stopped mid-send: given back at once, not left to a lease of two minutes
        async with running(create_app(settings)) as http:
            delivery = await sent_again_with_the_same_key(http, settings, office_id, gateways)
    assert delivery["attempts"] == 2 and delivery["last_error"] is None


async def _value(value: Any) -> Any:
    return value
