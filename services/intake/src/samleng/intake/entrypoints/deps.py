"""FastAPI dependencies: what a request needs, all read from the service ``bootstrap`` built.

They are ``async`` so FastAPI calls them on the event loop, not through its threadpool.

Every alias is rooted in :func:`samleng.common.service.service_of`, so a test swaps a
port with ``bootstrap(settings, cases=InMemoryCases())`` or any alias with
``app.dependency_overrides``::

    async def follow(code: str, desk: CitizenDeskDep) -> CaseView: ...
    async def inbox(officer: CurrentOfficer, desk: OfficerDeskDep) -> InboxView: ...
"""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass
from typing import Annotated, cast

from fastapi import Depends, Request

from samleng.common.officers import CurrentOfficer
from samleng.common.service import service_of
from samleng.intake.ports import (
    Allowances,
    Attachments,
    Cases,
    IntakePorts,
    Keys,
    OfficerDesk,
    Relay,
)
from samleng.intake.settings import IntakeSettings

__all__ = [
    "AttachmentsDep",
    "CasesDep",
    "CitizenDesk",
    "CitizenDeskDep",
    "CurrentOfficer",
    "OfficerDeskDep",
    "PortsDep",
    "SettingsDep",
]


async def get_ports(request: Request) -> IntakePorts:
    """The ports of the intake service serving this request."""
    return cast(IntakePorts, service_of(request).ports)


PortsDep = Annotated[IntakePorts, Depends(get_ports)]


async def get_cases(ports: PortsDep) -> Cases:
    """The case store."""
    return ports.cases


async def get_attachments(ports: PortsDep) -> Attachments:
    """The attachment store."""
    return ports.attachments


async def get_officer_desk(ports: PortsDep) -> OfficerDesk:
    """What officers' use cases work with."""
    return ports.officers


async def get_settings(ports: PortsDep) -> IntakeSettings:
    """This service's settings."""
    return ports.settings


CasesDep = Annotated[Cases, Depends(get_cases)]
AttachmentsDep = Annotated[Attachments, Depends(get_attachments)]
OfficerDeskDep = Annotated[OfficerDesk, Depends(get_officer_desk)]
SettingsDep = Annotated[IntakeSettings, Depends(get_settings)]


def client_address(request: Request, trusted_proxies: tuple[str, ...]) -> str:
    """The address of the client: the connection's peer, or, when the peer is a trusted
    proxy, the last address in X-Forwarded-For that is not one. Never stored or logged."""
    peer = request.client.host if request.client else ""
    trusted = [ipaddress.ip_network(proxy, strict=False) for proxy in trusted_proxies]

    def is_trusted(address: str) -> bool:
        try:
            ip = ipaddress.ip_address(address)
        except ValueError:
            return False
        return any(ip in network for network in trusted)

    if not trusted or not is_trusted(peer):
        return peer
    hops = [hop.strip() for hop in request.headers.get("x-forwarded-for", "").split(",")]
    for hop in reversed(hops):
        if not hop:
            continue
        try:
            ipaddress.ip_address(hop)
        except ValueError:
            return peer  # a forged or broken header: count the proxy's own address
        if not is_trusted(hop):
            return hop
    return peer


@dataclass(frozen=True)
class CitizenDesk:
    """What every citizen action needs: the cases, keys, this client's budget shares,
    relay and settings."""

    cases: Cases
    keys: Keys
    budgets: Allowances
    relay: Relay
    settings: IntakeSettings


async def get_citizen_desk(ports: PortsDep, request: Request) -> CitizenDesk:
    """The citizen desk of this service, with the shares of the client asking."""
    address = client_address(request, ports.settings.trusted_proxies)
    return CitizenDesk(
        ports.cases, ports.keys, ports.budgets.for_client(address), ports.relay, ports.settings
    )


CitizenDeskDep = Annotated[CitizenDesk, Depends(get_citizen_desk)]
