"""FastAPI dependencies of routing's API, all rooted in :func:`service_of` (the service
``bootstrap`` assembled); tests swap any of them with ``app.dependency_overrides``.

They are coroutines, so FastAPI never sends them through its thread pool."""

from __future__ import annotations

import hmac
from typing import Annotated

from fastapi import Depends, Header, Request

from samleng.common.http import Problem
from samleng.common.service import service_of
from samleng.routing.ports import Directories, RoutingPorts
from samleng.routing.settings import RoutingSettings


async def get_ports(request: Request) -> RoutingPorts:
    """The ports of the service serving this request."""
    ports = service_of(request).ports
    if not isinstance(ports, RoutingPorts):
        raise RuntimeError("not routing's service: its ports are not RoutingPorts")
    return ports


async def get_settings(request: Request) -> RoutingSettings:
    """Routing's settings."""
    settings = service_of(request).settings
    if not isinstance(settings, RoutingSettings):
        raise RuntimeError("not routing's service: its settings are not RoutingSettings")
    return settings


PortsDep = Annotated[RoutingPorts, Depends(get_ports)]
SettingsDep = Annotated[RoutingSettings, Depends(get_settings)]


async def get_directories(ports: PortsDep) -> Directories:
    """The directory versions (the active one and those admins load)."""
    return ports.directories


DirectoriesDep = Annotated[Directories, Depends(get_directories)]


async def require_admin(
    settings: SettingsDep, authorization: Annotated[str | None, Header()] = None
) -> None:
    """Refuse a request without the admin bearer token (off when no token is configured)."""
    token = settings.admin_token.get_secret_value()
    if not token:
        raise Problem(
            403, "admin-api-disabled", "Set SAMLENG_ADMIN_TOKEN to enable directory administration."
        )
    given = (authorization or "").removeprefix("Bearer ").strip()
    if not hmac.compare_digest(given.encode(), token.encode()):
        raise Problem(
            401,
            "admin-token-required",
            "Send 'Authorization: Bearer <admin token>' (SAMLENG_ADMIN_TOKEN).",
        )


Admin = Depends(require_admin)
