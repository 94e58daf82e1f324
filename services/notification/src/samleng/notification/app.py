"""Assemble notification: ``bootstrap(settings=None, **ports) -> Service[NotificationPorts]``.

Real adapters are built for every port not passed in, so a test can swap any of them::

    service = bootstrap(settings, channels=(FakeSms(),))
    app = create_app(settings)          # = bootstrap(settings).app
"""

from __future__ import annotations

import contextlib
import logging
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
from fastapi import FastAPI

from samleng.common.runtime import ServiceRuntime
from samleng.common.service import Service, token_verifier, web_app
from samleng.notification.adapters.cases import MongoCaseMemory
from samleng.notification.adapters.channels.email import EmailChannel
from samleng.notification.adapters.channels.in_app import InAppChannel
from samleng.notification.adapters.channels.messenger import MessengerChannel
from samleng.notification.adapters.channels.sms import SmsChannel
from samleng.notification.adapters.channels.telegram import TelegramChannel
from samleng.notification.adapters.consent import MongoConfirmationStore, MongoMessageAllowance
from samleng.notification.adapters.deliveries import MongoDeliveryQueue
from samleng.notification.adapters.feed import MongoAlertFeed
from samleng.notification.adapters.recipients import MongoRecipientDirectory
from samleng.notification.adapters.retention import MongoCaseRetention
from samleng.notification.delivering import Courier, Couriers
from samleng.notification.domain.delivery import RetryPolicy
from samleng.notification.domain.planning import DeliveryPlanner
from samleng.notification.entrypoints import admin_api, api, confirmations, subscribers
from samleng.notification.entrypoints.workers import Workers
from samleng.notification.ports import ChannelAdapter, NotificationPorts
from samleng.notification.retention.handlers import retention_job
from samleng.notification.settings import NotificationSettings


def _now() -> datetime:
    return datetime.now(UTC)


def channel_adapters(
    settings: NotificationSettings, http: httpx.AsyncClient
) -> tuple[ChannelAdapter, ...]:
    """One adapter per channel this deployment configured."""
    adapters: list[ChannelAdapter] = [InAppChannel()]
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
    if settings.messenger_page_token.get_secret_value():
        adapters.append(
            MessengerChannel(
                http, settings.messenger_api_url, settings.messenger_page_token.get_secret_value()
            )
        )
    return tuple(adapters)


def _ports(
    settings: NotificationSettings,
    runtime: ServiceRuntime,
    http: httpx.AsyncClient,
    given: dict[str, Any],
) -> NotificationPorts:
    """The given ports, and real ones for the rest."""
    feed = given.get("feed") or MongoAlertFeed(runtime.db)
    real: dict[str, Any] = {
        "cases": lambda: MongoCaseMemory(runtime.db),
        "recipients": lambda: MongoRecipientDirectory(runtime.db),
        "deliveries": lambda: MongoDeliveryQueue(runtime.db),
        "channels": lambda: channel_adapters(settings, http),
        "keyring": settings.keyring,
        "couriers": Couriers,
        "planner": lambda: DeliveryPlanner(
            settings.tracking_url, settings.channels, settings.confirmation_url
        ),
        "clock": lambda: _now,
        "confirmations": lambda: MongoConfirmationStore(runtime.db),
        "allowance": lambda: MongoMessageAllowance(runtime.db),
        "consent": settings.consent,
        "retention": lambda: MongoCaseRetention(runtime.db),
    }
    unknown = set(given) - set(real) - {"feed"}
    if unknown:
        raise TypeError(f"bootstrap() got unknown ports: {sorted(unknown)}")
    built = {name: given[name] if name in given else make() for name, make in real.items()}
    return NotificationPorts(feed=feed, **built)


def bootstrap(
    settings: NotificationSettings | None = None, **ports: Any
) -> Service[NotificationPorts]:
    """Notification assembled: real adapters for every port not given; nothing connects yet."""
    settings = settings or NotificationSettings()
    runtime = ServiceRuntime(settings)
    # httpx logs each request URL at INFO; the Telegram URL holds the bot token
    logging.getLogger("httpx").setLevel(logging.WARNING)
    http = httpx.AsyncClient(timeout=settings.send_timeout_seconds, follow_redirects=False)
    wired = _ports(settings, runtime, http, ports)
    lease = timedelta(seconds=settings.lease_seconds)
    policy = RetryPolicy(
        settings.retry_base_seconds, settings.retry_max_seconds, settings.max_attempts
    )
    couriers = [
        Courier(
            wired.deliveries,
            adapter,
            wired.keyring,
            policy,
            lease=lease,
            poll_seconds=settings.outbox_poll_seconds,
            clock=wired.clock,
            batch=settings.courier_batch,
            codes=wired.consent.index,
        )
        for adapter in wired.channels
    ]
    if isinstance(wired.couriers, Couriers):
        wired.couriers.members = couriers
    workers = Workers(
        wired,
        couriers,
        lease=lease,
        max_attempts=settings.max_attempts,
        digest_hour_utc=settings.digest_hour_utc,
    )
    subscribers.subscribe(runtime.broker, wired, runtime.health)
    background = workers.jobs()
    if isinstance(wired.recipients, MongoRecipientDirectory):
        background.append(wired.recipients.mirror.follow)
    if settings.retention_enabled:
        every = timedelta(seconds=settings.retention_interval_seconds)
        background.append(retention_job(wired.retention, settings.retention_policy(), every))

    async def close_http() -> None:
        await http.aclose()

    app = web_app(
        runtime,
        title="Samleng notification",
        summary="Alerts to officers and to citizens who left a contact",
        on_start=[lambda: create_indexes(runtime.db)],
        background=background,
        admin_token=settings.admin_token,
    )
    _close_on_shutdown(app, http)
    # without OIDC settings the officer routes answer 503 (samleng.common.officers)
    app.include_router(api.router)
    app.include_router(admin_api.router)
    app.include_router(confirmations.router)
    return Service(settings, runtime, wired, app, verifier=token_verifier(settings)).installed()


def _close_on_shutdown(app: FastAPI, http: httpx.AsyncClient) -> None:
    """Close the providers' HTTP client after the service's own lifespan ends."""
    service_lifespan = app.router.lifespan_context

    @contextlib.asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        try:
            async with service_lifespan(app):
                yield
        finally:
            await http.aclose()

    app.router.lifespan_context = lifespan


def create_app(settings: NotificationSettings | None = None, **overrides: Any) -> FastAPI:
    """The notification app; nothing connects until its lifespan starts."""
    return bootstrap(settings, **overrides).app


async def create_indexes(db: Any) -> None:
    """Every index notification relies on (idempotent)."""
    await MongoAlertFeed(db).create_indexes()
    await MongoDeliveryQueue(db).create_indexes()
    await MongoRecipientDirectory(db).create_indexes()
    await MongoConfirmationStore(db).create_indexes()
    await MongoMessageAllowance(db).create_indexes()
    await MongoCaseRetention(db).create_indexes()


async def migrate(settings: NotificationSettings) -> None:
    """Create notification's indexes (idempotent)."""
    runtime = ServiceRuntime(settings)
    try:
        await create_indexes(runtime.db)
    finally:
        await runtime.mongo.close()
