"""Directory versions: the bundled pilot file, and the versions stored in MongoDB.

Collections: ``directory_versions`` (``_id`` = version, the spec as loaded; versions are
immutable) and ``directory_state`` (``_id`` = ``"active"``: which version routes new
cases). Every replica reads the active version from the database, so activating a
version on one replica switches all of them.
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


def bundled_spec() -> DirectorySpec:
    """The pilot directory shipped with this release (``reference/directory.json``)."""
    raw = files("samleng.routing.reference").joinpath(BUNDLED).read_bytes()
    return DirectorySpec.model_validate_json(raw)


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

    def __init__(self, db: AsyncDatabase[dict[str, Any]], *, refresh_seconds: float = 0) -> None:
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
            {"$set": {"version": version, "activated_at": datetime.now(UTC)}},
            upsert=True,
        )
        self._active = None

    async def active_version(self) -> str | None:
        """The active version's name, if one was activated."""
        doc = await self._state.find_one({"_id": "active"})
        return str(doc["version"]) if doc else None

    async def active(self) -> Directory:
        """The active directory (read again after ``refresh_seconds``); the bundled pilot
        if none was ever activated."""
        now = time.monotonic()
        if self._active is not None and now - self._active[0] < self._refresh:
            return self._active[1]
        version = await self.active_version()
        directory = await self.directory(version) if version else bundled_directory()
        self._active = (now, directory)
        return directory

    async def ensure_bundled(self) -> None:
        """Load the bundled pilot and activate it if nothing is active yet (idempotent)."""
        spec = bundled_spec()
        # if the bundled file changed without a new version, keep what routed cases
        with contextlib.suppress(VersionConflict):
            await self.load(spec)
        await self._state.update_one(
            {"_id": "active"},
            {"$setOnInsert": {"version": spec.version, "activated_at": datetime.now(UTC)}},
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
