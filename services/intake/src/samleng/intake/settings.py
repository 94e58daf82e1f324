"""Intake's settings (``SAMLENG_`` environment variables)."""

from __future__ import annotations

import ipaddress
from pathlib import Path
from typing import Self

from pydantic import Field, SecretStr, model_validator

from samleng.common.settings import ServiceSettings
from samleng.intake.domain.duplicates import DEFAULT_THRESHOLD, DEFAULT_WINDOW_DAYS


class IntakeSettings(ServiceSettings):
    """Intake: the HTTP front door and case store."""

    service_name: str = "intake"
    http_port: int = Field(default=8000, ge=1, le=65535)
    tracking_code_key: SecretStr = SecretStr("")
    # Any secret string; every key intake needs is derived from it with HKDF.
    encryption_key: SecretStr = SecretStr("")
    contact_sealing_key_id: str = "dev"
    contact_sealing_key: SecretStr = SecretStr("")  # Fernet key shared with notification
    relay_enabled: bool = True
    relay_poll_seconds: float = Field(default=1.0, gt=0)
    max_description_length: int = Field(default=5000, ge=100)
    max_text_length: int = Field(default=2000, ge=100)
    max_request_bytes: int = Field(default=64 * 1024, ge=1024)
    max_attachment_bytes: int = Field(default=5 * 1024 * 1024, ge=1024)
    max_attachments: int = Field(default=5, ge=1, le=50)
    # An image's header may name at most this many pixels; it is refused before decoding.
    # Cleaning one holds about 8 bytes a pixel in a worker (25 MP: about 200 MB).
    max_image_pixels: int = Field(default=25_000_000, ge=1_000_000, le=200_000_000)
    # Worker processes that decode and clean attachments, and uploads that may wait for
    # one; past both, an upload is answered 503 with Retry-After.
    attachment_workers: int = Field(default=1, ge=1, le=16)
    attachment_queue: int = Field(default=4, ge=0, le=100)
    reopen_period_days: int = Field(default=30, ge=1)
    idempotency_hours: int = Field(default=72, ge=1)
    # Abuse budgets: a share per client (known only by a keyed hash of its address under a
    # key replaced daily, in memory) and a ceiling for all clients and replicas together,
    # kept far above one client's share as a last resort.
    lookup_miss_limit_per_client: int = Field(default=30, ge=1)
    lookup_miss_limit: int = Field(default=20_000, ge=1)
    lookup_window_seconds: int = Field(default=60, ge=1)
    submission_limit_per_client: int = Field(default=60, ge=1)
    submission_limit: int = Field(default=6_000, ge=1)
    submission_window_seconds: int = Field(default=60, ge=1)
    # Proxies (addresses or networks, JSON list) whose X-Forwarded-For names the client;
    # none by default: the client is the peer of the connection.
    trusted_proxies: tuple[str, ...] = ()
    # How often each replica adds its spends to the shared count and reads the others'.
    budget_flush_seconds: float = Field(default=1.0, gt=0)
    # Retention after a case is closed (final): sealed reporter details are erased after
    # this many days, attached files after that many; the job runs every interval on the
    # replica holding the lease (docs/privacy.md says what is kept and for how long).
    retention_enabled: bool = True
    retention_contacts_days: int = Field(default=180, ge=1)
    retention_attachments_days: int = Field(default=365, ge=1)
    retention_interval_seconds: float = Field(default=3600.0, gt=0)
    # Open311: a public listing shows only cells of at least this many requests. The same
    # variable (SAMLENG_SMALL_CELL_THRESHOLD) sets reporting's open-data suppression.
    small_cell_threshold: int = Field(default=5, ge=1, le=100)
    # SHA-256 (hex) of each registered Open311 api_key, as a JSON list; only these may list.
    open311_api_keys: tuple[str, ...] = ()
    # a GeoJSON layer of commune polygons, to accept Open311 lat/long (none: refused)
    open311_commune_boundaries: Path | None = None
    open311_commune_code_property: str = "ADM3_PCODE"
    # Assisted filing (docs/channels.md): each desk agent may file this many cases a window
    # (keyed by their token's subject), all agents together at most the ceiling.
    desk_filing_limit_per_agent: int = Field(default=30, ge=1)
    desk_filing_limit: int = Field(default=3_000, ge=1)
    desk_filing_window_seconds: int = Field(default=3600, ge=1)
    # A Page message no agent filed or dismissed loses its text and sealed reply address
    # this many days after it reached the queue (only its desk, kind, times and state stay, for the
    # counts); swept every retention interval by each replica (idempotent).
    desk_message_days: int = Field(default=30, ge=1)
    # The Facebook Page's webhooks: the app secret that signs them, the token the
    # subscription's hub challenge must name, and the desk whose queue they fill. Without
    # an app secret the webhook answers 503.
    facebook_app_secret: SecretStr = SecretStr("")
    facebook_verify_token: SecretStr = SecretStr("")
    facebook_desk: str = Field(default="social_media:national:moi", pattern=r"^social_media:.+$")
    # Likely duplicates: the office's open cases of the same service and commune submitted
    # this many days apart at most, whose texts score at least the threshold (measured in
    # docs/channels.md, "## Duplicates").
    duplicate_window_days: int = Field(default=DEFAULT_WINDOW_DAYS, ge=1, le=365)
    duplicate_threshold: float = Field(default=DEFAULT_THRESHOLD, gt=0, le=1)
    # Conversations by SMS and Telegram (docs/channels.md). An unfinished conversation
    # expires this long after its last message; a sender may answer an office's question
    # by the channel for ``conversation_follow_days`` after filing; each sender (known by
    # a keyed hash) gets at most ``conversation_messages_per_hour`` replies an hour.
    conversation_hours: int = Field(default=24, ge=1, le=24 * 7)
    conversation_follow_days: int = Field(default=365, ge=1)
    conversation_messages_per_hour: int = Field(default=30, ge=1)
    # The SMS gateway signs each inbound webhook with this secret (HMAC-SHA256); empty:
    # the SMS webhook answers 503. Signatures older or newer than the tolerance are refused.
    sms_webhook_secret: SecretStr = SecretStr("")
    sms_timestamp_tolerance_seconds: int = Field(default=300, ge=30, le=3600)
    # Telegram: the bot's token and the secret set with setWebhook (both, or the Telegram
    # webhook answers 503); the Bot API's base URL (a local Bot API server, or a stand-in).
    telegram_bot_token: SecretStr = SecretStr("")
    telegram_webhook_secret: SecretStr = SecretStr("")
    telegram_api_url: str = "https://api.telegram.org"

    @model_validator(mode="after")
    def _secrets(self) -> Self:
        self.require_secret("tracking_code_key", self.tracking_code_key)
        self.require_secret("encryption_key", self.encryption_key)
        self.require_secret("contact_sealing_key", self.contact_sealing_key)
        for digest in self.open311_api_keys:
            if len(digest) != 64 or any(ch not in "0123456789abcdef" for ch in digest):
                raise ValueError(
                    "open311_api_keys holds SHA-256 digests (64 lower-case hex characters) "
                    "of the keys, not the keys themselves"
                )
        for proxy in self.trusted_proxies:
            try:
                ipaddress.ip_network(proxy, strict=False)
            except ValueError:
                raise ValueError(
                    f"trusted_proxies: {proxy!r} is not an IP address or network"
                ) from None
        for name in ("sms_webhook_secret", "telegram_webhook_secret"):
            secret = getattr(self, name).get_secret_value()
            if secret and len(secret) < 32:
                raise ValueError(f"{name} must be at least 32 characters (or empty: channel off)")
        boundaries = self.open311_commune_boundaries
        if boundaries is not None and not boundaries.is_file():
            raise ValueError(f"open311_commune_boundaries: no file at {boundaries}")
        return self
