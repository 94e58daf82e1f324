"""Telegram messages through the Bot API (``sendMessage``); the base URL is configurable."""

from __future__ import annotations

import httpx

from samleng.notification.adapters.channels.base import post_json
from samleng.notification.domain.delivery import Channel, Outgoing, SendFailed


class TelegramChannel:
    """Sends as one bot; the address is the chat id of someone who started the bot."""

    channel: Channel = "telegram"

    def __init__(self, client: httpx.AsyncClient, api_url: str, bot_token: str) -> None:
        # the token is part of the path; it is never logged (only the route name is)
        self._url = f"{api_url.rstrip('/')}/bot{bot_token}/sendMessage"
        self._client = client

    async def send(self, message: Outgoing) -> None:
        """Send one text message."""
        response = await post_json(
            self._client,
            self._url,
            "the Telegram Bot API",
            json={"chat_id": message.address, "text": message.text},
        )
        try:
            ok = response.json().get("ok", False)
        except ValueError:
            ok = False
        if not ok:
            raise SendFailed("the Telegram Bot API did not confirm the message")
