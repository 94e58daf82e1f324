"""The SMS gateway's webhook signature: HMAC-SHA256 over ``timestamp + "." + raw body``.

The gateway sends ``X-Samleng-Timestamp`` (Unix seconds) and ``X-Samleng-Signature``
(``sha256=`` and the lower-case hex HMAC under ``SAMLENG_SMS_WEBHOOK_SECRET``). A
signature is checked in constant time; a timestamp further than the tolerance from now
is refused, and a message id is taken once (:mod:`..store`), so a captured request
cannot be played again, neither later nor at once.
"""

from __future__ import annotations

import hashlib
import hmac

PREFIX = "sha256="


class BadSignature(ValueError):
    """The request is not signed with the webhook secret, or not within the time window."""


def sign(secret: bytes, timestamp: str, body: bytes) -> str:
    """The signature header of a body sent at ``timestamp`` (what a gateway computes)."""
    mac = hmac.new(secret, timestamp.encode() + b"." + body, hashlib.sha256)
    return PREFIX + mac.hexdigest()


def verify(
    secret: bytes, timestamp: str, signature: str, body: bytes, now: float, tolerance: int
) -> None:
    """Raise BadSignature unless ``signature`` signs the body at a timestamp near ``now``."""
    if not timestamp.isdigit() or abs(now - int(timestamp)) > tolerance:
        raise BadSignature("timestamp missing or outside the allowed window")
    if not hmac.compare_digest(sign(secret, timestamp, body), signature.strip().lower()):
        raise BadSignature("signature does not match")
