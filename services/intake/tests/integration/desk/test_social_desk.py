"""The social-media desk over real HTTP, MongoDB and RabbitMQ: Meta's hub challenge, signed
webhook deliveries (Messenger messages and Page comments in the shapes Meta sends), a
queue that keeps no name or picture, and agents who file a message as a case or dismiss
it with a reason, both audited."""

from __future__ import annotations

import hashlib
import hmac
import json
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from cryptography.fernet import Fernet
from pymongo import AsyncMongoClient

from samleng.common.events import parse_event
from samleng.intake.desk.handlers import expire_messages
from services.intake.tests.integration.citizen.helpers import (
    collection,
    database_dump,
    next_event,
)
from services.intake.tests.integration.desk.test_assisted_filing import (
    agent_token,
    bearer,
    case_of,
)
from services.intake.tests.integration.officer.support import officer_desk
from tests.support import eventually, next_message, tap

pytestmark = pytest.mark.integration

SECRET = "test-app-secret-0123456789abcdef"  # noqa: S105 - the stand-in app's secret
VERIFY = "verify-me-please"
SOCIAL = "social_media:national:moi"
PAGE = "104000000000001"
PSID = "6543210987654321"
COMMENTER = "998877665544"
NAME = "Sok Dara Chan"
PICTURE = "https://platform-lookaside.fbsbx.com/platform/profilepic/?psid=6543210987654321"


def messenger_message(mid: str, text: str) -> dict[str, Any]:
    """A Messenger Platform ``messages`` webhook, as Meta sends it."""
    return {
        "object": "page",
        "entry": [
            {
                "id": PAGE,
                "time": 1764990000000,
                "messaging": [
                    {
                        "sender": {"id": PSID, "name": NAME, "profile_pic": PICTURE},
                        "recipient": {"id": PAGE},
                        "timestamp": 1764990000000,
                        "message": {
                            "mid": mid,
                            "text": text,
                            "attachments": [{"type": "image", "payload": {"url": PICTURE}}],
                        },
                    },
                    {  # the page's own echo, and a read receipt: neither is a message
                        "sender": {"id": PAGE},
                        "recipient": {"id": PSID},
                        "timestamp": 1764990000001,
                        "message": {"mid": "m_echo", "text": "hi", "is_echo": True},
                    },
                    {"sender": {"id": PSID}, "recipient": {"id": PAGE}, "read": {"watermark": 1}},
                ],
            }
        ],
    }


def page_comment(comment_id: str, text: str) -> dict[str, Any]:
    """A Page ``feed`` webhook for a new comment, as Meta sends it."""
    return {
        "object": "page",
        "entry": [
            {
                "id": PAGE,
                "time": 1764990100,
                "changes": [
                    {
                        "field": "feed",
                        "value": {
                            "from": {"id": COMMENTER, "name": NAME},
                            "post": {"status_type": "added_photos", "is_published": True},
                            "message": text,
                            "post_id": f"{PAGE}_555",
                            "comment_id": comment_id,
                            "created_time": 1764990100,
                            "item": "comment",
                            "parent_id": f"{PAGE}_555",
                            "verb": "add",
                        },
                    }
                ],
            }
        ],
    }


def signed(payload: dict[str, Any], secret: str = SECRET) -> tuple[bytes, dict[str, str]]:
    """The raw body and headers of a delivery signed as Meta signs it."""
    body = json.dumps(payload, ensure_ascii=False).encode()
    digest = hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()
    return body, {"X-Hub-Signature-256": f"sha256={digest}", "content-type": "application/json"}


def facebook(**overrides: Any) -> dict[str, Any]:
    """Settings of an intake that takes the Page's webhooks."""
    return {"facebook_app_secret": SECRET, "facebook_verify_token": VERIFY, **overrides}


async def test_the_hub_challenge_is_answered_only_with_our_verify_token(
    desk_env: Any, amqp: Any
) -> None:
    async with officer_desk(desk_env, amqp, **facebook()) as desk:
        ok = await desk.http.get(
            "/v1/webhooks/facebook",
            params={
                "hub.mode": "subscribe",
                "hub.verify_token": VERIFY,
                "hub.challenge": "1158201444",
            },
        )
        assert ok.status_code == 200 and ok.text == "1158201444"
        wrong = await desk.http.get(
            "/v1/webhooks/facebook",
            params={"hub.mode": "subscribe", "hub.verify_token": "guess", "hub.challenge": "1"},
        )
        assert wrong.status_code == 403
        assert wrong.headers["content-type"].startswith("application/problem+json")
    async with officer_desk(desk_env, amqp) as unconfigured:
        off = await unconfigured.http.get("/v1/webhooks/facebook", params={"hub.mode": "subscribe"})
        assert off.status_code == 503


async def test_only_signed_deliveries_are_taken(desk_env: Any, amqp: Any) -> None:
    async with officer_desk(desk_env, amqp, **facebook()) as desk:
        body, headers = signed(messenger_message("m_unsigned", "ជួយផង"))
        unsigned = await desk.http.post(
            "/v1/webhooks/facebook", content=body, headers={"content-type": "application/json"}
        )
        assert unsigned.status_code == 401
        assert unsigned.headers["content-type"].startswith("application/problem+json")
        _, forged = signed(messenger_message("m_unsigned", "ជួយផង"), secret="not-ours")  # noqa: S106
        assert (
            await desk.http.post("/v1/webhooks/facebook", content=body, headers=forged)
        ).status_code == 403
        tampered = body.replace("ជួយផង".encode(), "ចប់".encode())
        assert (
            await desk.http.post("/v1/webhooks/facebook", content=tampered, headers=headers)
        ).status_code == 403
        assert await collection(desk.settings, "desk_messages") == []


async def test_messages_are_queued_without_names_or_pictures_and_filed_as_cases(
    desk_env: Any, amqp: Any
) -> None:
    copies = await tap(amqp, "complaint.submitted.v1")
    desk_events = await tap(amqp, "desk.#")
    async with officer_desk(desk_env, amqp, **facebook()) as desk:
        message, comment = (
            messenger_message("m_1", "គេទារលុយលើស ៥០០០០ រៀល"),
            page_comment(f"{PAGE}_555_777", "ផ្លូវខូចយូរហើយ"),
        )
        for payload in (message, comment, message):  # Meta redelivers: stored once
            body, headers = signed(payload)
            answer = await desk.http.post("/v1/webhooks/facebook", content=body, headers=headers)
            assert answer.status_code == 200, answer.text
        stored = await database_dump(desk.settings)
        for forbidden in (NAME, "Sok", "profile", PICTURE, PSID, COMMENTER, "m_1", "555_777"):
            assert forbidden not in stored, f"{forbidden!r} was stored"

        agent = agent_token(desk.stack, "agent-social", [SOCIAL])
        queue = await desk.http.get("/v1/desk/messages", headers=bearer(agent))
        assert queue.status_code == 200, queue.text
        items = queue.json()
        assert [i["text"] for i in items] == ["គេទារលុយលើស ៥០០០០ រៀល", "ផ្លូវខូចយូរហើយ"]
        assert [i["kind"] for i in items] == ["message", "comment"]
        assert NAME not in queue.text and PSID not in queue.text

        # a counter agent sees no social-media queue
        counter = agent_token(desk.stack, "agent-counter", ["counter:district:1702"])
        assert (
            await desk.http.get("/v1/desk/messages", headers=bearer(counter))
        ).status_code == 403

        filed = await desk.http.post(
            f"/v1/desk/messages/{items[0]['message_id']}/case",
            json={"kind": "complaint", "category": "extra_fee", "commune_code": "170201"},
            headers=bearer(agent),
        )
        assert filed.status_code == 201, filed.text
        case = await case_of(desk, filed.json()["tracking_code"])
        assert case.submission.channel == "social_media"
        assert case.submission.description == "គេទារលុយលើស ៥០០០០ រៀល"
        event = await next_event(copies, case.complaint_id)
        (contact,) = event.data.contacts  # type: ignore[attr-defined]
        fernet = Fernet(desk_env.stack.secrets["SAMLENG_CONTACT_SEALING_KEY"].encode())
        assert contact.channel == "messenger"
        assert fernet.decrypt(contact.ciphertext.encode()).decode() == f"psid:{PSID}"
        sealed_code = event.data.receipt  # type: ignore[attr-defined]
        code = filed.json()["tracking_code"]
        assert fernet.decrypt(sealed_code.ciphertext.encode()).decode() == code
        again = await desk.http.post(
            f"/v1/desk/messages/{items[0]['message_id']}/case",
            json={"kind": "complaint", "category": "extra_fee", "commune_code": "170201"},
            headers=bearer(agent),
        )
        assert again.status_code == 404  # filed once

        short = await desk.http.post(
            f"/v1/desk/messages/{items[1]['message_id']}/dismissal",
            json={"reason": ""},
            headers=bearer(agent),
        )
        assert short.status_code == 422
        dismissed = await desk.http.post(
            f"/v1/desk/messages/{items[1]['message_id']}/dismissal",
            json={"reason": "not about a public service", "category": "not_feedback"},
            headers=bearer(agent),
        )
        assert dismissed.status_code == 204, dismissed.text

        # announced for the public figures: two arrivals (the redelivery was not), one
        # dismissal with its category; no text, sender, reply address or agent's words
        announced = [await next_message(desk_events, timeout=30) for _ in range(3)]
        bodies = [m.body.decode() for m in announced]
        events = sorted((parse_event(m.body) for m in announced), key=lambda e: e.type)
        assert [e.type for e in events] == [
            "desk.message_dismissed",
            "desk.message_received",
            "desk.message_received",
        ]
        assert {e.data.desk for e in events} == {SOCIAL}  # type: ignore[attr-defined]
        assert events[0].data.reason == "not_feedback"  # type: ignore[attr-defined]
        assert events[0].complaint_id == f"desk-message:{items[1]['message_id']}"
        assert events[0].sequence == 2
        for wire in bodies:
            for secret in ("ផ្លូវខូច", "គេទារ", PSID, COMMENTER, NAME, "public service", "psid"):
                assert secret not in wire, secret
        assert await desk_events.get(fail=False) is None  # nothing more
        assert (await desk.http.get("/v1/desk/messages", headers=bearer(agent))).json() == []

        # decided messages keep no text and no reply address
        for doc in await collection(desk.settings, "desk_messages"):
            assert "text" not in doc and "reply" not in doc
        audit = desk.service.ports.officers.audit
        trail = [e.record async for e in audit.entries(subject="agent-social")]
        assert [r.action for r in trail] == ["case.filed_for_citizen", "desk_message.dismissed"]
        assert "not about a public service" in trail[1].detail

        months = await desk.http.get("/v1/desk/figures", headers=bearer(agent))
        assert [(m["received"], m["filed"], m["dismissed"]) for m in months.json()] == [(2, 1, 1)]


async def test_messages_nobody_decided_lose_their_text_after_the_set_days(
    desk_env: Any, amqp: Any
) -> None:
    """The expiry job (every retention interval) erases the text and reply address of a
    message left waiting longer than SAMLENG_DESK_MESSAGE_DAYS; its count stays."""
    fresh = messenger_message("m_fresh", "ភ្លើងផ្លូវខូច")
    old = messenger_message("m_old", "សុំជួយផង ចាស់")
    settings = facebook(retention_interval_seconds=0.3, desk_message_days=30)
    async with officer_desk(desk_env, amqp, **settings) as desk:
        for payload in (old, fresh):
            body, headers = signed(payload)
            answer = await desk.http.post("/v1/webhooks/facebook", content=body, headers=headers)
            assert answer.status_code == 200, answer.text
        # the first message has waited 31 days: as if it had reached the queue back then
        client: AsyncMongoClient[dict[str, Any]] = AsyncMongoClient(
            desk.settings.mongo_url.get_secret_value()
        )
        try:
            await client[desk.settings.mongo_database]["desk_messages"].update_one(
                {"text": "សុំជួយផង ចាស់"},
                {"$set": {"queued_at": datetime.now(UTC) - timedelta(days=31)}},
            )
        finally:
            await client.close()

        async def expired() -> list[dict[str, Any]] | None:
            docs = await collection(desk.settings, "desk_messages")
            gone = [d for d in docs if d["state"] == "expired"]
            return gone or None

        (gone,) = await eventually(expired, timeout=60, interval=0.3)
        assert "text" not in gone and "reply" not in gone
        assert "សុំជួយផង" not in await database_dump(desk.settings, exclude=("outbox",))
        agent = agent_token(desk.stack, "agent-social", [SOCIAL])
        queue = (await desk.http.get("/v1/desk/messages", headers=bearer(agent))).json()
        assert [i["text"] for i in queue] == ["ភ្លើងផ្លូវខូច"]  # the fresh one waits
        months = (await desk.http.get("/v1/desk/figures", headers=bearer(agent))).json()
        assert sum(m["received"] for m in months) == 2
        assert sum(m["expired"] for m in months) == 1
        # with a shorter period the fresh one goes too, by the same use case
        later = datetime.now(UTC) + timedelta(days=31)
        assert (
            await expire_messages(desk.service.ports.desk.messages, timedelta(days=30), later) == 1
        )
        assert (await desk.http.get("/v1/desk/messages", headers=bearer(agent))).json() == []
