"""FastAPI dependencies of notification's HTTP API, every one rooted in ``service_of``.

    @router.get("/v1/offices/{office_id}/notifications")
    async def office_feed(feed: FeedDep, officer: CurrentOfficer) -> ...

Tests swap any of them with ``app.dependency_overrides[get_feed] = ...``.
"""

from __future__ import annotations

import hmac
from typing import Annotated, cast

from fastapi import Depends, Header, Request

from samleng.common.http import Problem
from samleng.common.service import service_of
from samleng.notification.ports import (
    AlertFeed,
    DeliveryQueue,
    NotificationPorts,
    RecipientDirectory,
)
from samleng.notification.settings import NotificationSettings


def get_ports(request: Request) -> NotificationPorts:
    """Every port of the service serving this request."""
    return cast(NotificationPorts, service_of(request).ports)


def get_settings(request: Request) -> NotificationSettings:
    """The settings of the service serving this request."""
    return cast(NotificationSettings, service_of(request).settings)


def get_feed(request: Request) -> AlertFeed:
    """The offices' in-app feeds."""
    return get_ports(request).feed


def get_recipients(request: Request) -> RecipientDirectory:
    """Who receives each office's alerts."""
    return get_ports(request).recipients


def get_deliveries(request: Request) -> DeliveryQueue:
    """The delivery queue."""
    return get_ports(request).deliveries


PortsDep = Annotated[NotificationPorts, Depends(get_ports)]
SettingsDep = Annotated[NotificationSettings, Depends(get_settings)]
FeedDep = Annotated[AlertFeed, Depends(get_feed)]
RecipientsDep = Annotated[RecipientDirectory, Depends(get_recipients)]
DeliveriesDep = Annotated[DeliveryQueue, Depends(get_deliveries)]


def require_admin(
    settings: SettingsDep, authorization: Annotated[str | None, Header()] = None
) -> None:
    """Admit only the configured admin bearer token (503 while none is configured)."""
    token = settings.admin_token.get_secret_value()
    if not token:
        raise Problem(
            503,
            "admin-disabled",
            "The admin API is off: set SAMLENG_ADMIN_TOKEN to turn it on.",
        )
    scheme, _, given = (authorization or "").partition(" ")
    if scheme.lower() != "bearer" or not hmac.compare_digest(given.encode(), token.encode()):
        raise Problem(
            401,
            "admin-token-required",
            "Send the admin token as 'Authorization: Bearer <token>'.",
        )
