"""FastAPI dependencies of notification's HTTP API, every one rooted in ``service_of``.

    @router.get("/v1/offices/{office_id}/notifications")
    async def office_feed(feed: FeedDep, officer: CurrentOfficer) -> ...

Tests swap any of them with ``app.dependency_overrides[get_feed] = ...``.
"""

from __future__ import annotations

from typing import Annotated, cast

from fastapi import Depends, Request

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
