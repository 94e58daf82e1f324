"""Where the dev stack keeps its files: everything lives under ``<repo>/.local/``.

``.local/`` is gitignored. ``SAMLENG_DEVSTACK_HOME`` moves it elsewhere (for example a
scratch directory in CI); the default is the ``.local`` folder of the workspace root.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

_WORKSPACE_MARKER = "[tool.uv.workspace]"


def find_repo_root(start: Path | None = None) -> Path:
    """Return the uv workspace root above ``start`` (default: the working directory)."""
    here = (start or Path.cwd()).resolve()
    for candidate in (here, *here.parents):
        pyproject = candidate / "pyproject.toml"
        if pyproject.is_file() and _WORKSPACE_MARKER in pyproject.read_text(encoding="utf-8"):
            return candidate
    # Installed outside a checkout: fall back to the source tree this file came from.
    source_root = Path(__file__).resolve().parents[5]
    if (source_root / "pyproject.toml").is_file():
        return source_root
    return here


@dataclass(frozen=True)
class LocalPaths:
    """The folders of one dev stack home (``.local/``)."""

    home: Path

    @classmethod
    def default(cls) -> LocalPaths:
        """Return the paths for this checkout, honouring ``SAMLENG_DEVSTACK_HOME``."""
        override = os.environ.get("SAMLENG_DEVSTACK_HOME")
        home = Path(override) if override else find_repo_root() / ".local"
        return cls(home.resolve())

    @property
    def cache(self) -> Path:
        """Downloaded wheels (kept by ``make clean``)."""
        return self.home / "cache"

    @property
    def mongodb(self) -> Path:
        """The mongod binary, data directory and log."""
        return self.home / "mongodb"

    @property
    def logs(self) -> Path:
        """Service logs of ``run`` and ``up``."""
        return self.home / "logs"

    @property
    def run(self) -> Path:
        """Pid files and records of what the dev stack started."""
        return self.home / "run"

    @property
    def dev_env(self) -> Path:
        """Stable development settings (generated keys, user overrides)."""
        return self.home / "dev.env"
