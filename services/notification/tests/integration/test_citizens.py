"""Citizens' contacts sealed at rest; alerts that still reach the citizen and the office
when events arrive out of order; the office feed's read/unread marks."""

from __future__ import annotations

import json
import uuid
from typing import Any

import pytest
from pymongo import AsyncMongoClient

from samleng.common.events import (
    CitizenActionData,
    ComplaintLinked,
    InformationProvided,
    LinkedData,
)
from samleng.notification.app import create_app
from samleng.notification.settings import NotificationSettings
from services.notification.tests.integration.helpers import (
    assigned,
    confirm_contacts,
    office,
    provider_settings,
    providers,
    seal,
    signed_in,
    submitted,
)
from tests.support import eventually, publish_event, running, settings_for

pytestmark = pytest.mark.integration


async def everything_stored(settings: NotificationSettings) -> str:
    """Every document of the service's database, as one string."""
    client: AsyncMongoClient[dict[str, Any]] = AsyncMongoClient(
        settings.mongo_url.get_secret_value()
    )
    try:
        db = client[settings.mongo_database]
        docs = [
            doc
            for name in await db.list_collection_names()
            for doc in await db[name].find().to_list()
        ]
        return json.dumps(docs, default=str, ensure_ascii=False)
    finally:
        await client.close()


async def test_alerts_reach_everyone_even_when_events_overtake_each_other(
    stack: Any, amqp: Any
) -> None:
    office_id = f"commune:{uuid.uuid4().hex[:10]}"
    address = "sothea.private@example.org"
    async with providers() as (inbox, gateways):
        settings = settings_for(
            stack, NotificationSettings, "notification", **provider_settings(inbox, gateways)
        )
        key = json.loads(settings.contact_sealing_keys.get_secret_value())["dev"]
        first = submitted(str(uuid.uuid4()), (seal(key, "email", address),), language="en")
        assignment = assigned(first, office(office_id))
        answer = InformationProvided.caused_by(
            assignment, producer="test", data=CitizenActionData(office_id=None)
        )
        me = signed_in(stack, office_id)
        async with running(create_app(settings)) as http:
            # the answer (naming no office) and routing's answer overtook intake's event
            await publish_event(amqp, answer)
            await publish_event(amqp, assignment)

            async def office_told() -> list[dict[str, Any]] | None:
                feed = (await http.get(f"/v1/offices/{office_id}/notifications", headers=me)).json()
                return feed["alerts"] if len(feed["alerts"]) == 2 else None

            alerts = await eventually(office_told)
            assert inbox.messages_to(address) == []
            await publish_event(amqp, first)
            # the citizen confirms the address, then hears what they missed
            await confirm_contacts(http, inbox, gateways, [("email", address)])
            await eventually(lambda: _async(inbox.messages_to(address)[1:]))

            titles = sorted(a["title"]["en"] for a in alerts)
            assert titles == [
                f"A new case was assigned to Office {office_id}.",
                "The citizen answered a question on a case of your office.",
            ]
            event_id = alerts[0]["event_id"]
            route = f"/v1/offices/{office_id}/notifications/{event_id}/read"
            assert (await http.put(route, json={"read": True}, headers=me)).status_code == 204
            feed = (await http.get(f"/v1/offices/{office_id}/notifications", headers=me)).json()
            assert feed["unread"] == 1
            assert [a["read"] for a in feed["alerts"] if a["event_id"] == event_id] == [True]
            missing = await http.put(
                f"/v1/offices/{office_id}/notifications/nope/read", json={}, headers=me
            )
            assert missing.status_code == 404
    mail = inbox.messages_to(address)
    assert len(mail) == 2
    assert mail[0].get_content().startswith("Samleng: to receive updates from Samleng here")
    assert mail[1].get_content().startswith("Samleng: your case is now with the office")
    assert address not in await everything_stored(settings)


async def _async(value: Any) -> Any:
    return value


async def test_a_citizen_hears_in_khmer_that_their_case_joined_others(
    stack: Any, amqp: Any
) -> None:
    address = "dara.private@example.org"
    async with providers() as (inbox, gateways):
        settings = settings_for(
            stack, NotificationSettings, "notification", **provider_settings(inbox, gateways)
        )
        key = json.loads(settings.contact_sealing_keys.get_secret_value())["dev"]
        first = submitted(str(uuid.uuid4()), (seal(key, "email", address),), language="km")
        assignment = assigned(first, office(f"commune:{uuid.uuid4().hex[:10]}"))
        original = str(uuid.uuid4())
        linked = ComplaintLinked.caused_by(
            assignment,
            producer="intake",
            data=LinkedData(office_id=assignment.data.office.office_id, original_id=original),
        )
        async with running(create_app(settings)) as http:
            await publish_event(amqp, first)
            await confirm_contacts(http, inbox, gateways, [("email", address)])
            await publish_event(amqp, assignment)
            await publish_event(amqp, linked)
            await publish_event(amqp, linked)  # a redelivery: told once

            async def told() -> list[Any] | None:
                mail = inbox.messages_to(address)
                return mail if any("របាយការណ៍ផ្សេង" in m.get_content() for m in mail) else None

            await eventually(told, timeout=30)
    texts = [m.get_content() for m in inbox.messages_to(address)]
    joined = [t for t in texts if "បញ្ហាដដែលនឹងអ្នក" in t]
    assert len(joined) == 1
    assert original not in joined[0] and first.complaint_id not in joined[0]
