"""FastAPI dependencies: what each request needs from the app it runs in."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated, TypeVar

from fastapi import Depends, Request

from samleng.common.outbox import OutboxRelay
from samleng.intake.adapters.attachments import AttachmentStore
from samleng.intake.adapters.budgets import Budget
from samleng.intake.adapters.cases import CaseRepository
from samleng.intake.domain.tracking import TrackingCodeHasher
from samleng.intake.handlers import Keys
from samleng.intake.settings import IntakeSettings

T = TypeVar("T")


def _state(request: Request, name: str, kind: type[T]) -> T:
    value = getattr(request.app.state, name)
    assert isinstance(value, kind)
    return value


@dataclass(frozen=True)
class Budgets:
    """The shared abuse budgets (see samleng.intake.adapters.budgets)."""

    lookup_misses: Budget
    submissions: Budget


def get_cases(request: Request) -> CaseRepository:
    """The case repository of this app."""
    return _state(request, "cases", CaseRepository)


def get_hasher(request: Request) -> TrackingCodeHasher:
    """The tracking-code hasher of this app."""
    return _state(request, "hasher", TrackingCodeHasher)


def get_relay(request: Request) -> OutboxRelay:
    """The outbox relay of this app."""
    return _state(request, "relay", OutboxRelay)


def get_settings(request: Request) -> IntakeSettings:
    """This app's settings."""
    return _state(request, "settings", IntakeSettings)


def get_keys(request: Request) -> Keys:
    """This app's hashing, encryption and sealing keys."""
    return _state(request, "keys", Keys)


def get_budgets(request: Request) -> Budgets:
    """This app's abuse budgets."""
    return _state(request, "budgets", Budgets)


def get_attachments(request: Request) -> AttachmentStore:
    """This app's attachment store."""
    return _state(request, "attachments", AttachmentStore)


CasesDep = Annotated[CaseRepository, Depends(get_cases)]
HasherDep = Annotated[TrackingCodeHasher, Depends(get_hasher)]
RelayDep = Annotated[OutboxRelay, Depends(get_relay)]
SettingsDep = Annotated[IntakeSettings, Depends(get_settings)]
KeysDep = Annotated[Keys, Depends(get_keys)]
BudgetsDep = Annotated[Budgets, Depends(get_budgets)]
AttachmentsDep = Annotated[AttachmentStore, Depends(get_attachments)]


@dataclass(frozen=True)
class CitizenDesk:
    """What every citizen action needs: the cases, the code hasher, budgets and relay."""

    cases: CaseRepository
    hasher: TrackingCodeHasher
    budgets: Budgets
    relay: OutboxRelay
    settings: IntakeSettings


def get_desk(
    cases: CasesDep,
    hasher: HasherDep,
    budgets: BudgetsDep,
    relay: RelayDep,
    settings: SettingsDep,
) -> CitizenDesk:
    """The citizen desk of this app."""
    return CitizenDesk(cases, hasher, budgets, relay, settings)


DeskDep = Annotated[CitizenDesk, Depends(get_desk)]
