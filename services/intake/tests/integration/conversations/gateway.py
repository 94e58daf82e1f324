"""A stand-in SMS gateway: it signs each inbound SMS as a real aggregator would and posts
it to intake's webhook, then reads the replies it would send back."""

from __future__ import annotations

import itertools
import json
import time
from dataclasses import dataclass, field
from typing import Any

import httpx

from samleng.intake.conversations.sms.signature import sign

WEBHOOK = "/v1/channels/sms/messages"
SECRET = "a-gateway-secret-of-at-least-32-characters"  # noqa: S105 (a test secret)


@dataclass
class StandInGateway:
    """Posts signed inbound SMS to intake; ``ids`` numbers them like a gateway."""

    http: httpx.AsyncClient
    secret: str = SECRET
    ids: Any = field(default_factory=lambda: itertools.count(1))

    async def post(
        self,
        number: str,
        text: str,
        *,
        message_id: str | None = None,
        at: float | None = None,
        signature: str | None = None,
    ) -> httpx.Response:
        """The webhook's answer to one inbound SMS."""
        body = json.dumps(
            {"message_id": message_id or f"gw-{next(self.ids)}", "from": number, "text": text},
            ensure_ascii=False,
        ).encode()
        timestamp = str(int(at if at is not None else time.time()))
        headers = {
            "Content-Type": "application/json",
            "X-Samleng-Timestamp": timestamp,
            "X-Samleng-Signature": signature or sign(self.secret.encode(), timestamp, body),
        }
        return await self.http.post(WEBHOOK, content=body, headers=headers)

    async def say(self, number: str, text: str) -> str:
        """The one reply to an SMS (its text)."""
        answer = await self.post(number, text)
        assert answer.status_code == 200, answer.text
        (reply,) = answer.json()["replies"]
        assert reply["segments"] <= 2, reply
        return str(reply["text"])
