"""The event envelope, the registry of event types and parsing from the wire.

Event schemas are the only contract between Samleng services.

Every event is a frozen pydantic model inside one envelope (``event_id``, ``type``,
``version``, ``occurred_at``, ``complaint_id``, ``sequence``, ``correlation_id``,
``producer``) with a typed ``data`` payload. Rules (see docs/events.md):

- Within a version only optional fields are added; a breaking change is a new version
  (a new class with ``version = 2``), registered beside the old one.
- ``sequence`` is per complaint and causal: an event caused by another carries the
  cause's sequence + 1, so consumers can refuse to go backwards.
- Events carry no personal data: never the description, contact details or tracking code.

Build one with :meth:`Event.first` or :meth:`Event.caused_by`; read one from the wire with
:func:`parse_event`::

    submitted = ComplaintSubmitted.first(complaint_id, producer="intake", data=...)
    assigned = ComplaintAssigned.caused_by(submitted, producer="routing", data=...)
    event = parse_event(body)  # raises InvalidEvent saying what is wrong
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any, ClassVar, Self, TypeVar

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, ValidationError

# Fixed namespace so that an event derived from a cause always gets the same id:
# a replayed cause re-emits an identical event, which consumers then dedupe.
_DERIVED_EVENT_NAMESPACE = uuid.UUID("7d0c2a8e-4f0b-4b7e-9d5c-2f7f3b1d6a11")


class Payload(BaseModel):
    """Base of every event payload: frozen, and tolerant of fields added later."""

    model_config = ConfigDict(frozen=True, extra="ignore")


class Event(BaseModel):
    """The envelope every event shares; subclasses pin ``type``, ``version`` and ``data``."""

    model_config = ConfigDict(frozen=True, extra="ignore")

    event_type: ClassVar[str]
    event_version: ClassVar[int]

    event_id: uuid.UUID
    type: str
    version: int
    occurred_at: AwareDatetime
    complaint_id: str = Field(min_length=1, max_length=64)
    sequence: int = Field(ge=1)
    correlation_id: str = Field(min_length=1, max_length=128)
    producer: str = Field(min_length=1, max_length=64)
    data: Payload

    @property
    def routing_key(self) -> str:
        """The topic routing key, e.g. ``complaint.submitted.v1``."""
        return routing_key_of(type(self))

    @classmethod
    def first(
        cls,
        complaint_id: str,
        *,
        producer: str,
        data: Any,
        correlation_id: str | None = None,
        event_id: uuid.UUID | None = None,
        occurred_at: datetime | None = None,
    ) -> Self:
        """Build the first event of a complaint's history (sequence 1)."""
        return cls(
            event_id=event_id or uuid.uuid4(),
            type=cls.event_type,
            version=cls.event_version,
            occurred_at=occurred_at or datetime.now(UTC),
            complaint_id=complaint_id,
            sequence=1,
            correlation_id=correlation_id or complaint_id,
            producer=producer,
            data=data,
        )

    @classmethod
    def caused_by(
        cls,
        cause: Event,
        *,
        producer: str,
        data: Any,
        occurred_at: datetime | None = None,
        step: str = "",
    ) -> Self:
        """Build the event a handler emits in answer to ``cause``, with a derived, stable id."""
        derived = uuid.uuid5(_DERIVED_EVENT_NAMESPACE, f"{cause.event_id}:{cls.event_type}:{step}")
        return cls(
            event_id=derived,
            type=cls.event_type,
            version=cls.event_version,
            occurred_at=occurred_at or datetime.now(UTC),
            complaint_id=cause.complaint_id,
            sequence=cause.sequence + 1,
            correlation_id=cause.correlation_id,
            producer=producer,
            data=data,
        )

    @classmethod
    def after(
        cls,
        complaint_id: str,
        last_sequence: int,
        *,
        producer: str,
        data: Any,
        correlation_id: str,
        occurred_at: datetime | None = None,
    ) -> Self:
        """Build an event that follows the last one a service has seen for a complaint."""
        return cls(
            event_id=uuid.uuid4(),
            type=cls.event_type,
            version=cls.event_version,
            occurred_at=occurred_at or datetime.now(UTC),
            complaint_id=complaint_id,
            sequence=last_sequence + 1,
            correlation_id=correlation_id,
            producer=producer,
            data=data,
        )

    def to_json_bytes(self) -> bytes:
        """Serialise for the wire (UTF-8 JSON)."""
        return self.model_dump_json().encode()


class InvalidEvent(ValueError):
    """A message that is not a valid event of a known type; the reason says what is wrong."""


# --- registry and parsing -------------------------------------------------------------

_REGISTRY: dict[tuple[str, int], type[Event]] = {}

E = TypeVar("E", bound=type[Event])


def register(cls: E) -> E:
    """Class decorator: make an event type known to :func:`parse_event`."""
    key = (cls.event_type, cls.event_version)
    if key in _REGISTRY and _REGISTRY[key] is not cls:
        raise ValueError(f"event {key} is registered twice")
    _REGISTRY[key] = cls
    return cls


Upcaster = Callable[[Event], Event]

#: older class -> (newer class, function that turns an older event into a newer one)
_UPCASTERS: dict[type[Event], tuple[type[Event], Upcaster]] = {}


def register_upcaster(older: type[Event], newer: type[Event], upcast: Upcaster) -> None:
    """Teach :func:`parse_event` to read ``older`` events as ``newer`` ones.

    When a breaking change gives an event type version 2, the version-1 class stays
    registered (old messages and archives still parse) and an upcaster maps v1 to v2, so
    consumers and replays handle one shape: ``HANDLERS = {ComplaintRatedV2: on_rated}``
    also binds ``complaint.rated.v1``.
    """
    if older.event_type != newer.event_type or older.event_version >= newer.event_version:
        raise ValueError(f"cannot upcast {older.__name__} to {newer.__name__}")
    if older in _UPCASTERS:
        raise ValueError(f"{older.__name__} already has an upcaster")
    _UPCASTERS[older] = (newer, upcast)


def upcast(event: Event) -> Event:
    """The newest version of ``event`` that upcasters reach (the event itself if none)."""
    while (step := _UPCASTERS.get(type(event))) is not None:
        newer, function = step
        event = function(event)
        if type(event) is not newer:
            raise InvalidEvent(f"upcaster to {newer.__name__} returned {type(event).__name__}")
    return event


def older_versions_of(cls: type[Event]) -> tuple[type[Event], ...]:
    """Every registered class that upcasts, directly or not, into ``cls``."""
    found: list[type[Event]] = []
    frontier = [cls]
    while frontier:
        target = frontier.pop()
        for older, (newer, _) in _UPCASTERS.items():
            if newer is target and older not in found:
                found.append(older)
                frontier.append(older)
    return tuple(found)


def registered_events() -> tuple[type[Event], ...]:
    """Every registered event class, in registration order."""
    return tuple(_REGISTRY.values())


def routing_key_of(cls: type[Event]) -> str:
    """The routing key events of this class travel under."""
    return f"{cls.event_type}.v{cls.event_version}"


def event_class(event_type: str, version: int) -> type[Event]:
    """The class registered for a type and version; InvalidEvent if there is none."""
    try:
        return _REGISTRY[(event_type, version)]
    except KeyError:
        raise InvalidEvent(f"unknown event type {event_type!r} version {version!r}") from None


def parse_event(body: bytes | str | dict[str, Any], *, upcasted: bool = True) -> Event:
    """Decode and validate one event from the wire; InvalidEvent says exactly what is wrong.

    The event comes upcast to its newest registered version unless ``upcasted=False``.
    """
    if isinstance(body, dict):
        raw = body
    else:
        try:
            raw = json.loads(body)
        except (UnicodeDecodeError, json.JSONDecodeError) as exc:
            raise InvalidEvent(f"body is not UTF-8 JSON: {exc}") from None
    if not isinstance(raw, dict):
        raise InvalidEvent("body must be a JSON object (an event envelope)")
    event_type, version = raw.get("type"), raw.get("version")
    if not isinstance(event_type, str) or not isinstance(version, int):
        raise InvalidEvent("envelope needs a string 'type' and an integer 'version'")
    cls = event_class(event_type, version)
    try:
        event = cls.model_validate(raw)
    except ValidationError as exc:
        raise InvalidEvent(_describe(exc)) from None
    return upcast(event) if upcasted else event


def _describe(exc: ValidationError) -> str:
    parts = []
    for error in exc.errors(include_url=False, include_input=False)[:5]:
        where = ".".join(str(p) for p in error["loc"]) or "(body)"
        parts.append(f"{where}: {error['msg']}")
    return "; ".join(parts)
