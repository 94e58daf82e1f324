"""A citizen a desk agent filed for gets their tracking code once, on the contact they chose
(an SMS number given at the counter, or the Page conversation they wrote from): through the
stand-in SMS gateway and Graph API, with no confirmation request first, then the status of
their case as it moves; the code is never stored in clear in notification's database."""

from __future__ import annotations

import json
import uuid
from typing import Any

import pytest
from cryptography.fernet import Fernet

from samleng.common.events import SealedReceipt
from samleng.notification.app import create_app
from samleng.notification.settings import NotificationSettings
from services.notification.tests.integration.helpers import (
    assigned,
    office,
    provider_settings,
    providers,
    seal,
    submitted,
    texts_to,
)
from services.notification.tests.integration.test_citizens import everything_stored
from tests.support import eventually, publish_event, running, settings_for

pytestmark = pytest.mark.integration

CODE = "7K3M-Q9TX-2HBD-W4NE-R"


def receipt_for(key: str, contact: int = 0) -> SealedReceipt:
    """The code sealed the way intake seals it for a desk filing."""
    token = Fernet(key.encode()).encrypt(CODE.encode()).decode()
    return SealedReceipt(contact=contact, ciphertext=token, key_id="dev")


@pytest.mark.parametrize(
    ("channel", "address", "language"),
    [("sms", "+85512345678", "km"), ("messenger", "psid:6543210987654321", "en")],
)
async def test_the_code_goes_once_to_the_contact_chosen_at_the_desk(
    stack: Any, amqp: Any, channel: str, address: str, language: str
) -> None:
    async with providers() as (inbox, gateways):
        settings = settings_for(
            stack, NotificationSettings, "notification", **provider_settings(inbox, gateways)
        )
        key = json.loads(settings.contact_sealing_keys.get_secret_value())["dev"]
        contact = seal(key, channel, address)
        if channel == "messenger":  # intake seals the Page's correspondent as its holder
            contact = contact.model_copy(update={"from_holder": True})
        first = submitted(str(uuid.uuid4()), (contact,), language=language)
        first = first.model_copy(
            update={"data": first.data.model_copy(update={"receipt": receipt_for(key)})}
        )
        async with running(create_app(settings)):
            await publish_event(amqp, first)
            await publish_event(amqp, first)  # a redelivery plans nothing twice
            await publish_event(amqp, assigned(first, office("commune:170201")))

            async def two() -> list[str] | None:
                texts = texts_to(inbox, gateways, channel, address)
                return texts if len(texts) >= 2 else None

            texts = await eventually(two, timeout=60)
            stored = await everything_stored(settings)
    receipt, status = sorted(texts, key=lambda t: CODE not in t)
    assert CODE in receipt and CODE not in status
    assert ("tracking code" in receipt) == (language == "en")
    assert ("លេខកូដតាមដាន" in receipt) == (language == "km")
    assert not any("confirm" in t.lower() or "បញ្ជាក់" in t for t in texts)
    assert len([t for t in texts if CODE in t]) == 1
    assert CODE not in stored and CODE.replace("-", "") not in stored
