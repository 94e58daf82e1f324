"""The one interface every channel implements, and the HTTP status rules gateways share."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

import httpx

from samleng.notification.domain.delivery import Channel, SendFailed


@dataclass(frozen=True)
class Outgoing:
    """One message ready to leave, with its address opened just now."""

    delivery_id: str
    event_id: str
    complaint_id: str
    address: str
    language: str
    subject: str
    text: str
    created_at: datetime
    title_en: str = ""
    title_km: str = ""

    @property
    def external_ref(self) -> str:
        """What providers see as this message's id: stable across retries, but opaque.

        The delivery id names the complaint, whose id is public (Open311); a mail or SMS
        provider must not be able to link an address to a case, so it gets only a hash
        that also covers the (never published) event id.
        """
        return hashlib.sha256(self.delivery_id.encode()).hexdigest()[:32]


class ChannelAdapter(Protocol):
    """Sends messages on one channel; raises SendFailed (never with the address in it)."""

    channel: Channel

    async def send(self, message: Outgoing) -> None:
        """Deliver one message or raise SendFailed."""
        ...


def check_gateway_answer(response: httpx.Response, gateway: str) -> None:
    """Map a gateway's HTTP answer to success, a temporary or a permanent failure."""
    status = response.status_code
    if status < 300:
        return
    reason = f"{gateway} answered HTTP {status}"
    # 408/429 and 5xx pass; other 4xx mean this message will never be accepted as it is
    permanent = 400 <= status < 500 and status not in (408, 425, 429)
    raise SendFailed(reason, permanent=permanent)


async def post_json(
    client: httpx.AsyncClient, url: str, gateway: str, **options: object
) -> httpx.Response:
    """POST to a gateway, turning transport errors into temporary failures."""
    try:
        response = await client.post(url, **options)  # type: ignore[arg-type]
    except httpx.TimeoutException:
        raise SendFailed(f"{gateway} did not answer in time") from None
    except httpx.TransportError as exc:
        raise SendFailed(f"{gateway} unreachable ({type(exc).__name__})") from None
    check_gateway_answer(response, gateway)
    return response
