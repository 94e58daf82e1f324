"""SMS through an HTTP gateway, with the encoding and segment count computed here.

The gateway contract (adapt a provider with a small proxy if it differs)::

    POST {SAMLENG_SMS_GATEWAY_URL}
    Authorization: Bearer {SAMLENG_SMS_GATEWAY_TOKEN}
    {"to": "+855...", "from": "Samleng", "text": "...", "encoding": "UCS-2",
     "segments": 2, "reference": "<delivery id>"}
    -> 2xx accepted; 408/429/5xx retried; other 4xx failed for good
"""

from __future__ import annotations

import httpx

from samleng.common.sms import sms_size
from samleng.notification.adapters.channels.base import post_json
from samleng.notification.domain.delivery import Channel, Outgoing


class SmsChannel:
    """Sends SMS through the configured gateway."""

    channel: Channel = "sms"

    def __init__(self, client: httpx.AsyncClient, url: str, token: str, sender: str) -> None:
        self._client, self._url, self._token, self._sender = client, url, token, sender

    async def send(self, message: Outgoing) -> None:
        """Hand one SMS to the gateway."""
        size = sms_size(message.text)
        headers = {"Authorization": f"Bearer {self._token}"} if self._token else {}
        await post_json(
            self._client,
            self._url,
            "the SMS gateway",
            headers={**headers, "Idempotency-Key": message.external_ref},
            json={
                "to": message.address,
                "from": self._sender,
                "text": message.text,
                "encoding": size.encoding,
                "segments": size.segments,
                "reference": message.external_ref,
            },
        )
