"""Routing's HTTP API: the active directory (public) and directory administration.

Admin endpoints need ``Authorization: Bearer <SAMLENG_ADMIN_TOKEN>`` until officer
authentication (OIDC) exists; with no token configured (development, test) they are off.
"""

from __future__ import annotations

import hmac
from typing import Annotated, Any

from fastapi import APIRouter, Body, Depends, Header
from pydantic import ValidationError

from samleng.common.http import Problem
from samleng.routing.adapters.directory import (
    DirectoryStore,
    UnknownVersion,
    VersionConflict,
    compile_spec,
)
from samleng.routing.domain.model import Directory
from samleng.routing.domain.spec import DirectorySpec, InvalidDirectory, diff_directories
from samleng.routing.settings import RoutingSettings


def directory_router(store: DirectoryStore, settings: RoutingSettings) -> APIRouter:
    """Routes to read the active directory and to load, validate, diff and activate one."""
    router = APIRouter(tags=["directory"])

    def admin(authorization: Annotated[str | None, Header()] = None) -> None:
        token = settings.admin_token.get_secret_value()
        if not token:
            raise Problem(
                403,
                "admin-api-disabled",
                "Set SAMLENG_ADMIN_TOKEN to enable directory administration.",
            )
        given = (authorization or "").removeprefix("Bearer ").strip()
        if not hmac.compare_digest(given.encode(), token.encode()):
            raise Problem(
                401,
                "admin-token-required",
                "Send 'Authorization: Bearer <admin token>' (SAMLENG_ADMIN_TOKEN).",
            )

    Admin = Depends(admin)

    @router.get("/v1/directory", summary="The active directory version")
    async def active() -> dict[str, Any]:
        directory = await store.active()
        return {
            "version": directory.version,
            "served_provinces": sorted(directory.served_provinces),
            "offices": len(directory.offices),
        }

    @router.get("/v1/directory/offices/{office_id}", summary="One office of the active directory")
    async def office(office_id: str) -> dict[str, Any]:
        found = (await store.active()).office(office_id)
        if found is None:
            raise Problem(404, "unknown-office", f"No office {office_id!r} in the directory.")
        return found.ref().model_dump()

    @router.get("/v1/admin/directory/versions", dependencies=[Admin])
    async def versions() -> list[dict[str, Any]]:
        return await store.versions()

    @router.post("/v1/admin/directory/validate", dependencies=[Admin])
    async def validate(body: Annotated[dict[str, Any], Body()]) -> dict[str, Any]:
        spec = _spec(body)
        directory = _compile(spec)
        return {"valid": True, "version": spec.version, "offices": len(directory.offices)}

    @router.post("/v1/admin/directory/versions", status_code=201, dependencies=[Admin])
    async def load(body: Annotated[dict[str, Any], Body()]) -> dict[str, Any]:
        spec = _spec(body)
        _compile(spec)
        try:
            created = await store.load(spec)
        except VersionConflict as exc:
            raise Problem(409, "directory-version-exists", str(exc)) from None
        return {"version": spec.version, "created": created}

    @router.get("/v1/admin/directory/diff", dependencies=[Admin])
    async def diff(from_version: str, to_version: str) -> dict[str, Any]:
        try:
            old = await store.directory(from_version)
            new = await store.directory(to_version)
        except UnknownVersion as exc:
            raise Problem(404, "unknown-directory-version", str(exc)) from None
        return diff_directories(old, new)

    @router.post("/v1/admin/directory/versions/{version}/activate", dependencies=[Admin])
    async def activate(version: str) -> dict[str, Any]:
        try:
            await store.activate(version)
        except UnknownVersion as exc:
            raise Problem(404, "unknown-directory-version", f"{exc}; load it first.") from None
        return {"active": version}

    return router


def _spec(body: dict[str, Any]) -> DirectorySpec:
    try:
        return DirectorySpec.model_validate(body)
    except ValidationError as exc:
        raise Problem(422, "invalid-directory", _errors(exc)) from None


def _compile(spec: DirectorySpec) -> Directory:
    try:
        return compile_spec(spec)
    except InvalidDirectory as exc:
        raise Problem(422, "invalid-directory", str(exc)) from None


def _errors(exc: ValidationError) -> str:
    return "; ".join(
        f"{'.'.join(str(p) for p in e['loc']) or '(body)'}: {e['msg']}"
        for e in exc.errors(include_url=False, include_input=False)[:10]
    )
