"""The Bot API calls the bot makes (plain httpx): ``sendMessage``,
``answerCallbackQuery``, and ``getFile`` with the file download for a photo. The token is
in the path: it is never logged."""

from __future__ import annotations

from typing import Any

import httpx

from samleng.intake.conversations.ports import PhotoRefused


class BotApiFailed(Exception):
    """The Bot API did not accept a call (the reply to that update is lost)."""


def _too_large(limit: int) -> PhotoRefused:
    return PhotoRefused(
        f"the photo is larger than {limit // 1024} KiB.",
        f"រូបថតធំជាង {limit // 1024} KiB។",
    )


def _unavailable() -> PhotoRefused:
    return PhotoRefused(
        "Telegram did not give the photo.",
        "Telegram មិនបានផ្ដល់រូបថតទេ។",
    )


class BotApi:
    """One bot's calls to the Bot API at ``api_url``."""

    def __init__(self, client: httpx.AsyncClient, api_url: str, token: str) -> None:
        self._client = client
        self._base = f"{api_url.rstrip('/')}/bot{token}"
        self._files = f"{api_url.rstrip('/')}/file/bot{token}"

    def __repr__(self) -> str:  # never show the token
        return "BotApi()"

    async def close(self) -> None:
        """Close the HTTP client."""
        await self._client.aclose()

    async def call(self, method: str, payload: dict[str, Any]) -> Any:
        """Call one method; its ``result``. BotApiFailed unless the Bot API answers ``ok``."""
        try:
            response = await self._client.post(f"{self._base}/{method}", json=payload)
            answer = response.json()
            ok = response.status_code == 200 and isinstance(answer, dict) and answer.get("ok")
        except (httpx.HTTPError, ValueError):
            ok = False
        if not ok:
            raise BotApiFailed(method)
        return answer.get("result")

    async def send(self, chat_id: int, text: str, keyboard: dict[str, Any] | None) -> None:
        """Send a message to a chat that wrote to the bot."""
        payload: dict[str, Any] = {"chat_id": chat_id, "text": text}
        if keyboard is not None:
            payload["reply_markup"] = keyboard
        await self.call("sendMessage", payload)

    async def fetch(self, photo: str, limit: int) -> bytes:
        """A file's bytes by its ``file_id`` (``getFile``, then the download); PhotoRefused
        when it is larger than ``limit``: by the size ``getFile`` tells, by the download's
        Content-Length, and while it streams, so no more than ``limit`` bytes are read."""
        try:
            found = await self.call("getFile", {"file_id": photo})
        except BotApiFailed:
            raise _unavailable() from None
        if not isinstance(found, dict):
            raise _unavailable()
        size, path = found.get("file_size"), found.get("file_path")
        if isinstance(size, int) and size > limit:
            raise _too_large(limit)
        if not isinstance(path, str) or not path or path.startswith("/") or ".." in path:
            raise _unavailable()
        data = bytearray()
        try:
            async with self._client.stream("GET", f"{self._files}/{path}") as response:
                if response.status_code != 200:
                    raise _unavailable()
                declared = response.headers.get("Content-Length", "")
                if declared.isdigit() and int(declared) > limit:
                    raise _too_large(limit)
                async for chunk in response.aiter_bytes():
                    data += chunk
                    if len(data) > limit:
                        raise _too_large(limit)
        except httpx.HTTPError:
            raise _unavailable() from None
        return bytes(data)
