"""Renders ``deploy/k8s`` base and overlays with ``kubectl kustomize`` (or ``kustomize build``).

The real tool, not an imitation: what the tests check is exactly what ``kubectl apply -k``
would send to a cluster.
"""

from __future__ import annotations

import shutil
import subprocess
from functools import cache
from pathlib import Path
from typing import Any

import yaml

Document = dict[str, Any]


def kustomize_command() -> list[str]:
    """``kubectl kustomize``, or the standalone ``kustomize build`` if only that exists."""
    if kubectl := shutil.which("kubectl"):
        return [kubectl, "kustomize"]
    if kustomize := shutil.which("kustomize"):
        return [kustomize, "build"]
    raise RuntimeError("tests/deploy needs kubectl (or kustomize) on PATH to render manifests")


@cache
def _render_text(directory: Path) -> str:
    done = subprocess.run(
        [*kustomize_command(), str(directory)], capture_output=True, text=True, timeout=120
    )
    if done.returncode != 0:
        raise RuntimeError(f"kustomize failed for {directory}:\n{done.stderr}")
    return done.stdout


def render(directory: Path) -> list[Document]:
    """The resources ``kubectl kustomize directory`` produces (a fresh copy per call)."""
    return [d for d in yaml.safe_load_all(_render_text(directory.resolve())) if d]


def key(resource: Document) -> tuple[str, str, str]:
    """Identity of a resource: kind, namespace and name."""
    metadata = resource.get("metadata", {})
    return (resource["kind"], metadata.get("namespace", ""), metadata["name"])
