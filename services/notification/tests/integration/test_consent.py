"""Consent and the daily cap on the real broker and database, with the stand-in SMS
gateway: a number typed into a complaint gets one confirmation request that says nothing
of the case, news only once its holder confirmed, and never more than the daily cap,
however many cases list it."""

from __future__ import annotations

import uuid
from typing import Any

import httpx
import pytest

from samleng.common.events import InformationRequested, OfficeActionData
from samleng.notification.app import create_app
from samleng.notification.settings import NotificationSettings
from services.notification.tests.integration.helpers import (
    Gateways,
    assigned,
    confirm,
    confirmation_code,
    office,
    provider_settings,
    providers,
    seal,
    submitted,
)
from services.notification.tests.integration.test_alerts import delivery_log, sealing_key
from tests.support import eventually, publish_event, running, settings_for

pytestmark = pytest.mark.integration


def a_number() -> str:
    """A Cambodian mobile number no other test uses."""
    return f"+8559{uuid.uuid4().int % 10**7:07d}"


async def settled(
    http: httpx.AsyncClient, settings: NotificationSettings, complaint_id: str, count: int
) -> list[dict[str, Any]] | None:
    """The case's deliveries once there are ``count`` and none is waiting to be sent."""
    log = await delivery_log(http, settings, complaint_id=complaint_id)
    busy = any(d["state"] in ("pending", "sending") for d in log)
    return log if len(log) == count and not busy else None


def texts_to(gateways: Gateways, number: str) -> list[str]:
    """Every SMS the gateway accepted for a number."""
    return [str(body["text"]) for body in gateways.accepted_for("sms", number)]


async def test_a_number_listed_three_times_gets_one_request_and_news_only_once_confirmed(
    stack: Any, amqp: Any
) -> None:
    number, office_id = a_number(), f"commune:{uuid.uuid4().hex[:10]}"
    async with providers() as (inbox, gateways):
        settings = settings_for(
            stack, NotificationSettings, "notification", **provider_settings(inbox, gateways)
        )
        key = sealing_key(settings)
        first = submitted(
            str(uuid.uuid4()), tuple(seal(key, "sms", number) for _ in range(3)), language="en"
        )
        assignment = assigned(first, office(office_id))
        question = InformationRequested.caused_by(
            assignment, producer="test", data=OfficeActionData(office_id=office_id)
        )
        cid = first.complaint_id
        async with running(create_app(settings)) as http:
            for event in (first, assignment, question):
                await publish_event(amqp, event)
            # the office's feed alert and the confirmation request: nothing for the citizen
            log = await eventually(lambda: settled(http, settings, cid, 2))
            assert sorted((d["kind"], d["state"]) for d in log) == [
                ("assigned", "sent"),
                ("contact_confirmation", "sent"),
            ]
            [request] = texts_to(gateways, number)
            # the request says nothing of the case, not even that there is one
            assert request.startswith("Samleng: to receive updates from Samleng here")
            for word in ("case", "complaint", "office", "assigned", cid, office_id):
                assert word not in request.lower()

            wrong = await http.post("/v1/contact-confirmations", json={"code": "ABCDE-FGHJK"})
            assert wrong.status_code == 404 and wrong.json()["detail_km"]
            typo = await http.post("/v1/contact-confirmations", json={"code": "not a code"})
            assert typo.status_code == 422
            assert texts_to(gateways, number) == [request]

            await confirm(http, request)
            # typed again (a double tap): nothing sent twice
            again = {"code": confirmation_code(request).lower()}
            assert (await http.post("/v1/contact-confirmations", json=again)).status_code == 200
            await eventually(lambda: settled(http, settings, cid, 4))
    news = texts_to(gateways, number)
    assert len(news) == 3 and news[0] == request
    assert news[1].startswith("Samleng: your case is now with the office")
    assert news[2].startswith("Samleng: an officer asked you a question")


async def test_an_address_over_the_daily_cap_gets_nothing_more_that_day(
    stack: Any, amqp: Any
) -> None:
    number = a_number()
    async with providers() as (inbox, gateways):
        overrides = provider_settings(inbox, gateways, citizen_daily_cap=3)
        settings = settings_for(stack, NotificationSettings, "notification", **overrides)
        key = sealing_key(settings)
        # one number typed into five complaints (as a bot would, to bomb or frame someone)
        cases = [submitted(str(uuid.uuid4()), (seal(key, "sms", number),)) for _ in range(5)]
        async with running(create_app(settings)) as http:
            for event in cases:
                await publish_event(amqp, event)
            logs = []
            for case in cases:

                async def one(complaint_id: str = case.complaint_id) -> list[dict[str, Any]] | None:
                    return await settled(http, settings, complaint_id, 1)

                logs.append(await eventually(one))
            states = sorted(log[0]["state"] for log in logs)
            assert states == ["sent"] * 3 + ["suppressed"] * 2
            suppressed = [log[0] for log in logs if log[0]["state"] == "suppressed"]
            assert all("daily cap" in d["last_error"] for d in suppressed)
            assert len(texts_to(gateways, number)) == 3

            # its holder confirms: news of those cases is over the cap too, so not sent
            for request in texts_to(gateways, number):
                await confirm(http, request)
            [confirmed, *_] = [
                c for c, log in zip(cases, logs, strict=True) if log[0]["state"] == "sent"
            ]
            await publish_event(amqp, assigned(confirmed, office("commune:cap")))
            log = await eventually(lambda: settled(http, settings, confirmed.complaint_id, 3))
            news = [d for d in log if d["kind"] == "case_assigned"]
            assert [d["state"] for d in news] == ["suppressed"]
    assert len(texts_to(gateways, number)) == 3
