"""The Telegram bot over real HTTP and MongoDB, against a stand-in Bot API that keeps the
exact requests: the secret token is checked, the guided flow runs on inline keyboards
(province -> district -> commune), the case is filed with its sealed chat id, and
/status and /stop work in the chat."""

from __future__ import annotations

import itertools
from typing import Any

import pytest
from cryptography.fernet import Fernet

from samleng.intake.app import bootstrap
from services.intake.tests.integration.citizen.helpers import collection, next_event
from services.intake.tests.integration.shared import intake_settings
from tests.bot_api import stand_in_bot_api
from tests.support import running, tap

pytestmark = pytest.mark.integration

TOKEN = "123456:stand-in-token"  # noqa: S105
SECRET = "telegram-webhook-secret-of-32-characters"  # noqa: S105
CHAT = 700123456
UPDATES = itertools.count(1)


def message(text: str, chat_type: str = "private") -> dict[str, Any]:
    return {
        "update_id": next(UPDATES),
        "message": {"message_id": 1, "chat": {"id": CHAT, "type": chat_type}, "text": text},
    }


def press(data: str) -> dict[str, Any]:
    return {
        "update_id": next(UPDATES),
        "callback_query": {
            "id": f"cb-{data}",
            "data": data,
            "message": {"message_id": 2, "chat": {"id": CHAT, "type": "private"}},
        },
    }


async def test_a_chat_user_files_with_keyboards_and_follows_the_case(env: Any, amqp: Any) -> None:
    copies = await tap(amqp, "complaint.submitted.v1")
    with stand_in_bot_api(TOKEN) as api:
        settings = intake_settings(
            env,
            telegram_bot_token=TOKEN,
            telegram_webhook_secret=SECRET,
            telegram_api_url=api.url,
        )
        service: Any = bootstrap(settings)
        async with running(service.app) as http:

            async def post(update: dict[str, Any]) -> dict[str, Any]:
                answer = await http.post(
                    "/v1/channels/telegram/updates",
                    json=update,
                    headers={"X-Telegram-Bot-Api-Secret-Token": SECRET},
                )
                assert answer.status_code == 200, answer.text
                return api.sent()[-1] if api.sent() else {}

            first = await post(message("/start"))
            assert api.requests[0][0] == f"/bot{TOKEN}/sendMessage"
            assert first == {
                "chat_id": CHAT,
                "text": "សំឡេង៖ ជាអ្វី? 1 បណ្ដឹង 2 សុំជំនួយ 3 សុំព័ត៌មាន 4 យោបល់ (EN=English)",
                "reply_markup": {
                    "inline_keyboard": [
                        [
                            {"text": "បណ្ដឹង", "callback_data": "1"},
                            {"text": "សុំជំនួយ", "callback_data": "2"},
                        ],
                        [
                            {"text": "សុំព័ត៌មាន", "callback_data": "3"},
                            {"text": "យោបល់", "callback_data": "4"},
                        ],
                    ]
                },
            }
            category = await post(press("1"))
            assert api.requests[-2] == (
                f"/bot{TOKEN}/answerCallbackQuery",
                {"callback_query_id": "cb-1"},
            )
            assert len(category["reply_markup"]["inline_keyboard"]) == 8
            provinces = await post(press("7"))
            buttons = [b for row in provinces["reply_markup"]["inline_keyboard"] for b in row]
            assert {"text": "សៀមរាប", "callback_data": "p:17"} in buttons
            assert len(buttons) == 25
            districts = await post(press("p:17"))
            buttons = [b for row in districts["reply_markup"]["inline_keyboard"] for b in row]
            assert {"text": "អង្គរធំ", "callback_data": "d:1702"} in buttons
            communes = await post(press("d:1702"))
            buttons = [b for row in communes["reply_markup"]["inline_keyboard"] for b in row]
            assert {"text": "ជប់តាត្រាវ", "callback_data": "170201"} in buttons
            confirm_place = await post(press("170201"))
            assert confirm_place["text"] == "ជប់តាត្រាវ, អង្គរធំ? 1 ត្រូវ 2 ទេ"
            assert (await post(press("1")))["text"].startswith("រៀបរាប់")
            asked = await post(message("គេទារប្រាក់ ១០០០០ រៀល"))
            assert asked["text"] == "ផ្ញើរូបថតមួយ បើមាន (កុំឱ្យឃើញមុខមនុស្ស) ឬចុច រំលង"
            about = await post(press("0"))  # skip the photo
            assert about["text"] == "តើរឿងនេះអំពីការិយាល័យដែលដោះស្រាយវាឬ? 1 បាទ/ចាស 2 ទេ"
            await post(press("2"))
            filed = await post(press("1"))
            assert "reply_markup" not in filed
            code = filed["text"].split("លេខកូដ៖ ")[1].split()[0]
            (case,) = await collection(settings, "cases")
            event = await next_event(copies, case["_id"])
            status = await post(message(f"/status {code}"))
            assert status["text"].startswith("ស្ថានភាព៖ បានទទួល")
            in_group = len(api.requests)
            await post(message("/start", chat_type="group"))
            assert len(api.requests) == in_group  # groups are not served
            stopped = await post(message("/stop"))
            assert stopped["text"] == "អ្នកនឹងមិនទទួលសារពីសំឡេងទៀតទេ។"
            again = await http.post(
                "/v1/channels/telegram/updates",
                json={"update_id": 1, "message": {"chat": {"id": CHAT, "type": "private"}}},
                headers={"X-Telegram-Bot-Api-Secret-Token": SECRET},
            )
            assert again.status_code == 200 and len(api.requests) == in_group + 1  # a replay
    data = event.model_dump()["data"]
    assert data["channel"] == "telegram"
    (contact,) = data["contacts"]
    fernet = Fernet(env.stack.secrets["SAMLENG_CONTACT_SEALING_KEY"].encode())
    assert fernet.decrypt(contact["ciphertext"].encode()).decode() == str(CHAT)
    assert contact["channel"] == "telegram" and contact["from_holder"] is True


async def test_a_wrong_secret_token_is_refused_and_nothing_is_sent(env: Any) -> None:
    with stand_in_bot_api(TOKEN) as api:
        settings = intake_settings(
            env, telegram_bot_token=TOKEN, telegram_webhook_secret=SECRET, telegram_api_url=api.url
        )
        async with running(bootstrap(settings).app) as http:
            for headers in ({"X-Telegram-Bot-Api-Secret-Token": "x" * 40}, {}):
                answer = await http.post(
                    "/v1/channels/telegram/updates", json=message("/start"), headers=headers
                )
                assert answer.status_code == 401
        async with running(bootstrap(intake_settings(env)).app) as http:
            answer = await http.post("/v1/channels/telegram/updates", json=message("/start"))
            assert answer.status_code == 503
        assert api.requests == []
