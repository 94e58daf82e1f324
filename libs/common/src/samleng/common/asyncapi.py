"""The AsyncAPI 3.0 document of every Samleng event, generated from the code.

The event registry (``@register``) gives the messages and their JSON schemas; the
consumers (each service's queue and its bindings, today ``topology.CONSUMERS``) give the
queues and what each receives. Regenerate the checked-in copy after changing either (a test
fails while they disagree)::

    uv run python -m samleng.common.asyncapi > docs/asyncapi.yaml

``build(consumers)`` takes the consumers as an argument, so whatever lists them (a hand-kept
table or the services' handler tables) can feed it. The result follows the AsyncAPI 3.0
specification and the AMQP bindings 0.3.0 as the official ``@asyncapi/parser`` reads them
(``tests/observability/test_asyncapi.py`` runs it): persistence and ``mandatory`` are
properties of the publishing *operation*, not of the message.
"""

from __future__ import annotations

import sys
from collections.abc import Mapping
from typing import Any

import yaml
from pydantic.json_schema import models_json_schema

from samleng.common.events import Event, registered_events, routing_key_of
from samleng.common.topology import (
    CONSUMERS,
    DEAD_LETTER_EXCHANGE,
    EVENTS_EXCHANGE,
    ConsumerQueue,
)

ASYNCAPI_VERSION = "3.0.0"
DOCUMENT_VERSION = "1.0.0"
_AMQP_BINDING_VERSION = "0.3.0"


def topic_matches(pattern: str, routing_key: str) -> bool:
    """AMQP topic matching: ``*`` is exactly one word, ``#`` zero or more words."""
    return _match(pattern.split("."), routing_key.split("."))


def _match(pattern: list[str], words: list[str]) -> bool:
    if not pattern:
        return not words
    head, rest = pattern[0], pattern[1:]
    if head == "#":
        return any(_match(rest, words[i:]) for i in range(len(words) + 1))
    if not words:
        return False
    return (head in ("*", words[0])) and _match(rest, words[1:])


def _summary(cls: type) -> str:
    return (cls.__doc__ or cls.__name__).strip().splitlines()[0]


def _events() -> list[type[Event]]:
    return sorted(registered_events(), key=routing_key_of)


def build(consumers: Mapping[str, ConsumerQueue] | None = None) -> dict[str, Any]:
    """The AsyncAPI document as plain data (deterministic: sorted by routing key).

    ``consumers`` maps each consuming service to its queue; ``topology.CONSUMERS`` if omitted.
    """
    consumers = CONSUMERS if consumers is None else consumers
    events = _events()
    _, definitions = models_json_schema(
        [(cls, "validation") for cls in events], ref_template="#/components/schemas/{model}"
    )
    schemas = dict(sorted(definitions.get("$defs", {}).items()))
    messages: dict[str, Any] = {}
    channels: dict[str, Any] = {}
    operations: dict[str, Any] = {}
    exchange = {
        "name": EVENTS_EXCHANGE.name,
        "type": "topic",
        "durable": True,
        "autoDelete": False,
        "vhost": "/",
    }
    for cls in events:
        key = routing_key_of(cls)
        name = cls.__name__
        messages[name] = {
            "name": key,
            "title": f"{cls.event_type} v{cls.event_version}",
            "summary": _summary(cls),
            "contentType": "application/json",
            "correlationId": {"location": "$message.payload#/correlation_id"},
            "headers": {"$ref": "#/components/schemas/MessageHeaders"},
            "payload": {"$ref": f"#/components/schemas/{name}"},
            # the AMQP `type` property the publisher sets (EventPublisher: the event's type)
            "bindings": {
                "amqp": {"messageType": cls.event_type, "bindingVersion": _AMQP_BINDING_VERSION}
            },
        }
        channels[key] = {
            "address": key,
            "title": f"{EVENTS_EXCHANGE.name} / {key}",
            "description": _summary(cls),
            "messages": {name: {"$ref": f"#/components/messages/{name}"}},
            "bindings": {
                "amqp": {
                    "is": "routingKey",
                    "exchange": dict(exchange),  # a copy: no YAML anchors
                    "bindingVersion": _AMQP_BINDING_VERSION,
                }
            },
        }
        operations[f"publish.{key}"] = {
            "action": "send",
            "channel": {"$ref": f"#/channels/{_pointer(key)}"},
            "summary": (
                f"Publish {key}: persistent, mandatory, with publisher confirms "
                "(the envelope's producer field names the service)"
            ),
            "messages": [{"$ref": f"#/channels/{_pointer(key)}/messages/{name}"}],
            "bindings": {
                "amqp": {
                    "deliveryMode": 2,  # persistent
                    "mandatory": True,  # an unroutable event comes back to the publisher
                    "bindingVersion": _AMQP_BINDING_VERSION,
                }
            },
        }
    for service, consumer in sorted(consumers.items()):
        received = [
            cls
            for cls in events
            if any(topic_matches(p, routing_key_of(cls)) for p in consumer.bindings)
        ]
        channels[consumer.name] = {
            "address": consumer.name,
            "title": f"queue {consumer.name}",
            "description": (
                f"{service}'s inbox: a quorum queue bound to {EVENTS_EXCHANGE.name} with "
                f"{', '.join(consumer.bindings)}; after {consumer.delivery_limit} deliveries "
                f"or when refused as poison a message goes to "
                f"{consumer.dead_letter_queue_name} through {DEAD_LETTER_EXCHANGE.name}."
            ),
            "messages": {
                cls.__name__: {"$ref": f"#/components/messages/{cls.__name__}"} for cls in received
            },
            "bindings": {
                "amqp": {
                    "is": "queue",
                    "queue": {
                        "name": consumer.name,
                        "durable": True,
                        "exclusive": False,
                        "autoDelete": False,
                        "vhost": "/",
                    },
                    "bindingVersion": _AMQP_BINDING_VERSION,
                }
            },
        }
        operations[f"{service}.receive"] = {
            "action": "receive",
            "channel": {"$ref": f"#/channels/{_pointer(consumer.name)}"},
            "summary": f"{service} consumes its queue (acks after its durable write)",
            "messages": [
                {"$ref": f"#/channels/{_pointer(consumer.name)}/messages/{cls.__name__}"}
                for cls in received
            ],
            "bindings": {"amqp": {"ack": True, "bindingVersion": _AMQP_BINDING_VERSION}},
        }
    schemas["MessageHeaders"] = {
        "type": "object",
        "description": (
            "AMQP headers: the W3C trace context of the span that published the message "
            "(continues the complaint's trace), and the x-samleng-* reasons on dead letters."
        ),
        "properties": {
            "traceparent": {"type": "string", "description": "W3C trace context"},
            "tracestate": {"type": "string", "description": "W3C trace state"},
        },
    }
    return {
        "asyncapi": ASYNCAPI_VERSION,
        "info": {
            "title": "Samleng events",
            "version": DOCUMENT_VERSION,
            "description": (
                "Every event between Samleng services, generated from samleng.common "
                "(event registry and topology). Regenerate with "
                "`uv run python -m samleng.common.asyncapi > docs/asyncapi.yaml`."
            ),
        },
        "defaultContentType": "application/json",
        "servers": {
            "rabbitmq": {
                "host": "rabbitmq:5672",
                "protocol": "amqp",
                "pathname": "/",
                "protocolVersion": "0.9.1",
                "description": "RabbitMQ with quorum queues (see docs/operations.md)",
            }
        },
        "channels": channels,
        "operations": operations,
        "components": {"messages": messages, "schemas": schemas},
    }


def _pointer(name: str) -> str:
    """A JSON pointer segment (``/`` and ``~`` escaped)."""
    return name.replace("~", "~0").replace("/", "~1")


def render(consumers: Mapping[str, ConsumerQueue] | None = None) -> str:
    """The document as YAML, exactly as checked in at ``docs/asyncapi.yaml``."""
    body = yaml.safe_dump(build(consumers), sort_keys=False, allow_unicode=True, width=100)
    return "# Generated by `python -m samleng.common.asyncapi`; do not edit by hand.\n" + body


if __name__ == "__main__":
    sys.stdout.write(render())
