"""FastAPI dependencies: what a request needs, all read from the service ``bootstrap`` built.

They are ``async`` so FastAPI calls them on the event loop, not through its threadpool.

Every alias is rooted in :func:`samleng.common.service.service_of`, so a test swaps a
port with ``bootstrap(settings, cases=InMemoryCases())`` or any alias with
``app.dependency_overrides``::

    async def follow(code: str, desk: CitizenDeskDep) -> CaseView: ...
    async def inbox(officer: CurrentOfficer, desk: OfficerDeskDep) -> InboxView: ...
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated, cast

from fastapi import Depends, Request

from samleng.common.officers import CurrentOfficer
from samleng.common.service import service_of
from samleng.intake.ports import (
    Attachments,
    Budgets,
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


@dataclass(frozen=True)
class CitizenDesk:
    """What every citizen action needs: the cases, keys, budgets, relay and settings."""

    cases: Cases
    keys: Keys
    budgets: Budgets
    relay: Relay
    settings: IntakeSettings


async def get_citizen_desk(ports: PortsDep) -> CitizenDesk:
    """The citizen desk of this service."""
    return CitizenDesk(ports.cases, ports.keys, ports.budgets, ports.relay, ports.settings)


CitizenDeskDep = Annotated[CitizenDesk, Depends(get_citizen_desk)]
