"""A small kustomize: renders ``deploy/k8s`` overlays without the kustomize binary.

It implements exactly the features the manifests use — ``resources`` (files and
directories), ``namespace``, ``labels`` (metadata only), ``images`` and ``patches`` (files,
strategic-merge style: maps merge, lists of named items merge by ``name``, other lists are
replaced) — and fails on any other key, so a manifest that starts using more is noticed.
"""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import yaml

Document = dict[str, Any]

SUPPORTED = {"apiVersion", "kind", "resources", "namespace", "labels", "images", "patches"}


def load_documents(path: Path) -> list[Document]:
    """Every YAML document of a file (empty documents skipped)."""
    with path.open(encoding="utf-8") as stream:
        return [d for d in yaml.safe_load_all(stream) if d]


def render(directory: Path) -> list[Document]:
    """The resources a ``kustomization.yaml`` in ``directory`` produces."""
    [kustomization] = load_documents(directory / "kustomization.yaml")
    unknown = set(kustomization) - SUPPORTED
    if unknown:
        raise ValueError(f"{directory}: kustomization keys this renderer lacks: {unknown}")
    resources: list[Document] = []
    for entry in kustomization.get("resources", []):
        target = (directory / entry).resolve()
        resources.extend(render(target) if target.is_dir() else load_documents(target))
    for patch in kustomization.get("patches", []):
        if set(patch) != {"path"}:
            raise ValueError(f"{directory}: only file patches are supported, got {patch}")
        for document in load_documents(directory / patch["path"]):
            _apply_patch(resources, document, directory / patch["path"])
    for label_set in kustomization.get("labels", []):
        if set(label_set) - {"pairs"}:
            raise ValueError(f"{directory}: only metadata label pairs are supported")
        for resource in resources:
            resource.setdefault("metadata", {}).setdefault("labels", {}).update(label_set["pairs"])
    for image in kustomization.get("images", []):
        for resource in resources:
            _set_image(resource, image)
    if "namespace" in kustomization:
        for resource in resources:
            resource.setdefault("metadata", {})["namespace"] = kustomization["namespace"]
    return resources


def key(resource: Document) -> tuple[str, str, str]:
    """Identity of a resource: kind, namespace and name."""
    metadata = resource.get("metadata", {})
    return (resource["kind"], metadata.get("namespace", ""), metadata["name"])


def _apply_patch(resources: list[Document], patch: Document, source: Path) -> None:
    matches = [
        r
        for r in resources
        if r["kind"] == patch["kind"] and r["metadata"]["name"] == patch["metadata"]["name"]
    ]
    if len(matches) != 1:
        name = f"{patch['kind']}/{patch['metadata']['name']}"
        raise ValueError(f"{source}: patch for {name} matches {len(matches)} resources")
    merged = merge(matches[0], patch)
    matches[0].clear()
    matches[0].update(merged)


def merge(base: Any, patch: Any) -> Any:
    """Strategic-merge-like: maps merge, lists of named maps merge by name, else replace."""
    if isinstance(base, dict) and isinstance(patch, dict):
        out = copy.deepcopy(base)
        for k, v in patch.items():
            out[k] = merge(base[k], v) if k in base else copy.deepcopy(v)
        return out
    if _named_list(base) and _named_list(patch):
        items = [copy.deepcopy(item) for item in base]
        for item in patch:
            index = next((i for i, b in enumerate(items) if b["name"] == item["name"]), None)
            if index is None:
                items.append(copy.deepcopy(item))
            else:
                items[index] = merge(items[index], item)
        return items
    return copy.deepcopy(patch)


def _named_list(value: Any) -> bool:
    return (
        isinstance(value, list)
        and bool(value)
        and all(isinstance(item, dict) and "name" in item for item in value)
    )


def _set_image(node: Any, image: Document) -> None:
    if isinstance(node, dict):
        for k, v in node.items():
            if k in ("containers", "initContainers") and isinstance(v, list):
                for container in v:
                    name, _, _tag = str(container.get("image", "")).partition(":")
                    if name == image["name"]:
                        new = image.get("newName", name)
                        tag = image.get("newTag")
                        container["image"] = f"{new}:{tag}" if tag else new
            else:
                _set_image(v, image)
    elif isinstance(node, list):
        for item in node:
            _set_image(item, image)
