"""The social-media desk's messages, counted for the public desk figures, version 1.

A Page message is not a case, so these events have no complaint. They keep the one
envelope every consumer reads, with the message as its subject: ``complaint_id`` is
``desk-message:<random message id>`` (:func:`desk_message_subject`), ``sequence`` orders
that message's history (1 received, 2 dismissed). A consumer that keys by complaint never
mistakes one for a case, and the outbox publishes a message's events in their order.

They carry only the desk, the time (``occurred_at``: when the person wrote, or when the
message was dismissed) and, for a dismissal, a reason category: never the text, the
sender, the reply address or the agent's words.
"""

from __future__ import annotations

from enum import StrEnum
from typing import ClassVar, Literal

from pydantic import Field

from samleng.common.events.envelope import Event, Payload, register

#: What a desk event's ``complaint_id`` starts with (the subject is a message, not a case).
DESK_MESSAGE_PREFIX = "desk-message:"


def desk_message_subject(message_id: str) -> str:
    """The envelope's ``complaint_id`` of a desk message's events."""
    return f"{DESK_MESSAGE_PREFIX}{message_id}"


class DismissalReason(StrEnum):
    """Why an agent dismissed a message, as a category the figures can count."""

    NOT_FEEDBACK = "not_feedback"  # a greeting, a question about the page, not about a service
    OUTSIDE_AUTHORITY = "outside_authority"  # no public service of ours: told whom to ask
    REPEATED = "repeated"  # the same person wrote the same thing again
    SPAM = "spam"  # advertising, abuse
    OTHER = "other"


class DeskMessageData(Payload):
    """The desk the message came to (``<kind>:<office id>``): nothing about its sender."""

    desk: str = Field(min_length=3, max_length=96)


class DeskMessageDismissedData(DeskMessageData):
    """The desk, and why the message was dismissed (a category, never the agent's words)."""

    reason: DismissalReason = DismissalReason.OTHER


@register
class DeskMessageReceived(Event):
    """A Page message or comment reached the social-media desk's queue."""

    event_type: ClassVar[str] = "desk.message_received"
    event_version: ClassVar[int] = 1
    type: Literal["desk.message_received"] = "desk.message_received"
    version: Literal[1] = 1
    data: DeskMessageData


@register
class DeskMessageDismissed(Event):
    """A desk agent dismissed a queued message instead of turning it into a case."""

    event_type: ClassVar[str] = "desk.message_dismissed"
    event_version: ClassVar[int] = 1
    type: Literal["desk.message_dismissed"] = "desk.message_dismissed"
    version: Literal[1] = 1
    data: DeskMessageDismissedData


#: Every desk event type (a consumer of cases leaves them to its desk handler).
DESK_EVENTS: tuple[type[Event], ...] = (DeskMessageReceived, DeskMessageDismissed)
