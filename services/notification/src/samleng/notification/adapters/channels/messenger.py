"""Replies to a Facebook Page's correspondents through the Messenger Send API.

The address is what intake sealed when a desk agent filed the message as a case:
``psid:<page-scoped id>`` (a Messenger conversation) or ``comment:<comment id>`` (a
private reply to a Page comment). Status messages go out after Messenger's 24-hour
window, so they carry the ``ACCOUNT_UPDATE`` message tag (a change to something the
person asked for, no promotion). The Page access token goes in the Authorization header,
never in a logged URL.
"""

from __future__ import annotations

import httpx

from samleng.notification.adapters.channels.base import post_json
from samleng.notification.domain.delivery import Channel, Outgoing, SendFailed

#: Messenger refuses longer texts.
MAX_TEXT = 2000


def recipient_of(address: str) -> dict[str, str]:
    """The Send API's ``recipient`` for a sealed Messenger address."""
    kind, _, value = address.partition(":")
    if kind == "psid" and value:
        return {"id": value}
    if kind == "comment" and value:
        return {"comment_id": value}
    raise SendFailed("the Messenger address is neither psid:<id> nor comment:<id>", permanent=True)


class MessengerChannel:
    """Sends as one Facebook Page."""

    channel: Channel = "messenger"

    def __init__(self, client: httpx.AsyncClient, api_url: str, page_token: str) -> None:
        self._url = f"{api_url.rstrip('/')}/me/messages"
        self._headers = {"Authorization": f"Bearer {page_token}"}
        self._client = client

    async def send(self, message: Outgoing) -> None:
        """Send one text message (the status texts every citizen channel gets)."""
        response = await post_json(
            self._client,
            self._url,
            "the Messenger Send API",
            headers=self._headers,
            json={
                "recipient": recipient_of(message.address),
                "messaging_type": "MESSAGE_TAG",
                "tag": "ACCOUNT_UPDATE",
                "message": {"text": message.text[:MAX_TEXT]},
            },
        )
        try:
            sent = bool(response.json().get("message_id"))
        except ValueError:
            sent = False
        if not sent:
            raise SendFailed("the Messenger Send API did not confirm the message")
