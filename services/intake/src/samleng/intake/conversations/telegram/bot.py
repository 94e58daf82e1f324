"""The Bot API calls the bot makes (plain httpx): ``sendMessage`` and
``answerCallbackQuery``. The token is in the path: it is never logged."""

from __future__ import annotations

from typing import Any

import httpx


class BotApiFailed(Exception):
    """The Bot API did not accept a call (the update is answered 503, so Telegram retries)."""


class BotApi:
    """One bot's calls to the Bot API at ``api_url``."""

    def __init__(self, client: httpx.AsyncClient, api_url: str, token: str) -> None:
        self._client = client
        self._base = f"{api_url.rstrip('/')}/bot{token}"

    def __repr__(self) -> str:  # never show the token
        return "BotApi()"

    async def close(self) -> None:
        """Close the HTTP client."""
        await self._client.aclose()

    async def call(self, method: str, payload: dict[str, Any]) -> None:
        """Call one method; BotApiFailed unless the Bot API answers ``ok``."""
        try:
            response = await self._client.post(f"{self._base}/{method}", json=payload)
            ok = response.status_code == 200 and bool(response.json().get("ok"))
        except (httpx.HTTPError, ValueError):
            ok = False
        if not ok:
            raise BotApiFailed(method)

    async def send(self, chat_id: int, text: str, keyboard: dict[str, Any] | None) -> None:
        """Send a message to a chat that wrote to the bot."""
        payload: dict[str, Any] = {"chat_id": chat_id, "text": text}
        if keyboard is not None:
            payload["reply_markup"] = keyboard
        await self.call("sendMessage", payload)
