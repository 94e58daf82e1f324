"""A Telegram user, across the four services as real processes: files a case through the
bot (inline keyboards, with a photo) and gets the code; the photo reaches the office
cleaned of its metadata; notification's Telegram courier tells the chat when the office
has the case and when it asks a question; the citizen answers in the chat, and is told
when the case is resolved (a /stop between two questions silences the chat, and /start
undoes it and shows the open question). Every request to
the stand-in Bot API is checked whole, and no log holds the chat id or the bot's token.
"""

from __future__ import annotations

import io
import itertools
import uuid
from typing import Any

import httpx
import pytest
from PIL import Image

from tests.bot_api import StandInBotApi
from tests.e2e.conftest import TELEGRAM_SECRET, TELEGRAM_TOKEN, poll
from tests.e2e.test_sms_citizen import _deliveries

pytestmark = pytest.mark.e2e

CHAT = 700555222
COMMUNE_OFFICE = "commune:170201"
PHOTO_ID = "AgACAgUAAxkBAAMFZ-e2e-photo"
MAKER = "E2ESecretPhoneMaker"
UPDATES = itertools.count(5000)


def photo_with_exif() -> bytes:
    """A JPEG whose EXIF names the phone and where it was taken."""
    exif = Image.Exif()
    exif[0x010F] = MAKER
    gps = exif.get_ifd(0x8825)
    gps[1], gps[2] = "N", (13.0, 21.0, 44.0)
    out = io.BytesIO()
    Image.new("RGB", (80, 60), (20, 120, 200)).save(out, format="JPEG", exif=exif.tobytes())
    return out.getvalue()


def bot(life: Any) -> StandInBotApi:
    assert life.bot_api is not None
    return life.bot_api


def to_webhook(life: Any, update: dict[str, Any]) -> list[dict[str, Any]]:
    """Post one update as the Bot API would; what the bot sent in answer to it."""
    before = len(bot(life).sent(CHAT))
    answer = httpx.post(
        f"{life.url('intake')}/v1/channels/telegram/updates",
        json={"update_id": next(UPDATES), **update},
        headers={"X-Telegram-Bot-Api-Secret-Token": TELEGRAM_SECRET},
        timeout=30,
    )
    assert answer.status_code == 200 and answer.json() == {"ok": True}, answer.text
    return [m for m in bot(life).sent(CHAT)[before:] if isinstance(m["chat_id"], int)]


def write(life: Any, message: dict[str, Any]) -> dict[str, Any]:
    """The person writes (a text or a photo); the one message the bot answers with."""
    chat = {"id": CHAT, "type": "private", "first_name": "Dara"}
    (reply,) = to_webhook(life, {"message": {"message_id": 1, "chat": chat, **message}})
    return reply


def press(life: Any, data: str) -> dict[str, Any]:
    """The person presses a button; the bot's answer."""
    query = {
        "id": f"q-{uuid.uuid4().hex[:8]}",
        "data": data,
        "message": {"message_id": 2, "chat": {"id": CHAT, "type": "private"}},
    }
    (reply,) = to_webhook(life, {"callback_query": query})
    assert (f"/bot{TELEGRAM_TOKEN}/answerCallbackQuery", {"callback_query_id": query["id"]}) in (
        bot(life).requests
    )
    return reply


def news(life: Any) -> list[str]:
    """What notification's Telegram courier sent to the chat (its chat id is the sealed
    contact opened: a string), each request checked whole."""
    sent = [m for m in bot(life).sent(CHAT) if isinstance(m["chat_id"], str)]
    for message in sent:
        assert message.keys() == {"chat_id", "text"} and message["chat_id"] == str(CHAT)
    return [m["text"] for m in sent]


def test_a_telegram_user_files_with_a_photo_follows_and_answers_in_the_chat(life: Any) -> None:
    original = photo_with_exif()
    bot(life).add_file(PHOTO_ID, original)
    description = f"គេទារប្រាក់ ១០០០០ រៀល សម្រាប់សំបុត្រកំណើត {uuid.uuid4().hex[:6]}"
    first = write(life, {"text": "/start"})
    assert first["chat_id"] == CHAT and first["text"].startswith("សំឡេង៖ ជាអ្វី?")
    assert first["reply_markup"]["inline_keyboard"][0][0] == {"text": "បណ្ដឹង", "callback_data": "1"}
    for data in ("1", "1", "p:17", "d:1702", "170201"):
        press(life, data)
    assert press(life, "1")["text"].startswith("រៀបរាប់")
    asked = write(life, {"text": description})
    assert asked == {
        "chat_id": CHAT,
        "text": "ផ្ញើរូបថតមួយ បើមាន (កុំឱ្យឃើញមុខមនុស្ស) ឬចុច រំលង",
        "reply_markup": {"inline_keyboard": [[{"text": "រំលង", "callback_data": "0"}]]},
    }
    sizes = [
        {"file_id": "thumb", "file_unique_id": "t", "width": 90, "height": 68, "file_size": 600},
        {
            "file_id": PHOTO_ID,
            "file_unique_id": "p",
            "width": 80,
            "height": 60,
            "file_size": len(original),
        },
    ]
    assert write(life, {"photo": sizes})["text"].startswith("តើរឿងនេះអំពីការិយាល័យ")
    assert press(life, "2")["text"] == "ផ្ញើបណ្ដឹង នៅជប់តាត្រាវ ជាមួយរូបថត? 1 ផ្ញើ 2 បោះបង់"
    filed = press(life, "1")
    assert "reply_markup" not in filed and filed["text"].endswith("រូបថតត្រូវបានភ្ជាប់។")
    code = filed["text"].split("លេខកូដ៖ ")[1].split()[0]
    assert (f"/bot{TELEGRAM_TOKEN}/getFile", {"file_id": PHOTO_ID}) in bot(life).requests
    life.submitted.append("170201")
    poll(lambda: life.citizen_view(code)["status"] == "assigned")

    # the chat filed the case itself: no confirmation code, straight to the news
    assert "ស្ថានភាព៖ បានប្រគល់" in poll(lambda: news(life))[0]

    # the office reads the case and its photo (cleaned), and asks a question
    commune = life.officer("officer-e2e-telegram", "officer", COMMUNE_OFFICE)
    officer_case = poll(lambda: life.officer_case_described(description, commune))
    complaint_id = officer_case["complaint_id"]
    assert officer_case["channel"] == "telegram" and officer_case["description"] == description
    (attachment,) = officer_case["attachments"]
    photo = httpx.get(f"{life.url('intake')}{attachment['download']}", headers=commune, timeout=10)
    assert photo.status_code == 200 and photo.headers["content-type"] == "image/jpeg"
    assert MAKER.encode() not in photo.content
    with Image.open(io.BytesIO(photo.content)) as image:
        assert image.getexif().get_ifd(0x8825) == {}
    officer_case = life.officer_act(officer_case, "acknowledge", commune)
    question = "តើគេទារប្រាក់នៅថ្ងៃណា?"
    officer_case = life.officer_act(officer_case, "questions", commune, text=question)
    poll(lambda: any("ស្នើសុំព័ត៌មាន" in t for t in news(life)))

    # the citizen answers in the chat; the reply says how to start a new report
    answer = "ថ្ងៃអង្គារ ទី៤ ខែវិច្ឆិកា"
    assert write(life, {"text": answer})["text"] == "អរគុណ។ ចម្លើយបានផ្ញើទៅការិយាល័យ។ NEW=រាយការណ៍ថ្មី"
    officer_case = poll(
        lambda: (
            (c := life.officer_get(f"/cases/{complaint_id}", commune).json())["status"]
            == "acknowledged"
            and c["deadlines"]["resolve_by"]
            and c
        )
    )
    assert officer_case["questions"][0]["answer"] == answer

    # /stop silences the chat: the office's second question is not sent to it
    assert write(life, {"text": "/stop"})["text"] == "អ្នកនឹងមិនទទួលសារពីសំឡេងទៀតទេ។"
    sent = len(news(life))
    second = "តើអ្នកមានបង្កាន់ដៃទេ?"
    officer_case = life.officer_get(f"/cases/{complaint_id}", commune).json()  # STOP moved it
    life.officer_act(officer_case, "questions", commune, text=second)
    poll(
        lambda: [
            d
            for d in _deliveries(life, complaint_id)
            if d["channel"] == "telegram"
            and d["state"] == "suppressed"
            and "STOP" in (d.get("last_error") or "")
        ]
    )
    assert len(news(life)) == sent

    # /start undoes it, and shows the open question, which the next message answers
    start = {"message_id": 9, "chat": {"id": CHAT, "type": "private"}, "text": "/start"}
    resumed, shown = to_webhook(life, {"message": start})
    assert resumed["text"] == "អ្នកនឹងទទួលសារពីសំឡេងម្ដងទៀត។ STOP=ឈប់"
    assert second in shown["text"]
    assert write(life, {"text": "មាន"})["text"].startswith("អរគុណ។")
    officer_case = poll(
        lambda: (
            (c := life.officer_get(f"/cases/{complaint_id}", commune).json())["status"]
            == "acknowledged"
            and len(c["questions"]) == 2
            and c["questions"][1]["answer"] == "មាន"
            and c
        )
    )
    life.officer_act_latest(complaint_id, "resolve", commune, note="បានសងប្រាក់វិញ")
    assert len(poll(lambda: [t for t in news(life) if "បានដោះស្រាយ" in t])) == 1
    for text in news(life):
        assert code not in text and description not in text

    # nothing in any log names the chat or shows the bot's token
    for name in ("intake", "notification"):
        logged = life.started[name].read_log()
        assert str(CHAT) not in logged and TELEGRAM_TOKEN not in logged, name
