"""The AsyncAPI document is generated from the code, the checked-in copy agrees with it,
and the official parser (npm ``@asyncapi/parser``, installed by ``make bootstrap`` into
``tools/contracts/node_modules``) accepts it without an error."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
import yaml

from samleng.common.asyncapi import build, render, topic_matches
from samleng.common.events import registered_events, routing_key_of
from samleng.common.topology import CONSUMERS, ConsumerQueue

pytestmark = pytest.mark.unit

ROOT = Path(__file__).resolve().parents[2]
DOCUMENT = ROOT / "docs" / "asyncapi.yaml"
REGENERATE = "uv run python -m samleng.common.asyncapi > docs/asyncapi.yaml"
VALIDATOR = ROOT / "tools" / "contracts" / "validate-asyncapi.mjs"
PARSER = ROOT / "tools" / "contracts" / "node_modules" / "@asyncapi" / "parser"


def official_diagnostics(text: str) -> dict[str, list[dict[str, str]]]:
    """The official parser's errors and warnings for an AsyncAPI document."""
    node = shutil.which("node")
    assert node, "Node.js is needed to run the official AsyncAPI parser (apt-get install nodejs)"
    assert PARSER.is_dir(), "the official AsyncAPI parser is not installed; run: make bootstrap"
    done = subprocess.run(
        [node, str(VALIDATOR), "-"], input=text, capture_output=True, text=True, timeout=120
    )
    assert done.returncode in (0, 1), f"the validator could not run: {done.stderr}"
    report = json.loads(done.stdout)
    assert isinstance(report, dict)
    return report


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


def test_the_official_parser_accepts_the_checked_in_document() -> None:
    report = official_diagnostics(DOCUMENT.read_text(encoding="utf-8"))
    assert report["errors"] == [], json.dumps(report["errors"][:5], indent=1)
    assert report["warnings"] == [], json.dumps(report["warnings"][:5], indent=1)


def test_the_official_parser_rejects_what_the_amqp_bindings_forbid() -> None:
    """The check is alive: persistence declared on the message (where it was) is refused."""
    document = build()
    for message in document["components"]["messages"].values():
        message["bindings"]["amqp"]["deliveryMode"] = 2
    report = official_diagnostics(yaml.safe_dump(document, sort_keys=False))
    assert any("deliveryMode" in e["message"] for e in report["errors"]), report


def test_publishing_is_persistent_and_mandatory_and_consuming_acks() -> None:
    operations = build()["operations"]
    sends = [o for o in operations.values() if o["action"] == "send"]
    receives = [o for o in operations.values() if o["action"] == "receive"]
    assert sends and receives
    for operation in sends:
        assert operation["bindings"]["amqp"]["deliveryMode"] == 2
        assert operation["bindings"]["amqp"]["mandatory"] is True
    for operation in receives:
        assert operation["bindings"]["amqp"]["ack"] is True
    # the AMQP `type` property EventPublisher sets is the event's type, not its routing key
    messages = build()["components"]["messages"]
    for cls in registered_events():
        message = messages[cls.__name__]
        assert message["bindings"]["amqp"]["messageType"] == cls.event_type


def test_the_consumers_are_an_input_of_the_generator() -> None:
    """Whatever lists the consumers (today topology.CONSUMERS) can feed the generator."""
    audit = ConsumerQueue("audit.everything", bindings=("complaint.#",), delivery_limit=20)
    document = build({"audit": audit})
    assert "audit.everything" in document["channels"]
    assert document["operations"]["audit.receive"]["messages"]
    assert not any(c.name in document["channels"] for c in CONSUMERS.values())
    assert build() == build(CONSUMERS)


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
