"""Alerts on the real broker and database, delivered to a real SMTP server and to HTTP
servers playing the SMS gateway and the Telegram Bot API."""

from __future__ import annotations

import json
import uuid
from collections import Counter
from typing import Any

import httpx
import pytest
from pymongo import AsyncMongoClient

from samleng.common.sms import sms_size
from samleng.notification.app import create_app
from samleng.notification.settings import NotificationSettings
from services.notification.tests.integration.helpers import (
    assigned,
    captured_logs,
    confirm_contacts,
    life_of_a_case,
    office,
    provider_settings,
    providers,
    seal,
    signed_in,
    submitted,
)
from tests.support import eventually, publish_event, running, settings_for

pytestmark = pytest.mark.integration

CITIZEN = {"email": "citizen.private@example.org", "sms": "+85599123456", "telegram": "7007007"}


def unique(prefix: str) -> str:
    """An office id no other test uses."""
    return f"{prefix}:{uuid.uuid4().hex[:10]}"


def sealing_key(settings: NotificationSettings) -> str:
    """The session's contact sealing key (the one intake holds too)."""
    return str(json.loads(settings.contact_sealing_keys.get_secret_value())["dev"])


async def put_recipient(
    http: httpx.AsyncClient, settings: NotificationSettings, office_id: str, rid: str, **body: Any
) -> None:
    """Register an officer through the admin API."""
    response = await http.put(
        f"/v1/admin/offices/{office_id}/recipients/{rid}",
        json=body,
        headers=admin(settings),
    )
    assert response.status_code == 200, response.text


def admin(settings: NotificationSettings) -> dict[str, str]:
    """The admin bearer header."""
    return {"Authorization": f"Bearer {settings.admin_token.get_secret_value()}"}


async def delivery_log(
    http: httpx.AsyncClient, settings: NotificationSettings, **query: str
) -> list[dict[str, Any]]:
    """The admin delivery log."""
    response = await http.get("/v1/admin/deliveries", params=query, headers=admin(settings))
    assert response.status_code == 200, response.text
    return list(response.json())


async def stored_deliveries(settings: NotificationSettings, complaint_id: str) -> int:
    """How many deliveries of a case the database holds, in any state."""
    client: AsyncMongoClient[dict[str, Any]] = AsyncMongoClient(
        settings.mongo_url.get_secret_value()
    )
    try:
        deliveries = client[settings.mongo_database]["deliveries"]
        return await deliveries.count_documents({"complaint_id": complaint_id})
    finally:
        await client.close()


async def test_every_trigger_reaches_the_right_people_once_in_their_language(
    stack: Any, amqp: Any
) -> None:
    a, b, c, d = (unique(p) for p in ("commune", "district", "ministry", "province"))
    a_office, b_office = office(a), office(b, "district")
    c_office, d_office = office(c, "province"), office(d, "province")
    async with providers() as (inbox, gateways):
        # the citizen's confirmation request and five pieces of news in one day
        overrides = provider_settings(inbox, gateways, citizen_daily_cap=6)
        settings = settings_for(stack, NotificationSettings, "notification", **overrides)
        key = sealing_key(settings)
        contacts = tuple(seal(key, channel, address) for channel, address in CITIZEN.items())
        first = submitted(str(uuid.uuid4()), contacts, language="km")
        life = life_of_a_case(first, a_office, b_office, c_office, d_office)
        officers = {
            "dara": (a, {"language": "km", "endpoints": [
                {"channel": "email", "address": "dara@commune.example"},
                {"channel": "sms", "address": "+85510000001"}]}),
            "sokha": (b, {"language": "en", "endpoints": [
                {"channel": "telegram", "address": "50015001"}]}),
            "vanna": (c, {"language": "km", "endpoints": [
                {"channel": "email", "address": "vanna@ministry.example"}]}),
            "bopha": (d, {"language": "en", "endpoints": [
                {"channel": "sms", "address": "+85510000004"}]}),
        }  # fmt: skip
        with captured_logs() as logs:
            # two replicas on one database and one queue, every event delivered twice
            async with (
                running(create_app(settings)) as http,
                running(create_app(settings)),
            ):
                for rid, (office_id, body) in officers.items():
                    await put_recipient(http, settings, office_id, rid, **body)
                for event in life[:1]:
                    await publish_event(amqp, event)
                    await publish_event(amqp, event)
                await confirm_contacts(http, inbox, gateways, CITIZEN.items())
                for event in life[1:]:
                    await publish_event(amqp, event)
                    await publish_event(amqp, event)

                seen: list[dict[str, Any]] = []

                async def all_sent() -> list[dict[str, Any]] | None:
                    seen[:] = await delivery_log(http, settings, complaint_id=first.complaint_id)
                    done = len(seen) == 39 and all(d["state"] == "sent" for d in seen)
                    return seen if done else None

                try:
                    log = await eventually(all_sent, timeout=30)
                except AssertionError as missing:
                    states = Counter((d["kind"], d["channel"], d["state"]) for d in seen)
                    raise AssertionError(
                        f"deliveries so far: {sorted(states.items())}"
                    ) from missing
                feeds = {
                    o: (
                        await http.get(
                            f"/v1/offices/{o}/notifications", headers=signed_in(stack, o)
                        )
                    ).json()
                    for o in (a, b, c, d)
                }
            # both replicas have stopped: what follows is everything that was ever sent

    # 36 alerts and news, and one confirmation request per contact
    assert await stored_deliveries(settings, first.complaint_id) == 39

    # officers: dara (A) hears of the assignment, the answer, the warning, the breach and
    # the escalation away; B of the escalation in; C of the forward; D of the transfer
    dara_mail = inbox.messages_to("dara@commune.example")
    assert len(dara_mail) == 5
    subjects = sorted(str(m["Subject"]) for m in dara_mail)
    assert any("ករណីថ្មីមួយត្រូវបានប្រគល់ទៅ ការិយាល័យ " + a in s for s in subjects)
    assert any("ថ្ងៃកំណត់ការដោះស្រាយ" in s and "ហួស" in s for s in subjects)
    assert all(m.get_content_charset() == "utf-8" for m in dara_mail)
    assert len(gateways.accepted_for("sms", "+85510000001")) == 5
    sokha = gateways.accepted_for("telegram", "50015001")
    assert [m["text"].splitlines()[0] for m in sokha] == [
        f"A case of Office {a} was escalated to Office {b} because it was not resolved in time."
    ]
    assert len(inbox.messages_to("vanna@ministry.example")) == 1
    bopha = gateways.accepted_for("sms", "+85510000004")
    assert len(bopha) == 1 and bopha[0]["text"].startswith(f"A case was transferred to Office {d}")

    # the citizen: assigned, asked, escalated, forwarded, resolved — on each channel, in
    # Khmer, saying only "your case", the status and the link
    # (after the confirmation request each contact confirmed)
    citizen_mail = inbox.messages_to(CITIZEN["email"])[1:]
    citizen_sms = gateways.accepted_for("sms", CITIZEN["sms"])[1:]
    citizen_tg = gateways.accepted_for("telegram", CITIZEN["telegram"])[1:]
    assert len(citizen_mail) == len(citizen_sms) == len(citizen_tg) == 5
    texts = [m.get_content() for m in citizen_mail]
    assert str(citizen_mail[0]["Subject"]) == "សំឡេង៖ ព័ត៌មានថ្មីអំពីករណីរបស់អ្នក"
    for text in texts + [m["text"] for m in citizen_sms + citizen_tg]:
        assert "ករណីរបស់អ្នក" in text and "https://samleng.example/track" in text
        assert first.complaint_id not in text and a not in text
    assert any("ប្តឹងឧទ្ធរណ៍" in t for t in texts), "the resolution says how to appeal"
    for message in citizen_sms:
        size = sms_size(message["text"])
        assert message["encoding"] == "UCS-2" == size.encoding
        assert message["segments"] == size.segments > 1

    # the feeds, and the delivery log answering "was office A told about this case"
    assert [len(feeds[o]["alerts"]) for o in (a, b, c, d)] == [5, 1, 1, 1]
    assert feeds[a]["unread"] == 5
    told_a = [e for e in log if e["office_id"] == a]
    assert {(e["channel"], e["state"]) for e in told_a} == {
        ("in_app", "sent"),
        ("email", "sent"),
        ("sms", "sent"),
    }
    assert all(e["sent_at"] and e["attempts"] == 1 for e in log)

    # no contact detail in any log line
    lines = "\n".join(logs.lines)
    assert "delivery sent" in lines
    for secret in [*CITIZEN.values(), "dara@commune.example", "+85510000001", "50015001"]:
        assert secret not in lines, f"{secret!r} was logged"


async def test_a_gateway_failing_three_times_then_recovering_delivers_exactly_once(
    stack: Any, amqp: Any
) -> None:
    office_id = unique("commune")
    async with providers() as (inbox, gateways):
        gateways.fail_next["sms"] = 3
        settings = settings_for(
            stack, NotificationSettings, "notification", **provider_settings(inbox, gateways)
        )
        event = assigned(submitted(str(uuid.uuid4())), office(office_id))
        async with running(create_app(settings)) as http:
            await put_recipient(
                http, settings, office_id, "dara",
                endpoints=[{"channel": "sms", "address": "+85510000009"}],
            )  # fmt: skip
            await publish_event(amqp, event)

            async def sms_sent() -> dict[str, Any] | None:
                log = await delivery_log(http, settings, office_id=office_id)
                sms = [e for e in log if e["channel"] == "sms"]
                return sms[0] if sms and sms[0]["state"] == "sent" else None

            delivery = await eventually(sms_sent)
    tries = [body for kind, body in gateways.requests if body.get("to") == "+85510000009"]
    assert len(tries) == 4 and delivery["attempts"] == 4
    assert len(gateways.accepted_for("sms", "+85510000009")) == 1
    # every try carried the same idempotency reference, so a gateway could dedupe too,
    # and it does not name the complaint (whose id is public) to the provider
    assert len({body["reference"] for body in tries}) == 1
    assert event.complaint_id not in tries[0]["reference"]


async def test_a_permanently_failing_gateway_ends_failed_and_blocks_no_other_alert(
    stack: Any, amqp: Any
) -> None:
    office_id = unique("commune")
    async with providers() as (inbox, gateways):
        gateways.down.add("telegram")
        settings = settings_for(
            stack,
            NotificationSettings,
            "notification",
            **provider_settings(inbox, gateways, max_attempts=3),
        )
        key = sealing_key(settings)
        cases = [
            submitted(str(uuid.uuid4()), (seal(key, "sms", "+85599000001"),)) for _ in range(2)
        ]
        async with running(create_app(settings)) as http:
            await put_recipient(
                http, settings, office_id, "sokha", language="en",
                endpoints=[{"channel": "telegram", "address": "4242"},
                           {"channel": "email", "address": "sokha@commune.example"}],
            )  # fmt: skip
            for case in cases:
                await publish_event(amqp, case)
                await publish_event(amqp, assigned(case, office(office_id)))

            async def settled() -> list[dict[str, Any]] | None:
                log = await delivery_log(http, settings, office_id=office_id)
                telegram = [e for e in log if e["channel"] == "telegram"]
                done = len(telegram) == 2 and all(e["state"] == "failed" for e in telegram)
                return log if done else None

            log = await eventually(settled)
            citizen = [
                e for case in cases
                for e in await delivery_log(http, settings, complaint_id=case.complaint_id)
                if e["audience"] == "citizen"
            ]  # fmt: skip
            failed = await delivery_log(http, settings, state="failed")
    for entry in (e for e in log if e["channel"] == "telegram"):
        assert entry["attempts"] == 3
        assert entry["last_error"] == "the Telegram Bot API answered HTTP 500"
        assert entry["failed_at"] is not None
    assert {e["channel"]: e["state"] for e in log if e["channel"] != "telegram"} == {
        "email": "sent",
        "in_app": "sent",
    }
    assert len(inbox.messages_to("sokha@commune.example")) == 2
    assert [e["state"] for e in citizen] == ["sent", "sent"]
    assert len(gateways.accepted_for("sms", "+85599000001")) == 2
    assert {e["delivery_id"] for e in failed} >= {
        e["delivery_id"] for e in log if e["channel"] == "telegram"
    }


async def test_an_officer_who_chose_a_digest_gets_one_message_a_day(stack: Any, amqp: Any) -> None:
    office_id = unique("commune")
    async with providers() as (inbox, gateways):
        settings = settings_for(
            stack, NotificationSettings, "notification", **provider_settings(inbox, gateways)
        )
        events = [assigned(submitted(str(uuid.uuid4())), office(office_id)) for _ in range(2)]
        async with running(create_app(settings)) as http:
            await put_recipient(
                http, settings, office_id, "vanna", language="km", digest=True,
                endpoints=[{"channel": "email", "address": "vanna@commune.example"}],
            )  # fmt: skip
            for event in events:
                await publish_event(amqp, event)

            async def held() -> list[dict[str, Any]] | None:
                log = await delivery_log(http, settings, office_id=office_id, state="held")
                return log if len(log) == 2 else None

            await eventually(held)
            assert inbox.messages_to("vanna@commune.example") == []
            response = await http.post("/v1/admin/digests", headers=admin(settings))
            assert response.json() == {"digests": 1}

            async def digest_sent() -> list[dict[str, Any]] | None:
                log = await delivery_log(http, settings, office_id=office_id)
                digest = [e for e in log if e["event_type"] == "digest"]
                return log if digest and digest[0]["state"] == "sent" else None

            log = await eventually(digest_sent)
    mail = inbox.messages_to("vanna@commune.example")
    assert len(mail) == 1
    assert str(mail[0]["Subject"]).startswith("សំឡេង៖ ការជូនដំណឹង ២")
    assert mail[0].get_content().count("ករណីថ្មីមួយត្រូវបានប្រគល់ទៅ") == 2
    items = [e for e in log if e["event_type"] == "complaint.assigned" and e["channel"] == "email"]
    assert [e["state"] for e in items] == ["digested", "digested"]


async def test_the_admin_api_needs_its_token_and_manages_recipients(stack: Any) -> None:
    settings = settings_for(
        stack,
        NotificationSettings,
        "notification",
        admin_token="a-long-admin-token-for-tests",  # noqa: S106
    )
    closed = settings_for(stack, NotificationSettings, "notification")
    route = "/v1/admin/offices/commune:170201/recipients"
    body = {"language": "en", "endpoints": [{"channel": "sms", "address": "+85512000000"}]}
    async with running(create_app(settings)) as http, running(create_app(closed)) as off:
        assert (await http.get(route)).status_code == 401
        wrong = await http.get(route, headers={"Authorization": "Bearer nope"})
        assert wrong.status_code == 401
        assert wrong.headers["content-type"] == "application/problem+json"
        assert (await off.get(route, headers=admin(settings))).status_code == 403
        # the token is checked before the body is read: broken JSON gets 401, not 422
        junk = await http.put(f"{route}/dara", content=b"{not json")
        assert junk.status_code == 401
        assert (await http.put(f"{route}/dara", json=body, headers=admin(settings))).is_success
        listed = (await http.get(route, headers=admin(settings))).json()
        assert [(r["recipient_id"], r["endpoints"]) for r in listed] == [
            ("dara", body["endpoints"])
        ]
        assert (await http.delete(f"{route}/dara", headers=admin(settings))).status_code == 204
        assert (await http.delete(f"{route}/dara", headers=admin(settings))).status_code == 404
        assert (await http.get(route, headers=admin(settings))).json() == []
