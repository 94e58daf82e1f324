"""Replies to people who wrote to the Facebook Page, through a stand-in Graph API that
checks the Page token and answers in the Send API's shapes: the status of their own case,
in their language, to their conversation or as a private reply to their comment, with
nothing of the case beyond its status; and nothing in clear in notification's database."""

from __future__ import annotations

import json
import uuid
from typing import Any

import pytest

from samleng.common.events import SealedContact
from samleng.notification.app import create_app
from samleng.notification.settings import NotificationSettings
from services.notification.tests.integration.helpers import (
    assigned,
    office,
    provider_settings,
    providers,
    seal,
    submitted,
)
from services.notification.tests.integration.test_citizens import everything_stored
from tests.support import eventually, publish_event, running, settings_for

pytestmark = pytest.mark.integration


def written_from(key: str, address: str) -> SealedContact:
    """A Messenger contact as intake seals it: the sender wrote to the Page from it."""
    return seal(key, "messenger", address).model_copy(update={"from_holder": True})


async def test_page_correspondents_hear_how_their_case_moves(stack: Any, amqp: Any) -> None:
    psid = f"psid:{uuid.uuid4().int % 10**16}"
    comment = f"comment:104_{uuid.uuid4().int % 10**9}"
    async with providers() as (inbox, gateways):
        settings = settings_for(
            stack, NotificationSettings, "notification", **provider_settings(inbox, gateways)
        )
        key = json.loads(settings.contact_sealing_keys.get_secret_value())["dev"]
        by_message = submitted(str(uuid.uuid4()), (written_from(key, psid),), language="km")
        by_comment = submitted(str(uuid.uuid4()), (written_from(key, comment),), language="en")
        async with running(create_app(settings)):
            for first in (by_message, by_comment):
                await publish_event(amqp, first)
                await publish_event(amqp, assigned(first, office("commune:170201")))

            async def replied() -> tuple[list[Any], list[Any]] | None:
                to_psid = gateways.accepted_for("messenger", psid)
                to_comment = gateways.accepted_for("messenger", comment)
                return (to_psid, to_comment) if to_psid and to_comment else None

            to_psid, to_comment = await eventually(replied, timeout=60)
        # no confirmation request: they wrote to the Page themselves; the status came at once
        for sent in (*to_psid, *to_comment):
            assert sent["messaging_type"] == "MESSAGE_TAG" and sent["tag"] == "ACCOUNT_UPDATE"
            assert "confirm" not in sent["message"]["text"].lower()
            assert "commune:170201" not in sent["message"]["text"]
        assert any("\u1780" <= ch <= "\u17ff" for ch in to_psid[0]["message"]["text"])
        assert to_comment[0]["recipient"] == {"comment_id": comment.removeprefix("comment:")}
        assert to_comment[0]["message"]["text"].isascii()
        stored = await everything_stored(settings)
        assert psid.removeprefix("psid:") not in stored
        assert comment.removeprefix("comment:") not in stored


async def test_a_wrong_page_token_fails_the_reply_for_good(stack: Any, amqp: Any) -> None:
    psid = f"psid:{uuid.uuid4().int % 10**16}"
    async with providers() as (inbox, gateways):
        settings = settings_for(
            stack,
            NotificationSettings,
            "notification",
            **provider_settings(inbox, gateways, messenger_page_token="EAA-revoked"),  # noqa: S106
        )
        key = json.loads(settings.contact_sealing_keys.get_secret_value())["dev"]
        first = submitted(str(uuid.uuid4()), (written_from(key, psid),))
        async with running(create_app(settings)) as http:
            await publish_event(amqp, first)
            await publish_event(amqp, assigned(first, office("commune:170201")))
            admin = {"Authorization": f"Bearer {settings.admin_token.get_secret_value()}"}

            async def failed() -> list[Any] | None:
                answer = await http.get(
                    "/v1/admin/deliveries",
                    params={"state": "failed", "complaint_id": first.complaint_id},
                    headers=admin,
                )
                found = answer.json() if answer.status_code == 200 else []
                return found or None

            (delivery, *_) = await eventually(failed, timeout=60)
        assert delivery["channel"] == "messenger"
        assert "HTTP 401" in delivery["last_error"]
        assert gateways.accepted_for("messenger", psid) == []
