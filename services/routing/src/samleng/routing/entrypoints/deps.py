"""FastAPI dependencies of routing's API, all rooted in :func:`service_of` (the service
``bootstrap`` assembled); tests swap any of them with ``app.dependency_overrides``.

They are coroutines, so FastAPI never sends them through its thread pool."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request

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
