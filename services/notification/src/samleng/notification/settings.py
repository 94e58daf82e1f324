"""Notification's settings (``SAMLENG_`` environment variables).

A channel is on when its provider is configured: email with ``SMTP_HOST``, SMS with
``SMS_GATEWAY_URL``, Telegram with ``TELEGRAM_BOT_TOKEN``; the in-app feed is always on.
"""

from __future__ import annotations

from typing import Literal, Self

from pydantic import Field, SecretStr, model_validator

from samleng.common.settings import ServiceSettings
from samleng.notification.adapters.sealing import ContactKeyring
from samleng.notification.domain.consent import ConsentPolicy, ContactIndex
from samleng.notification.domain.delivery import Channel
from samleng.notification.domain.retention import ContactRetention

#: Used only outside production when no CONTACT_INDEX_KEY is set.
DEVELOPMENT_INDEX_KEY = "samleng-development-contact-index-key"


class NotificationSettings(ServiceSettings):
    """Notification: alerts to officers and opted-in citizens."""

    service_name: str = "notification"
    http_port: int = Field(default=8002, ge=1, le=65535)
    # {"key_id": "fernet key"}: the keys intake seals citizens' contacts with
    contact_sealing_keys: SecretStr = SecretStr("{}")
    admin_token: SecretStr = SecretStr("")
    # where citizens follow their case by typing their tracking code
    tracking_url: str = "https://samleng.org/track"
    # keyed hashes of citizens' addresses and confirmation codes (domain/consent.py)
    contact_index_key: SecretStr = SecretStr("")
    # where a citizen types the confirmation code (posts it to /v1/contact-confirmations)
    confirmation_url: str = "https://samleng.org/confirm"
    confirmation_code_days: int = Field(default=14, ge=1, le=90)
    # messages per citizen address per (UTC) day, across all cases
    citizen_daily_cap: int = Field(default=5, ge=1, le=100)

    smtp_host: str = ""
    smtp_port: int = Field(default=587, ge=1, le=65535)
    smtp_security: Literal["starttls", "tls", "none"] = "starttls"
    smtp_username: str = ""
    smtp_password: SecretStr = SecretStr("")
    smtp_from: str = "Samleng <no-reply@samleng.org>"

    sms_gateway_url: str = ""
    sms_gateway_token: SecretStr = SecretStr("")
    sms_sender: str = "Samleng"

    telegram_api_url: str = "https://api.telegram.org"
    telegram_bot_token: SecretStr = SecretStr("")
    # Replies to people who wrote to the Facebook Page (docs/channels.md): the Graph API
    # and the Page access token; without a token Messenger replies are not sent.
    messenger_api_url: str = "https://graph.facebook.com/v21.0"
    messenger_page_token: SecretStr = SecretStr("")

    send_timeout_seconds: float = Field(default=10.0, gt=0)
    retry_base_seconds: float = Field(default=30.0, gt=0)
    retry_max_seconds: float = Field(default=3600.0, gt=0)
    max_attempts: int = Field(default=8, ge=1, le=50)
    lease_seconds: float = Field(default=120.0, gt=0)
    outbox_poll_seconds: float = Field(default=2.0, gt=0)
    # deliveries one courier leases and sends at once (per channel and replica)
    courier_batch: int = Field(default=16, ge=1, le=500)
    digest_hour_utc: int = Field(default=1, ge=0, le=23)  # 08:00 in Phnom Penh
    # intake's schedule, under the same names: a case's sealed contacts are erased this
    # many days after it became final (closed, rejected, withdrawn)
    retention_enabled: bool = True
    retention_contacts_days: int = Field(default=180, ge=1)
    retention_interval_seconds: float = Field(default=3600.0, gt=0)

    @model_validator(mode="after")
    def _checked(self) -> Self:
        if self.lease_seconds <= 2 * self.send_timeout_seconds:
            # a lease that can expire during a send would fail a message that went out
            raise ValueError("SAMLENG_LEASE_SECONDS must exceed twice SEND_TIMEOUT_SECONDS")
        keyring = ContactKeyring.from_json(self.contact_sealing_keys.get_secret_value())
        if self.is_production:
            self.require_secret("admin_token", self.admin_token)
            if not len(keyring):
                raise ValueError("SAMLENG_CONTACT_SEALING_KEYS must hold at least one key")
            self.require_secret("contact_index_key", self.contact_index_key)
        return self

    def keyring(self) -> ContactKeyring:
        """The contact sealing keys."""
        return ContactKeyring.from_json(self.contact_sealing_keys.get_secret_value())

    def consent(self) -> ConsentPolicy:
        """The key, cap and code lifetime of citizens' consent (a fixed key in development)."""
        key = self.contact_index_key.get_secret_value() or DEVELOPMENT_INDEX_KEY
        return ConsentPolicy(
            ContactIndex(key.encode()), self.citizen_daily_cap, self.confirmation_code_days
        )

    def retention_policy(self) -> ContactRetention:
        """How long citizens' sealed contacts are kept after their case is final."""
        return ContactRetention(self.retention_contacts_days)

    @property
    def channels(self) -> frozenset[Channel]:
        """The channels this deployment can send on."""
        enabled: set[Channel] = {"in_app"}
        if self.smtp_host:
            enabled.add("email")
        if self.sms_gateway_url:
            enabled.add("sms")
        if self.telegram_bot_token.get_secret_value():
            enabled.add("telegram")
        if self.messenger_page_token.get_secret_value():
            enabled.add("messenger")
        return frozenset(enabled)
