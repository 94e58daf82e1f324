"""The AsyncAPI document is generated from the code and the checked-in copy agrees with it."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml
from faststream.specification.asyncapi.v3_0_0.schema import ApplicationSchema

from samleng.common.asyncapi import build, render, topic_matches
from samleng.common.events import registered_events, routing_key_of
from samleng.common.topology import CONSUMERS

pytestmark = pytest.mark.unit

DOCUMENT = Path(__file__).resolve().parents[2] / "docs" / "asyncapi.yaml"
REGENERATE = "uv run python -m samleng.common.asyncapi > docs/asyncapi.yaml"


def test_the_checked_in_document_is_what_the_code_generates() -> None:
    assert DOCUMENT.exists(), f"docs/asyncapi.yaml is missing; run: {REGENERATE}"
    assert DOCUMENT.read_text(encoding="utf-8") == render(), (
        f"events or topology changed but docs/asyncapi.yaml did not; run: {REGENERATE}"
    )


def test_every_event_and_every_queue_is_documented() -> None:
    document = build()
    for cls in registered_events():
        assert routing_key_of(cls) in document["channels"]
        assert cls.__name__ in document["components"]["messages"]
    for service, consumer in CONSUMERS.items():
        channel = document["channels"][consumer.name]
        assert channel["messages"], f"{service}'s bindings match no event"
        assert document["operations"][f"{service}.receive"]["action"] == "receive"


def test_every_reference_resolves() -> None:
    document = yaml.safe_load(DOCUMENT.read_text(encoding="utf-8"))
    refs: list[str] = []

    def walk(node: Any) -> None:
        if isinstance(node, dict):
            if isinstance(node.get("$ref"), str):
                refs.append(node["$ref"])
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)

    walk(document)
    assert refs
    for ref in refs:
        target: Any = document
        for part in ref.removeprefix("#/").split("/"):
            part = part.replace("~1", "/").replace("~0", "~")
            assert isinstance(target, dict) and part in target, f"dangling $ref {ref}"
            target = target[part]


def test_the_document_has_the_asyncapi_3_shape() -> None:
    parsed = ApplicationSchema.model_validate(build())
    assert parsed.asyncapi == "3.0.0"
    assert parsed.channels and parsed.operations


@pytest.mark.parametrize(
    ("pattern", "key", "expected"),
    [
        ("complaint.#", "complaint.submitted.v1", True),
        ("complaint.#", "complaint", True),
        ("#", "complaint.submitted.v1", True),
        ("complaint.*.v1", "complaint.submitted.v1", True),
        ("complaint.*", "complaint.submitted.v1", False),
        ("complaint.submitted.v1", "complaint.submitted.v2", False),
        ("#.v1", "complaint.assigned.v1", True),
        ("rating.#", "complaint.rated.v1", False),
    ],
)
def test_topic_matching_follows_amqp(pattern: str, key: str, expected: bool) -> None:
    assert topic_matches(pattern, key) is expected
