"""Officers signed in with OIDC: only their office's feed, and their own alert channels."""

from __future__ import annotations

import uuid
from typing import Any

import pytest

from samleng.notification.app import create_app
from samleng.notification.settings import NotificationSettings
from services.notification.tests.integration.helpers import (
    assigned,
    office,
    provider_settings,
    providers,
    signed_in,
    submitted,
)
from tests.support import eventually, publish_event, running, settings_for

pytestmark = pytest.mark.integration


async def test_feeds_need_a_token_of_the_office(stack: Any) -> None:
    settings = settings_for(stack, NotificationSettings, "notification")
    ours, theirs = f"commune:{uuid.uuid4().hex[:8]}", f"commune:{uuid.uuid4().hex[:8]}"
    async with running(create_app(settings)) as http:
        anonymous = await http.get(f"/v1/offices/{ours}/notifications")
        assert anonymous.status_code == 401
        assert anonymous.headers["www-authenticate"].startswith("Bearer")
        assert anonymous.headers["content-type"] == "application/problem+json"
        stale = stack.issuer.token("x", ["officer"], [ours], lifetime_seconds=-300)
        expired = {"Authorization": f"Bearer {stale}"}
        feed = f"/v1/offices/{ours}/notifications"
        assert (await http.get(feed, headers=expired)).status_code == 401
        other = await http.get(
            f"/v1/offices/{theirs}/notifications", headers=signed_in(stack, ours)
        )
        assert other.status_code == 404
        mine = await http.get(f"/v1/offices/{ours}/notifications", headers=signed_in(stack, ours))
        assert mine.status_code == 200 and mine.json()["alerts"] == []
        # a partner expert reviewing the office's cases in intake has no feed of its own there
        partner = stack.issuer.token("ti-expert", ["partner_expert"], [ours])
        reviewer = await http.get(feed, headers={"Authorization": f"Bearer {partner}"})
        assert reviewer.status_code == 404


async def test_an_officer_chooses_their_own_channels(stack: Any, amqp: Any) -> None:
    office_id = f"commune:{uuid.uuid4().hex[:8]}"
    me = signed_in(stack, office_id, subject="sophea")
    async with providers() as (inbox, gateways):
        settings = settings_for(
            stack, NotificationSettings, "notification", **provider_settings(inbox, gateways)
        )
        async with running(create_app(settings)) as http:
            assert (await http.get("/v1/me/preferences", headers=me)).json() == []
            chosen = await http.put(
                f"/v1/me/preferences/{office_id}",
                headers=me,
                json={
                    "language": "en",
                    "endpoints": [{"channel": "email", "address": "sophea@commune.example"}],
                },
            )
            assert chosen.status_code == 200, chosen.text
            assert chosen.json()["recipient_id"] == "sophea"
            elsewhere = await http.put(
                "/v1/me/preferences/commune:someone-else", headers=me, json={"language": "km"}
            )
            assert elsewhere.status_code == 404
            [listed] = (await http.get("/v1/me/preferences", headers=me)).json()
            assert listed["endpoints"] == [
                {"channel": "email", "address": "sophea@commune.example"}
            ]

            await publish_event(amqp, assigned(submitted(str(uuid.uuid4())), office(office_id)))
            await eventually(lambda: _sent(inbox, "sophea@commune.example"))
    [mail] = inbox.messages_to("sophea@commune.example")
    assert "assigned" in mail.get_content()


async def _sent(inbox: Any, address: str) -> bool:
    return bool(inbox.messages_to(address))
