"""The Telegram webhook: the Bot API posts each update here (``setWebhook`` with a
``secret_token``); the bot answers through ``sendMessage`` with inline keyboards.

Only private chats are served: a person writes to the bot first (Telegram itself lets no
bot write first). Texts and button presses go to the same conversation as SMS
(:func:`samleng.intake.conversations.handlers.converse`); ``/status <code>``, ``/stop``,
``/new`` and ``/help`` are its commands; ``/start`` starts a conversation (and undoes a
``/stop``). Province and district buttons only narrow the commune picker; the commune's
button sends its code. A photo (or an image sent as a file) is passed on by its
``file_id`` only; the conversation fetches it through :class:`.bot.BotApi` at filing.
"""

from __future__ import annotations

import hmac
import logging
from datetime import UTC, datetime
from typing import Annotated, Any

import httpx
from fastapi import APIRouter, Header, Request

from samleng.intake.conversations.handlers import Inbound, Reply, converse, language_of
from samleng.intake.conversations.replies import text
from samleng.intake.conversations.telegram import keyboards
from samleng.intake.conversations.telegram.bot import BotApi, BotApiFailed
from samleng.intake.entrypoints.deps import PortsDep
from samleng.intake.entrypoints.problems import documented, problem
from samleng.intake.ports import IntakePorts

log = logging.getLogger(__name__)
router = APIRouter(prefix="/v1/channels/telegram", tags=["channels"])


def _checked(ports: IntakePorts, secret_token: str) -> BotApi:
    settings = ports.settings
    secret = settings.telegram_webhook_secret.get_secret_value()
    token = settings.telegram_bot_token.get_secret_value()
    if not secret or not token or ports.conversations is None:
        raise problem(
            503,
            "telegram-not-configured",
            en="This deployment has no Telegram bot: set SAMLENG_TELEGRAM_BOT_TOKEN and "
            "SAMLENG_TELEGRAM_WEBHOOK_SECRET.",
            km="ប្រព័ន្ធនេះគ្មាន Telegram bot ទេ។",
        )
    if not hmac.compare_digest(secret_token.encode(), secret.encode()):
        raise problem(
            401,
            "bad-secret-token",
            en="X-Telegram-Bot-Api-Secret-Token does not match the webhook's secret_token.",
            km="X-Telegram-Bot-Api-Secret-Token មិនត្រឹមត្រូវ។",
        )
    return BotApi(httpx.AsyncClient(timeout=10), settings.telegram_api_url, token)


@router.post(
    "/updates",
    responses=documented(401, 503),
    summary="An update from the Telegram Bot API (verified by its secret token)",
)
async def telegram_update(
    request: Request,
    ports: PortsDep,
    secret_token: Annotated[str, Header(alias="X-Telegram-Bot-Api-Secret-Token")] = "",
) -> dict[str, bool]:
    """Take each update once; answer it with the bot's messages."""
    bot = _checked(ports, secret_token)
    try:
        update: dict[str, Any] = await request.json()
    except ValueError:
        return {"ok": True}  # not an update: nothing to do, and Telegram must not retry
    desk = ports.conversations
    assert desk is not None
    now = datetime.now(UTC)
    key = desk.keys.senders.of(f"telegram-update:{update.get('update_id')}".encode())
    try:
        if await desk.store.first_delivery(key, now + desk.lifetime):
            await _handle(update, ports, bot, now)
    except BotApiFailed as failed:
        # the conversation moved on; a retried update would move it twice, so none is
        # asked for: the person sees no reply and writes again (the question is repeated)
        log.warning("the Bot API refused %s; the reply to one update is lost", failed)
    finally:
        await bot.close()
    return {"ok": True}


async def _handle(update: dict[str, Any], ports: IntakePorts, bot: BotApi, now: datetime) -> None:
    callback = update.get("callback_query")
    if isinstance(callback, dict):
        message = callback.get("message") or {}
        chat = message.get("chat") or {}
        await bot.call("answerCallbackQuery", {"callback_query_id": callback.get("id")})
        if chat.get("type") == "private" and isinstance(callback.get("data"), str):
            await _pressed(int(chat["id"]), callback["data"], ports, bot, now)
        return
    message = update.get("message")
    if not isinstance(message, dict):
        return  # edits, channel posts, members: nothing the bot takes
    chat = message.get("chat") or {}
    if chat.get("type") != "private":
        return
    chat_id, typed = int(chat["id"]), message.get("text")
    limit = ports.settings.max_attachment_bytes
    photo, too_large = _photo_in(message, limit)
    if too_large:
        language = await language_of(Inbound("telegram", str(chat_id), ""), ports)
        size = f"{limit // 1024} KiB"
        await bot.send(chat_id, text("photo_too_large", language, limit=size), None)
        return
    if not isinstance(typed, str):
        if photo is None:
            return  # stickers, voice, locations: nothing the bot takes
        typed = ""  # a caption may name people: it is not read
    inbound = Inbound("telegram", str(chat_id), typed, photo)
    await _answer(chat_id, await converse(inbound, ports, now, photos=bot), bot)


def _photo_in(message: dict[str, Any], limit: int) -> tuple[str | None, bool]:
    """The ``file_id`` of the photo a message carries (its largest size within ``limit``,
    or an image sent as a file), and whether the photo is too large for that."""
    sizes = message.get("photo")
    if isinstance(sizes, list) and sizes:
        fitting = [
            s
            for s in sizes
            if isinstance(s, dict)
            and isinstance(s.get("file_id"), str)
            and int(s.get("file_size") or 0) <= limit
        ]
        if not fitting:
            return None, True
        return str(fitting[-1]["file_id"]), False  # Telegram lists sizes smallest first
    document = message.get("document")
    if isinstance(document, dict) and str(document.get("mime_type", "")).startswith("image/"):
        if int(document.get("file_size") or 0) > limit:
            return None, True
        if isinstance(document.get("file_id"), str):
            return str(document["file_id"]), False
    return None, False


async def _pressed(chat_id: int, data: str, ports: IntakePorts, bot: BotApi, now: datetime) -> None:
    if data.startswith(("p:", "d:")):
        parent = data[2:]
        if parent.isdigit() and len(parent) in (2, 4):
            language = await language_of(Inbound("telegram", str(chat_id), ""), ports)
            question = keyboards.place_question(parent, language)
            await bot.send(chat_id, question, keyboards.places(parent, language))
        return
    replies = await converse(Inbound("telegram", str(chat_id), data), ports, now, photos=bot)
    await _answer(chat_id, replies, bot)


async def _answer(chat_id: int, replies: list[Reply], bot: BotApi) -> None:
    for reply in replies:
        await bot.send(chat_id, reply.text, keyboards.for_prompt(reply.prompt, reply.language))
