"""Directory versions: the bundled pilot file, and the versions stored in MongoDB.

Collections: ``directory_versions`` (``_id`` = version, the spec as loaded; versions are
immutable) and ``directory_state`` (``_id`` = ``"active"``: which version routes new
cases, and ``by``: ``"startup"`` when a starting service chose it, ``"admin"`` when an
admin activated it). Every replica reads the active version from the database, so
activating a version on one replica switches all of them.

Two directories ship with routing: ``directory.json`` (``pilot-2026.1``, ten whole
provinces; the default) and ``our-voice-pilot.json`` (an ILLUSTRATIVE pilot footprint of
single offices and communes, which the dev stack starts with). ``SAMLENG_INITIAL_DIRECTORY``
chooses the one a starting service activates when no admin chose one.
"""

from __future__ import annotations

import contextlib
import json
import time
from datetime import UTC, datetime
from functools import cache
from importlib.resources import files
from pathlib import Path
from typing import Any

from pymongo.asynchronous.database import AsyncDatabase
from pymongo.errors import DuplicateKeyError

from samleng.common.reference import service_catalogue
from samleng.routing.adapters.gazetteer import gazetteer_areas
from samleng.routing.domain.model import Directory
from samleng.routing.domain.spec import DirectorySpec, compile_directory, spec_summary

BUNDLED = "directory.json"


class UnknownVersion(LookupError):
    """No directory version with this name is stored."""


class VersionConflict(ValueError):
    """A different directory was already stored under this version (versions are immutable)."""


def read_spec(source: str | Path | bytes) -> DirectorySpec:
    """Parse and validate a directory file (path or JSON bytes)."""
    raw = source if isinstance(source, bytes) else Path(source).read_bytes()
    return DirectorySpec.model_validate_json(raw)


def bundled_spec(name: str = BUNDLED) -> DirectorySpec:
    """A directory shipped with this release (by default ``reference/directory.json``)."""
    raw = files("samleng.routing.reference").joinpath(name).read_bytes()
    return DirectorySpec.model_validate_json(raw)


def initial_spec(name_or_path: str) -> DirectorySpec:
    """The directory a starting service activates: a file shipped in ``reference/`` by
    name (``our-voice-pilot.json``), or a directory file by path."""
    if (
        "/" not in name_or_path
        and files("samleng.routing.reference").joinpath(name_or_path).is_file()
    ):
        return bundled_spec(name_or_path)
    return read_spec(name_or_path)


def compile_spec(spec: DirectorySpec) -> Directory:
    """The directory a spec describes, over the gazetteer (InvalidDirectory if unusable)."""
    return _compiled(spec.model_dump_json())


@cache
def _compiled(spec_json: str) -> Directory:
    spec = DirectorySpec.model_validate_json(spec_json)
    return compile_directory(spec, gazetteer_areas(), service_catalogue().ministries)


def bundled_directory() -> Directory:
    """The compiled pilot directory."""
    return compile_spec(bundled_spec())


class DirectoryStore:
    """Stored directory versions and the active one."""

    def __init__(
        self,
        db: AsyncDatabase[dict[str, Any]],
        *,
        refresh_seconds: float = 0,
        initial: DirectorySpec | None = None,
    ) -> None:
        self._initial = initial or bundled_spec()
        self._versions = db["directory_versions"]
        self._state = db["directory_state"]
        self._compiled: dict[str, Directory] = {}  # versions are immutable
        self._refresh = refresh_seconds
        self._active: tuple[float, Directory] | None = None  # (read at, directory)

    async def load(self, spec: DirectorySpec) -> bool:
        """Validate and store a version; False if that exact version was stored already."""
        compile_spec(spec)  # refuse what cannot route before storing it
        body = json.loads(spec.model_dump_json())
        try:
            await self._versions.insert_one(
                {"_id": spec.version, "spec": body, "loaded_at": datetime.now(UTC)}
            )
        except DuplicateKeyError:
            stored = await self._versions.find_one({"_id": spec.version})
            if stored is None or stored["spec"] != body:
                raise VersionConflict(
                    f"version {spec.version!r} exists with different content; "
                    "give the changed directory a new version"
                ) from None
            return False
        return True

    async def spec(self, version: str) -> DirectorySpec:
        """A stored version's spec; UnknownVersion if there is none."""
        doc = await self._versions.find_one({"_id": version})
        if doc is None:
            raise UnknownVersion(f"no directory version {version!r} is loaded")
        return DirectorySpec.model_validate(doc["spec"])

    async def directory(self, version: str) -> Directory:
        """A stored version, compiled."""
        if version not in self._compiled:
            self._compiled[version] = compile_spec(await self.spec(version))
        return self._compiled[version]

    async def activate(self, version: str) -> None:
        """Make a stored version route new cases (on every replica)."""
        await self.spec(version)
        await self._state.update_one(
            {"_id": "active"},
            {"$set": {"version": version, "activated_at": datetime.now(UTC), "by": "admin"}},
            upsert=True,
        )
        self._active = None

    async def active_version(self) -> str | None:
        """The active version's name, if one was activated."""
        doc = await self._state.find_one({"_id": "active"})
        return str(doc["version"]) if doc else None

    async def active(self) -> Directory:
        """The active directory (read again after ``refresh_seconds``); the initial one
        if none was ever activated."""
        now = time.monotonic()
        if self._active is not None and now - self._active[0] < self._refresh:
            return self._active[1]
        version = await self.active_version()
        directory = await self.directory(version) if version else compile_spec(self._initial)
        self._active = (now, directory)
        return directory

    async def ensure_bundled(self) -> None:
        """Load the initial directory and activate it unless an admin chose a version
        (idempotent): nothing active yet, or a version a starting service chose."""
        spec = self._initial
        # if the bundled file changed without a new version, keep what routed cases
        with contextlib.suppress(VersionConflict):
            await self.load(spec)
        state = await self._state.find_one({"_id": "active"})
        # states written before ``by`` existed: the default pilot was the startup's choice
        chosen_at_startup = state is not None and (
            state.get("by") == "startup"
            or ("by" not in state and state.get("version") == bundled_spec().version)
        )
        if state is None or (chosen_at_startup and state.get("version") != spec.version):
            await self._state.update_one(
                {"_id": "active"},
                {
                    "$set": {
                        "version": spec.version,
                        "activated_at": datetime.now(UTC),
                        "by": "startup",
                    }
                },
                upsert=True,
            )
        self._active = None

    async def versions(self) -> list[dict[str, Any]]:
        """Every stored version, with which one is active."""
        active = await self.active_version()
        listed = []
        async for doc in self._versions.find().sort("loaded_at", 1):
            summary = spec_summary(DirectorySpec.model_validate(doc["spec"]))
            listed.append(
                {**summary, "active": doc["_id"] == active, "loaded_at": doc["loaded_at"]}
            )
        return listed
