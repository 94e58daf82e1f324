"""How many MongoDB commands notification spends per event, from planning to sent.

Twenty cases each live five events (submitted with a citizen's SMS contact, assigned to
an office with one officer on email and SMS, a question, the citizen's answer naming the
office, as intake's does, and resolved): 100 events causing 180 deliveries. And the
benchmark's cases (``make bench``): submitted without a contact, then assigned to an
office that only has its feed. The counts are written in docs/notifications.md; the
bounds below keep them from creeping back.
"""

from __future__ import annotations

import json
import uuid
from typing import Any

import pytest

from samleng.common.events import (
    CitizenActionData,
    ComplaintResolved,
    Event,
    InformationProvided,
    InformationRequested,
    OfficeActionData,
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
from services.notification.tests.integration.operations import counting, unseen
from tests.support import eventually, publish_event, running, settings_for

pytestmark = pytest.mark.integration

CASES = 20


def life(first: Event, office_id: str) -> list[Event]:
    """Assigned, asked, answered, resolved after ``first``."""
    events = [first, assigned(first, office(office_id))]
    events.append(
        InformationRequested.caused_by(
            events[-1], producer="test", data=OfficeActionData(office_id=office_id)
        )
    )
    events.append(
        InformationProvided.caused_by(
            events[-1], producer="test", data=CitizenActionData(office_id=office_id)
        )
    )
    events.append(
        ComplaintResolved.caused_by(
            events[-1], producer="test", data=OfficeActionData(office_id=office_id)
        )
    )
    return events


async def test_mongodb_commands_per_event(stack: Any, amqp: Any) -> None:
    office_id = f"commune:{uuid.uuid4().hex[:10]}"
    async with providers() as (inbox, gateways):
        # no idle polling: the couriers are woken by the planning they wait for
        settings = settings_for(
            stack,
            NotificationSettings,
            "notification",
            **provider_settings(inbox, gateways, outbox_poll_seconds=60),
        )
        key = json.loads(settings.contact_sealing_keys.get_secret_value())["dev"]
        numbers = [f"+8559900{n:04}" for n in range(CASES)]
        lives = [
            life(submitted(str(uuid.uuid4()), (seal(key, "sms", number),)), office_id)
            for number in numbers
        ]
        events = [event for events in lives for event in events]
        admin = {"Authorization": f"Bearer {settings.admin_token.get_secret_value()}"}
        async with running(create_app(settings)) as http:
            body = {
                "endpoints": [
                    {"channel": "email", "address": "dara@commune.example"},
                    {"channel": "sms", "address": "+85510000001"},
                ]
            }
            route = f"/v1/admin/offices/{office_id}/recipients/dara"
            assert (await http.put(route, json=body, headers=admin)).is_success
            with counting(settings.mongo_database) as operations:
                for events_of_one in lives:
                    await publish_event(amqp, events_of_one[0])
                # each citizen confirms with the code of the confirmation request
                await confirm_contacts(
                    http, inbox, gateways, [("sms", number) for number in numbers]
                )
                for events_of_one in lives:
                    for event in events_of_one[1:]:
                        await publish_event(amqp, event)

                async def all_sent() -> bool:
                    with unseen():
                        log = await http.get(
                            "/v1/admin/deliveries",
                            params={"state": "sent", "limit": 1000},
                            headers=admin,
                        )
                    return len(log.json()) == 10 * CASES

                await eventually(all_sent, timeout=60)
    events_seen = len(events)
    per_event = {
        f"{name} {collection}": round(n / events_seen, 2)
        for (name, collection), n in sorted(operations.by_collection.items())
    }
    print(
        f"\nMongoDB commands per event ({events_seen} events, {10 * CASES} deliveries, "
        f"{CASES} confirmations): "
        f"writes {operations.writes / events_seen:.2f}, all {operations.total / events_seen:.2f}"
        f"\n{json.dumps(per_event, indent=1)}"
    )
    # planning: at most one case write and one bulk insert of deliveries per event; the
    # answer (naming its office) writes no case, nor do notices once contacts are known
    # (events of one case may overtake each other, so up to four of five may write)
    case_writes = sum(operations.by_collection[(w, "cases")] for w in ("findAndModify", "update"))
    assert case_writes <= events_seen * 0.8
    assert operations.by_collection[("insert", "deliveries")] <= events_seen
    # sending: leases and outcomes are batched, so even without a single batch of more
    # than one delivery the whole is well under the six writes per event of before
    assert operations.writes <= events_seen * 5.5


async def test_a_case_without_contact_writes_its_case_once_and_sends_its_feed_alert_at_once(
    stack: Any, amqp: Any
) -> None:
    cases = 40
    offices = [f"commune:{uuid.uuid4().hex[:10]}" for _ in range(4)]
    settings = settings_for(
        stack,
        NotificationSettings,
        "notification",
        admin_token="admin-token-for-tests-0123456789abcdef",  # noqa: S106
        outbox_poll_seconds=60,
        lease_seconds=600,  # the lease watch looks once, at start-up
    )
    firsts = [submitted(str(uuid.uuid4())) for _ in range(cases)]
    assignments = [assigned(first, office(offices[n % 4])) for n, first in enumerate(firsts)]
    admin = {"Authorization": f"Bearer {settings.admin_token.get_secret_value()}"}
    async with running(create_app(settings)) as http:
        with counting(settings.mongo_database) as operations:
            for event in [*firsts, *assignments]:
                await publish_event(amqp, event)

            async def all_sent() -> bool:
                with unseen():
                    log = await http.get(
                        "/v1/admin/deliveries",
                        params={"state": "sent", "limit": 1000},
                        headers=admin,
                    )
                return len(log.json()) == cases

            await eventually(all_sent, timeout=60)
        for office_id in offices:
            feed = await http.get(
                f"/v1/offices/{office_id}/notifications",
                headers=signed_in(stack, office_id),
            )
            assert len(feed.json()["alerts"]) == cases // 4
    per_complaint = {
        f"{name} {collection}": round(n / cases, 2)
        for (name, collection), n in sorted(operations.by_collection.items())
    }
    print(
        f"\nMongoDB commands per case without contact ({cases} submitted + assigned): "
        f"writes {operations.writes / cases:.2f}, all {operations.total / cases:.2f}"
        f"\n{json.dumps(per_complaint, indent=1)}"
    )
    # the submission inserts the case record (in group commits), the assignment keeps its
    # move in one write (a findAndModify alone, or the assignments of the moment in one
    # bulk update and one read back); no courier leases, settles or reads back an in-app
    # alert: it is stored sent as it is planned (the start-up's look of the feed's
    # courier and of the lease watch may fall in the count)
    alone = operations.by_collection[("findAndModify", "cases")]
    together = operations.by_collection[("update", "cases")]
    assert 1 <= alone + together <= cases
    assert operations.by_collection[("insert", "cases")] <= cases
    assert operations.by_collection[("update", "deliveries")] <= 2
    assert operations.by_collection[("find", "deliveries")] <= 1
    # the in-app delivery is the feed's alert: one insert, no second document
    assert operations.by_collection[("insert", "deliveries")] <= cases
    assert operations.by_collection[("insert", "alerts")] == 0
    # recipients come from the mirror (only its start-up read may fall in the count)
    assert operations.by_collection[("find", "recipients")] <= 1
