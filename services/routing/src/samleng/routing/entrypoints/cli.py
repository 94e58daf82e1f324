"""Directory administration from the command line::

    python -m samleng.routing directory validate FILE
    python -m samleng.routing directory load FILE [--activate]
    python -m samleng.routing directory diff FROM TO      # versions or files
    python -m samleng.routing directory activate VERSION
    python -m samleng.routing directory list

``serve`` and ``migrate`` are in ``samleng.routing.__main__``.
Output is JSON; the exit status is 0 on success, 1 when the directory or version is refused.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from samleng.common.progress import Progress
from samleng.common.runtime import ServiceRuntime
from samleng.routing.adapters.directory import (
    DirectoryStore,
    UnknownVersion,
    VersionConflict,
    compile_spec,
    read_spec,
)
from samleng.routing.domain.model import Directory
from samleng.routing.domain.spec import InvalidDirectory, diff_directories
from samleng.routing.settings import RoutingSettings


def run_directory_cli(argv: list[str], settings: RoutingSettings | None = None) -> int:
    """Run ``directory ...``; the process exit status."""
    parser = argparse.ArgumentParser(prog="python -m samleng.routing directory")
    commands = parser.add_subparsers(dest="command", required=True)
    commands.add_parser("validate", help="check a directory file").add_argument("file")
    load = commands.add_parser("load", help="store a directory file as a new version")
    load.add_argument("file")
    load.add_argument("--activate", action="store_true", help="also make it active")
    diff = commands.add_parser("diff", help="what changes between two versions or files")
    diff.add_argument("old")
    diff.add_argument("new")
    commands.add_parser("activate", help="make a stored version active").add_argument("version")
    commands.add_parser("list", help="stored versions")
    args = parser.parse_args(argv)
    try:
        if args.command == "validate":
            directory = compile_spec(read_spec(args.file))
            result: Any = {"valid": True, "version": directory.version,
                           "offices": len(directory.offices)}  # fmt: skip
        else:
            result = asyncio.run(_with_store(args, settings or RoutingSettings()))
    except (ValidationError, InvalidDirectory, UnknownVersion, VersionConflict, OSError) as exc:
        print(json.dumps({"error": str(exc)}, ensure_ascii=False), file=sys.stderr)
        return 1
    print(json.dumps(result, ensure_ascii=False, indent=2, default=str))
    return 0


async def _with_store(args: argparse.Namespace, settings: RoutingSettings) -> Any:
    runtime = ServiceRuntime(settings)
    store = DirectoryStore(runtime.db)
    try:
        if args.command == "load":
            # steps: read, validate and store, activate; one line each, on stderr
            progress = Progress(
                "directory load", 3 if args.activate else 2, unit="steps", every_seconds=0
            )
            spec = read_spec(args.file)
            progress.advance()
            created = await store.load(spec)
            progress.advance()
            if args.activate:
                await store.activate(spec.version)
                progress.advance()
            progress.finish()
            return {"version": spec.version, "created": created, "active": args.activate}
        if args.command == "activate":
            await store.activate(args.version)
            return {"active": args.version}
        if args.command == "diff":
            old, new = await _resolve(store, args.old), await _resolve(store, args.new)
            return diff_directories(old, new)
        return await store.versions()
    finally:
        await runtime.mongo.close()


async def _resolve(store: DirectoryStore, name: str) -> Directory:
    # a path on disk is a file to compare; anything else names a stored version
    if Path(name).is_file():  # noqa: ASYNC240 - a CLI, nothing else runs on its loop
        return compile_spec(read_spec(name))
    return await store.directory(name)
