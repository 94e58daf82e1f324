"""Assemble the notification app: ``create_app(settings=None, **overrides)``."""

from __future__ import annotations

import contextlib
import logging
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
from fastapi import FastAPI

from samleng.common.auth import TokenVerifier
from samleng.common.http import RouteLogMiddleware, health_router, install_problem_handlers
from samleng.common.runtime import ServiceRuntime
from samleng.notification.adapters.cases import CaseMemory
from samleng.notification.adapters.channels import ChannelAdapter
from samleng.notification.adapters.channels.email import EmailChannel
from samleng.notification.adapters.channels.in_app import InAppChannel
from samleng.notification.adapters.channels.sms import SmsChannel
from samleng.notification.adapters.channels.telegram import TelegramChannel
from samleng.notification.adapters.feed import AlertFeed
from samleng.notification.adapters.outbox import DeliveryOutbox
from samleng.notification.adapters.recipients import RecipientDirectory
from samleng.notification.delivering import Courier
from samleng.notification.domain.delivery import RetryPolicy
from samleng.notification.entrypoints import subscribers
from samleng.notification.entrypoints.admin_api import make_admin_router
from samleng.notification.entrypoints.api import make_router
from samleng.notification.entrypoints.workers import Workers
from samleng.notification.handlers import Alerting
from samleng.notification.settings import NotificationSettings


def _now() -> datetime:
    return datetime.now(UTC)


def channel_adapters(
    settings: NotificationSettings, feed: AlertFeed, http: httpx.AsyncClient
) -> list[ChannelAdapter]:
    """One adapter per channel this deployment configured."""
    adapters: list[ChannelAdapter] = [InAppChannel(feed)]
    if settings.smtp_host:
        adapters.append(
            EmailChannel(
                host=settings.smtp_host,
                port=settings.smtp_port,
                sender=settings.smtp_from,
                security=settings.smtp_security,
                username=settings.smtp_username,
                password=settings.smtp_password.get_secret_value(),
                timeout=settings.send_timeout_seconds,
            )
        )
    if settings.sms_gateway_url:
        adapters.append(
            SmsChannel(
                http,
                settings.sms_gateway_url,
                settings.sms_gateway_token.get_secret_value(),
                settings.sms_sender,
            )
        )
    if settings.telegram_bot_token.get_secret_value():
        adapters.append(
            TelegramChannel(
                http, settings.telegram_api_url, settings.telegram_bot_token.get_secret_value()
            )
        )
    return adapters


def create_app(settings: NotificationSettings | None = None, **overrides: Any) -> FastAPI:
    """The notification app; nothing connects until its lifespan starts."""
    settings = settings or NotificationSettings(**overrides)
    runtime = ServiceRuntime(settings)
    feed = AlertFeed(runtime.db)
    outbox = DeliveryOutbox(runtime.db)
    recipients = RecipientDirectory(runtime.db)
    cases = CaseMemory(runtime.db)
    # httpx logs each request URL at INFO; the Telegram URL holds the bot token
    logging.getLogger("httpx").setLevel(logging.WARNING)
    http = httpx.AsyncClient(timeout=settings.send_timeout_seconds, follow_redirects=False)
    policy = RetryPolicy(
        settings.retry_base_seconds, settings.retry_max_seconds, settings.max_attempts
    )
    lease = timedelta(seconds=settings.lease_seconds)
    keyring = settings.keyring()
    couriers = [
        Courier(
            outbox,
            adapter,
            keyring,
            policy,
            lease=lease,
            poll_seconds=settings.outbox_poll_seconds,
            now=_now,
        )
        for adapter in channel_adapters(settings, feed, http)
    ]
    workers = Workers(
        couriers,
        outbox,
        recipients,
        lease=lease,
        digest_hour_utc=settings.digest_hour_utc,
        now=_now,
    )
    alerting = Alerting(
        outbox=outbox,
        cases=cases,
        recipients=recipients,
        tracking_url=settings.tracking_url,
        enabled=settings.channels,
        now=_now,
    )
    subscribers.subscribe(runtime.broker, alerting, workers, runtime.health)
    service_lifespan = runtime.lifespan(
        on_start=[lambda: create_indexes(runtime.db)], background=workers.jobs()
    )

    @contextlib.asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        try:
            async with service_lifespan(app):
                yield
        finally:
            await http.aclose()

    app = FastAPI(title="Samleng notification", version="0.1.0", lifespan=lifespan)
    app.state.runtime = runtime
    app.state.workers = workers
    app.state.verifier = TokenVerifier.from_settings(settings) if settings.oidc_issuer else None
    install_problem_handlers(app)
    app.add_middleware(RouteLogMiddleware)
    app.include_router(health_router(runtime.readiness))
    app.include_router(make_router(feed, recipients))
    app.include_router(
        make_admin_router(recipients, outbox, workers, settings.admin_token.get_secret_value())
    )
    return app


async def create_indexes(db: Any) -> None:
    """Every index notification relies on (idempotent)."""
    await AlertFeed(db).create_indexes()
    await DeliveryOutbox(db).create_indexes()
    await RecipientDirectory(db).create_indexes()


async def migrate(settings: NotificationSettings) -> None:
    """Create notification's indexes (idempotent)."""
    runtime = ServiceRuntime(settings)
    try:
        await create_indexes(runtime.db)
    finally:
        await runtime.mongo.close()
