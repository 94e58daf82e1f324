"""The bot's photo step over real HTTP, MongoDB and GridFS, against the stand-in Bot API:
the photo is fetched with getFile and the file download only once the citizen confirms,
is attached through intake's attachment use case (metadata stripped), is held to the
attachment size limit before and during the download, and neither the chat id nor the
file_id is stored in clear. /stop then /start resumes messages (complaint.contact_resumed).
"""

from __future__ import annotations

import io
import itertools
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from typing import Any

import pytest
from PIL import Image

from samleng.common.events import parse_event
from samleng.intake.app import bootstrap
from services.intake.tests.integration.citizen.helpers import collection, database_dump
from services.intake.tests.integration.citizen.test_attachments import MAKE, photo_with_gps
from services.intake.tests.integration.shared import intake_settings
from tests.bot_api import StandInBotApi, stand_in_bot_api
from tests.support import next_message, running, tap

pytestmark = pytest.mark.integration

TOKEN = "654321:stand-in-photo-token"  # noqa: S105
SECRET = "telegram-webhook-secret-of-32-characters"  # noqa: S105
CHAT = 700555111
UPDATES = itertools.count(1000)
Post = Callable[[dict[str, Any]], Awaitable[str]]


def update(message: dict[str, Any]) -> dict[str, Any]:
    chat = {"id": CHAT, "type": "private"}
    return {"update_id": next(UPDATES), "message": {"message_id": 1, "chat": chat, **message}}


def photo(file_id: str, size: int) -> dict[str, Any]:
    """A photo message as Telegram sends it: sizes smallest first."""
    thumb = {"file_id": f"{file_id}-thumb", "width": 90, "height": 67, "file_size": 900}
    full = {"file_id": file_id, "width": 64, "height": 48, "file_size": size}
    return {"photo": [thumb, full], "caption": "Sok Dara took it"}


@asynccontextmanager
async def bot(env: Any, **overrides: Any) -> AsyncIterator[tuple[StandInBotApi, Post, Any, Any]]:
    with stand_in_bot_api(TOKEN) as api:
        settings = intake_settings(
            env,
            telegram_bot_token=TOKEN,
            telegram_webhook_secret=SECRET,
            telegram_api_url=api.url,
            **overrides,
        )
        service: Any = bootstrap(settings)
        async with running(service.app) as http:

            async def post(body: dict[str, Any]) -> str:
                answer = await http.post(
                    "/v1/channels/telegram/updates",
                    json=body,
                    headers={"X-Telegram-Bot-Api-Secret-Token": SECRET},
                )
                assert answer.status_code == 200, answer.text
                return str(api.sent()[-1]["text"])

            yield api, post, settings, service


async def up_to_the_photo(post: Post) -> str:
    for text in ("/start", "1", "1", "170201", "1", "គេទារប្រាក់ ១០០០០ រៀល"):
        asked = await post(update({"text": text}))
    return asked


async def test_a_photo_is_fetched_at_filing_cleaned_and_attached(env: Any, amqp: Any) -> None:
    original = photo_with_gps()
    assert MAKE.encode() in original
    copies = await tap(amqp, "complaint.contact_resumed.v1")
    async with bot(env) as (api, post, settings, service):
        api.add_file("AgACAgIAAxkBAAIBZ2photo", original)
        asked = await up_to_the_photo(post)
        assert asked == "ផ្ញើរូបថតមួយ បើមាន (កុំឱ្យឃើញមុខមនុស្ស) ឬចុច រំលង"
        assert api.sent()[-1]["reply_markup"] == {
            "inline_keyboard": [[{"text": "រំលង", "callback_data": "0"}]]
        }
        about = await post(update(photo("AgACAgIAAxkBAAIBZ2photo", len(original))))
        assert about.startswith("តើរឿងនេះអំពីការិយាល័យ")
        assert api.downloaded == []  # nothing is fetched before the citizen confirms
        assert (await post(update({"text": "2"}))).startswith("ផ្ញើបណ្ដឹង នៅជប់តាត្រាវ ជាមួយរូបថត?")
        dump = await database_dump(settings)
        assert "AgACAgIAAxkBAAIBZ2photo" not in dump and str(CHAT) not in dump  # sealed
        filed = await post(update({"text": "1"}))
        assert filed.startswith("បានទទួល។ លេខកូដ៖ ") and filed.endswith("រូបថតត្រូវបានភ្ជាប់។")
        calls = [path for path, _ in api.requests if "sendMessage" not in path]
        assert calls[-2:] == [f"/bot{TOKEN}/getFile", f"/file/bot{TOKEN}/photos/file_0.jpg"]
        assert api.requests[-3] == (
            f"/bot{TOKEN}/getFile",
            {"file_id": "AgACAgIAAxkBAAIBZ2photo"},
        )
        (case,) = await collection(settings, "cases")
        (attachment,) = case["attachments"]
        stored = await service.ports.attachments.read(attachment["attachment_id"])
        assert attachment["content_type"] == "image/jpeg"
        assert MAKE.encode() not in stored
        with Image.open(io.BytesIO(stored)) as image:
            assert image.getexif().get_ifd(0x8825) == {}
        dump = await database_dump(settings, exclude=("attachments.chunks",))
        assert "AgACAgIAAxkBAAIBZ2photo" not in dump and str(CHAT) not in dump
        assert "Sok Dara" not in dump  # the caption is not read

        # /stop, then /start: messages resume, through the case, once
        assert await post(update({"text": "/stop"})) == "អ្នកនឹងមិនទទួលសារពីសំឡេងទៀតទេ។"
        await post(update({"text": "/start"}))
        resumed, restarted = api.sent()[-2:]
        assert resumed["text"] == "អ្នកនឹងទទួលសារពីសំឡេងម្ដងទៀត។ STOP=ឈប់"
        assert restarted["text"].startswith("សំឡេង៖ ជាអ្វី?")
        event = parse_event((await next_message(copies)).body)
        assert event.complaint_id == case["_id"]
        assert event.model_dump()["data"]["contact"]["channel"] == "telegram"


@pytest.mark.parametrize(
    ("told", "chunked", "fetched"),
    [(40_000, False, False), (1_000, False, True), (None, True, True)],
    ids=["getFile-tells-it", "content-length-tells-it", "cut-while-streaming"],
)
async def test_a_photo_over_the_size_limit_is_refused_and_the_case_still_filed(
    env: Any, told: int | None, chunked: bool, fetched: bool
) -> None:
    big = b"\xff\xd8\xff" + bytes(range(256)) * 160  # ~40 KB, over the 20 KB limit
    async with bot(env, max_attachment_bytes=20_000) as (api, post, settings, _):
        api.add_file("big-photo", big, told_size=told, chunked=chunked)
        await up_to_the_photo(post)
        await post(update(photo("big-photo", 1_000)))  # the message says it is small
        await post(update({"text": "2"}))
        filed = await post(update({"text": "1"}))
        assert filed.startswith("បានទទួល។") and "រូបថតមិនបានភ្ជាប់ទេ៖ រូបថតធំជាង 19 KiB។" in filed
        assert (api.downloaded != []) is fetched
        (case,) = await collection(settings, "cases")
        assert case["attachments"] == []


async def test_the_largest_rendition_within_the_limit_is_taken_and_a_large_file_refused(
    env: Any,
) -> None:
    async with bot(env, max_attachment_bytes=20_000) as (api, post, _, _service):
        await up_to_the_photo(post)
        document = {"file_id": "huge-file", "mime_type": "image/jpeg", "file_size": 30_000}
        refused = await post(update({"document": document}))
        assert refused == "រូបថតធំពេក (លើស 19 KiB)។ ផ្ញើរូបតូចជាងនេះ ឬចុច រំលង"
        # a photo whose full size is over the limit: its largest rendition within it
        assert (await post(update(photo("huge", 30_000)))).startswith("តើរឿងនេះ")
        await post(update({"text": "2"}))
        api.add_file("huge-thumb", photo_with_gps())
        assert "រូបថតត្រូវបានភ្ជាប់" in await post(update({"text": "1"}))
        getfiles = [body for path, body in api.requests if path.endswith("/getFile")]
        assert getfiles == [{"file_id": "huge-thumb"}]
