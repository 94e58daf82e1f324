"""How many MongoDB commands notification spends per event, from planning to sent.

Twenty cases each live five events (submitted with a citizen's SMS contact, assigned to
an office with one officer on email and SMS, a question, the citizen's answer naming no
office, resolved): 100 events causing 180 deliveries. The counts are written in
docs/notifications.md; the bounds below keep them from creeping back.
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
    office,
    provider_settings,
    providers,
    seal,
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
            events[-1], producer="test", data=CitizenActionData(office_id=None)
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
        events = [
            event
            for n in range(CASES)
            for event in life(
                submitted(str(uuid.uuid4()), (seal(key, "sms", f"+8559900{n:04}"),)), office_id
            )
        ]
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
                for event in events:
                    await publish_event(amqp, event)

                async def all_sent() -> bool:
                    with unseen():
                        log = await http.get(
                            "/v1/admin/deliveries",
                            params={"state": "sent", "limit": 1000},
                            headers=admin,
                        )
                    return len(log.json()) == 9 * CASES

                await eventually(all_sent, timeout=60)
    per_event = {name: n / len(events) for name, n in sorted(operations.commands.items())}
    print(
        f"\nMongoDB commands per event ({len(events)} events, {9 * CASES} deliveries): "
        f"writes {operations.writes / len(events):.2f}, all {operations.total / len(events):.2f}"
        f"\n{json.dumps(per_event, indent=1)}"
    )
