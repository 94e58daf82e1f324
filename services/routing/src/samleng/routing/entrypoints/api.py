"""Routing's HTTP API: the active directory (public) and directory administration.

Admin endpoints need ``Authorization: Bearer <SAMLENG_ADMIN_TOKEN>`` until officer
authentication (OIDC) exists; with no token configured (development, test) they are off.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Body
from pydantic import ValidationError

from samleng.common.http import Problem
from samleng.routing.adapters.directory import UnknownVersion, VersionConflict, compile_spec
from samleng.routing.domain.model import Directory
from samleng.routing.domain.spec import DirectorySpec, InvalidDirectory, diff_directories
from samleng.routing.entrypoints.deps import DirectoriesDep

router = APIRouter(tags=["directory"])


@router.get("/v1/directory", summary="The active directory version")
async def active(directories: DirectoriesDep) -> dict[str, Any]:
    """The active version: its name, the provinces it serves and how many offices."""
    directory = await directories.active()
    return {
        "version": directory.version,
        "served_provinces": sorted(directory.served_provinces),
        "offices": len(directory.offices),
    }


@router.get("/v1/directory/offices/{office_id}", summary="One office of the active directory")
async def office(office_id: str, directories: DirectoriesDep) -> dict[str, Any]:
    """One office of the active directory, as events name it."""
    found = (await directories.active()).office(office_id)
    if found is None:
        raise Problem(404, "unknown-office", f"No office {office_id!r} in the directory.")
    return found.ref().model_dump()


@router.get("/v1/admin/directory/versions")
async def versions(directories: DirectoriesDep) -> list[dict[str, Any]]:
    """Every stored version, with which one is active."""
    return await directories.versions()


@router.post("/v1/admin/directory/validate")
async def validate(body: Annotated[dict[str, Any], Body()]) -> dict[str, Any]:
    """Check a directory without storing it."""
    spec = _spec(body)
    directory = _compile(spec)
    return {"valid": True, "version": spec.version, "offices": len(directory.offices)}


@router.post("/v1/admin/directory/versions", status_code=201)
async def load(
    body: Annotated[dict[str, Any], Body()], directories: DirectoriesDep
) -> dict[str, Any]:
    """Store a new version (409 if the version exists with other content)."""
    spec = _spec(body)
    _compile(spec)
    try:
        created = await directories.load(spec)
    except VersionConflict as exc:
        raise Problem(409, "directory-version-exists", str(exc)) from None
    return {"version": spec.version, "created": created}


@router.get("/v1/admin/directory/diff")
async def diff(from_version: str, to_version: str, directories: DirectoriesDep) -> dict[str, Any]:
    """What changes from one stored version to another."""
    try:
        old = await directories.directory(from_version)
        new = await directories.directory(to_version)
    except UnknownVersion as exc:
        raise Problem(404, "unknown-directory-version", str(exc)) from None
    return diff_directories(old, new)


@router.post("/v1/admin/directory/versions/{version}/activate")
async def activate(version: str, directories: DirectoriesDep) -> dict[str, Any]:
    """Make a stored version route new cases."""
    try:
        await directories.activate(version)
    except UnknownVersion as exc:
        raise Problem(404, "unknown-directory-version", f"{exc}; load it first.") from None
    return {"active": version}


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
