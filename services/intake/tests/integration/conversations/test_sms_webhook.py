"""The SMS webhook over real HTTP, MongoDB and RabbitMQ, driven by a stand-in gateway:
a feature-phone citizen files a case; signatures, time window and replays are enforced;
nothing stored or logged names the number."""

from __future__ import annotations

import time
from typing import Any

import pytest
from cryptography.fernet import Fernet

from samleng.intake.app import bootstrap
from services.intake.tests.integration.citizen.helpers import (
    collection,
    database_dump,
    next_event,
    service_log_lines,
)
from services.intake.tests.integration.conversations.gateway import SECRET, StandInGateway
from services.intake.tests.integration.shared import intake_settings
from tests.support import running, tap

pytestmark = pytest.mark.integration

NUMBER = "+85512888777"


def settings_of(env: Any, **overrides: Any) -> Any:
    return intake_settings(env, sms_webhook_secret=SECRET, **overrides)


async def test_a_feature_phone_files_a_case_and_nothing_kept_names_the_number(
    env: Any, amqp: Any
) -> None:
    settings = settings_of(env)
    copies = await tap(amqp, "complaint.submitted.v1")
    service: Any = bootstrap(settings)
    with service_log_lines() as logs:
        async with running(service.app) as http:
            gateway = StandInGateway(http)
            assert (await gateway.say("012 888 777", "សួស្ដី")).startswith("សំឡេង៖ ជាអ្វី?")
            await gateway.say(NUMBER, "1")
            await gateway.say(NUMBER, "1")
            assert "ជប់តាត្រាវ" in await gateway.say(NUMBER, "ជប់តាត្រាវ")
            await gateway.say(NUMBER, "1")
            drafts = await collection(settings, "conversations")
            assert len(drafts) == 1 and NUMBER not in repr(drafts)
            await gateway.say(NUMBER, "គេទារប្រាក់ ២០០០០ រៀល ក្រៅពីតម្លៃផ្លូវការ")
            await gateway.say(NUMBER, "2")
            filed = await gateway.say(NUMBER, "1")
            code = filed.split("លេខកូដ៖ ")[1].split()[0]
            (case,) = await collection(settings, "cases")
            event = await next_event(copies, case["_id"])
            status = await gateway.say(NUMBER, f"STATUS {code}")
            assert status.startswith("ស្ថានភាព៖ បានទទួល"), status
    assert event.model_dump()["data"]["channel"] == "sms"
    (contact,) = event.model_dump()["data"]["contacts"]
    fernet = Fernet(env.stack.secrets["SAMLENG_CONTACT_SEALING_KEY"].encode())
    assert fernet.decrypt(contact["ciphertext"].encode()).decode() == NUMBER
    assert contact["from_holder"] is True
    assert await collection(settings, "conversations") == []  # erased once filed
    dump = await database_dump(settings)
    for shown in (NUMBER, NUMBER[1:], "012888777", "12888777"):
        assert shown not in dump
        assert shown not in logs.getvalue()


async def test_unsigned_stale_and_replayed_messages_are_refused(env: Any) -> None:
    settings = settings_of(env)
    service: Any = bootstrap(settings)
    async with running(service.app) as http:
        gateway = StandInGateway(http)
        forged = await StandInGateway(http, secret="x" * 40).post(NUMBER, "HELP")
        assert forged.status_code == 401
        assert forged.headers["content-type"].startswith("application/problem+json")
        stale = await gateway.post(NUMBER, "HELP", at=time.time() - 3600)
        assert stale.status_code == 401
        first = await gateway.post(NUMBER, "HELP", message_id="gw-same")
        again = await gateway.post(NUMBER, "HELP", message_id="gw-same")
        assert first.status_code == again.status_code == 200
        assert first.json()["replies"] and again.json() == {"duplicate": True, "replies": []}
        shapeless = await gateway.post("not a number", "HELP")
        assert shapeless.status_code == 422


async def test_without_a_secret_the_webhook_is_off(env: Any) -> None:
    service: Any = bootstrap(intake_settings(env))
    async with running(service.app) as http:
        answer = await StandInGateway(http).post(NUMBER, "HELP")
        assert answer.status_code == 503
