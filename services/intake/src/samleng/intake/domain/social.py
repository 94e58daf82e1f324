"""Facebook Page messages and comments as the social-media desk keeps them. Pure: no I/O.

Meta's webhooks sign the raw body (``X-Hub-Signature-256: sha256=<hex HMAC-SHA256 under
the app secret>``); :func:`signature_valid` checks it in constant time. :func:`incoming`
reads a verified body (Messenger ``messaging`` items and Page ``feed`` comments) into
:class:`Incoming` items that keep only what the desk needs: the text, when, and the
sender's reply address (``psid:<page-scoped id>`` or ``comment:<comment id>``, sealed by
the caller). Names, profile pictures, attachment URLs and everything else are dropped
here, before anything is stored.
"""

from __future__ import annotations

import hashlib
import hmac
import json
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Literal

SIGNATURE_PREFIX = "sha256="
MAX_TEXT = 5000


class UnreadablePayload(ValueError):
    """The body is not a Page webhook payload."""


def signature_valid(body: bytes, header: str, app_secret: str) -> bool:
    """Whether ``header`` is the HMAC-SHA256 of the raw body under the app secret."""
    if not header.startswith(SIGNATURE_PREFIX):
        return False
    expected = hmac.new(app_secret.encode(), body, hashlib.sha256).hexdigest()
    return hmac.compare_digest(expected, header.removeprefix(SIGNATURE_PREFIX).lower())


@dataclass(frozen=True)
class Incoming:
    """One message or comment, stripped: what was said, when, and whom to answer."""

    kind: Literal["message", "comment"]
    source_id: str  # Meta's message or comment id, only ever stored as a keyed hash
    sender_id: str  # page-scoped id (messages) or app-scoped id (comments)
    reply_to: str  # psid:<id> or comment:<id>, what the Send API answers
    text: str
    at: datetime


def _when(value: Any) -> datetime:
    if isinstance(value, int | float):
        seconds = value / 1000 if value > 10**11 else value  # Messenger sends milliseconds
        return datetime.fromtimestamp(seconds, UTC)
    return datetime.now(UTC)


def _message(page_id: str, item: dict[str, Any]) -> Incoming | None:
    message = item.get("message")
    sender = (item.get("sender") or {}).get("id")
    if not isinstance(message, dict) or message.get("is_echo") or not sender:
        return None  # delivery/read receipts, the page's own echoes
    text = message.get("text")
    if not isinstance(text, str) or not text.strip() or str(sender) == page_id:
        return None  # a sticker or photo alone: the desk answers it in Messenger itself
    return Incoming(
        "message",
        str(message.get("mid") or ""),
        str(sender),
        f"psid:{sender}",
        text[:MAX_TEXT],
        _when(item.get("timestamp")),
    )


def _comment(page_id: str, change: dict[str, Any]) -> Incoming | None:
    value = change.get("value")
    if change.get("field") != "feed" or not isinstance(value, dict):
        return None
    if value.get("item") != "comment" or value.get("verb") != "add":
        return None
    sender = (value.get("from") or {}).get("id")
    text, comment_id = value.get("message"), value.get("comment_id")
    if not sender or str(sender) == page_id or not comment_id:
        return None  # the page answering in its own thread
    if not isinstance(text, str) or not text.strip():
        return None
    return Incoming(
        "comment",
        str(comment_id),
        str(sender),
        f"comment:{comment_id}",
        text[:MAX_TEXT],
        _when(value.get("created_time")),
    )


def incoming(body: bytes) -> list[Incoming]:
    """The messages and comments of a verified webhook body (anything else is skipped)."""
    try:
        payload = json.loads(body)
    except ValueError:
        raise UnreadablePayload("the body is not JSON") from None
    if not isinstance(payload, dict) or payload.get("object") != "page":
        raise UnreadablePayload("only Page webhooks (object 'page') are accepted")
    found: list[Incoming] = []
    for entry in payload.get("entry") or []:
        if not isinstance(entry, dict):
            continue
        page_id = str(entry.get("id", ""))
        for item in entry.get("messaging") or []:
            if isinstance(item, dict) and (read := _message(page_id, item)):
                found.append(read)
        for change in entry.get("changes") or []:
            if isinstance(change, dict) and (read := _comment(page_id, change)):
                found.append(read)
    return [i for i in found if i.source_id]


#: ``expired``: nobody decided it within ``SAMLENG_DESK_MESSAGE_DAYS``; its text is erased
QueueState = Literal["waiting", "filed", "dismissed", "expired"]


@dataclass(frozen=True)
class QueuedMessage:
    """A message in the desk's queue: text, when, state; the sender only sealed and keyed."""

    message_id: str
    desk_id: str
    kind: Literal["message", "comment"]
    text: str
    received_at: datetime
    sender_key: str  # keyed hash of the sender: finds their other messages, names nobody
    state: QueueState = "waiting"
    complaint_id: str | None = None
    reason: str | None = None
    decided_at: datetime | None = None
