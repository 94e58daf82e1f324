"""Notification refuses to start in production without its secrets."""

from __future__ import annotations

import json
import secrets

import pytest
from cryptography.fernet import Fernet

from samleng.notification.settings import NotificationSettings

pytestmark = pytest.mark.unit

KEYS = json.dumps({"dev": Fernet.generate_key().decode()})


ADMIN_TOKEN = secrets.token_urlsafe(32)


def test_production_needs_an_admin_token_sealing_keys_and_an_index_key() -> None:
    with pytest.raises(ValueError, match="SAMLENG_ADMIN_TOKEN"):
        NotificationSettings(environment="production", contact_sealing_keys=KEYS)
    with pytest.raises(ValueError, match="CONTACT_SEALING_KEYS"):
        NotificationSettings(environment="production", admin_token=ADMIN_TOKEN)
    with pytest.raises(ValueError, match="CONTACT_INDEX_KEY"):
        NotificationSettings(
            environment="production", admin_token=ADMIN_TOKEN, contact_sealing_keys=KEYS
        )
    ready = NotificationSettings(
        environment="production",
        admin_token=ADMIN_TOKEN,
        contact_sealing_keys=KEYS,
        contact_index_key=secrets.token_urlsafe(32),
    )
    assert ready.channels == {"in_app"}


def test_a_channel_is_on_when_its_provider_is_configured() -> None:
    settings = NotificationSettings(
        environment="test",
        smtp_host="mail.example",
        telegram_bot_token="1:t",  # noqa: S106
    )
    assert settings.channels == {"in_app", "email", "telegram"}
