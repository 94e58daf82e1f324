"""The illustrative pilot footprint on the real broker and database: single offices and
communes switched on, and an explained fallback for every place that is not."""

from __future__ import annotations

from typing import Any

import aio_pika
import pytest
from pymongo import AsyncMongoClient

from samleng.common.events import (
    ComplaintAssigned,
    ComplaintEscalated,
    EscalationRequested,
    MoveRequestRefused,
    TransferRequested,
)
from samleng.routing.adapters.clock import ManualClock
from samleng.routing.adapters.directory import DirectoryStore, bundled_spec, initial_spec
from samleng.routing.app import create_app, migrate
from samleng.routing.settings import RoutingSettings
from services.routing.tests.integration.helpers import (
    MONDAY,
    all_published,
    case_record,
    move_request,
    submitted,
    tap_all,
)
from tests.support import eventually, publish_event, running, settings_for

pytestmark = pytest.mark.integration

FOOTPRINT = "our-voice-pilot-illustrative-2026.1"

ROUTES = [
    # a commune switched on: its own office
    ({"commune": "170201"}, "commune:170201", "commune-office", False),
    # a commune not switched on whose district's OWSO is: the OWSO stands in
    ({"commune": "170203"}, "owso:1702", "commune-office+pilot-fallback", True),
    # neither the commune nor its district's OWSO, but the province's OWSU
    ({"commune": "170401"}, "owsu:17", "commune-office+pilot-fallback", True),
    # only communes are switched on in Kampong Chhnang: the national team stands in
    ({"commune": "040401"}, "national:moi-team", "commune-office+pilot-fallback", True),
    # nothing is switched on in Koh Kong
    ({"commune": "090101"}, "national:moi-team", "not-yet-served", True),
    # a service of the OWSO, which is switched on, from a commune that is not
    (
        {"commune": "170203", "service_code": "business.small_business_licence"},
        "owso:1702",
        "service-provider",
        False,
    ),
    # a provincial department where only communes are on: the ministry stands in
    (
        {"commune": "170201", "service_code": "utilities.electricity_connection"},
        "ministry:mme",
        "service-provider+pilot-fallback",
        True,
    ),
    # conduct of a commune's officials: its district ombudsman, switched on with the OWSO
    (
        {"commune": "170301", "about_office_id": "commune:170301", "about_office_conduct": True},
        "district-ombudsman:1703",
        "conflict-of-interest",
        False,
    ),
    # no ombudsman is switched on in Kampong Chhnang: the national team, never the commune
    (
        {"commune": "040101", "about_office_id": "commune:040101", "about_office_conduct": True},
        "national:moi-team",
        "conflict-of-interest",
        False,
    ),
]


@pytest.mark.parametrize(("fields", "office", "rule", "not_served"), ROUTES)
async def test_the_footprint_routes_each_place_and_explains_a_fallback(
    stack: Any,
    amqp: aio_pika.abc.AbstractChannel,
    fields: dict[str, Any],
    office: str,
    rule: str,
    not_served: bool,
) -> None:
    settings = settings_for(
        stack, RoutingSettings, "routing", initial_directory="our-voice-pilot.json"
    )
    feed = await tap_all(amqp)
    cause = submitted(**fields)
    async with running(create_app(settings, clock=ManualClock(MONDAY))):
        await publish_event(amqp, cause)
        [assigned] = await feed.wait(cause.complaint_id, "complaint.assigned")
        await eventually(lambda: all_published(settings, cause.complaint_id), timeout=60)
    assert isinstance(assigned, ComplaintAssigned)
    data = assigned.data
    assert (data.office.office_id, data.rule, data.not_yet_served) == (office, rule, not_served)
    assert data.directory_version == FOOTPRINT
    if rule.endswith("+pilot-fallback"):
        # the reason is on the decision, which officers and the citizen read on the timeline
        assert "is not yet switched on at" in data.explanation_en
        assert data.office.name_en in data.explanation_en
        assert "មិនទាន់ដំណើរការ" in data.explanation_km
        assert data.office.name_km in data.explanation_km
    record = await case_record(settings, cause.complaint_id)
    assert record is not None
    assert record["office_id"] == office and record["directory_version"] == FOOTPRINT


async def test_the_ladder_climbs_past_offices_not_yet_switched_on(
    stack: Any, amqp: aio_pika.abc.AbstractChannel
) -> None:
    settings = settings_for(
        stack, RoutingSettings, "routing", initial_directory="our-voice-pilot.json"
    )
    feed = await tap_all(amqp)
    cause = submitted("040101")
    async with running(create_app(settings, clock=ManualClock(MONDAY))):
        await publish_event(amqp, cause)
        [assigned] = await feed.wait(cause.complaint_id, "complaint.assigned")
        to_unserved = move_request(
            TransferRequested, assigned, "commune:040101", to_office_id="commune:040102"
        )
        await publish_event(amqp, to_unserved)
        [refused] = await feed.wait(cause.complaint_id, "complaint.move_refused")
        escalate = move_request(EscalationRequested, refused, "commune:040101")
        await publish_event(amqp, escalate)
        [escalated] = await feed.wait(cause.complaint_id, "complaint.escalated")
    assert isinstance(refused, MoveRequestRefused)
    assert "not yet switched on" in refused.data.reason_en and refused.data.reason_km
    assert isinstance(escalated, ComplaintEscalated)
    # district-ombudsman:0401 and provincial-ombudsman:04 are not switched on
    assert escalated.data.to_office.office_id == "national:moi-team"


async def test_migrate_activates_the_configured_directory_unless_an_admin_chose_one(
    stack: Any,
) -> None:
    settings = settings_for(stack, RoutingSettings, "routing")
    client: AsyncMongoClient[dict[str, Any]] = AsyncMongoClient(
        settings.mongo_url.get_secret_value(), tz_aware=True
    )
    try:
        db = client[settings.mongo_database]
        await migrate(settings)  # the default: the ten whole provinces
        assert (await DirectoryStore(db).active()).version == "pilot-2026.1"
        footprint = settings.model_copy(update={"initial_directory": "our-voice-pilot.json"})
        await migrate(footprint)  # a startup's choice gives way to the configured one
        assert await DirectoryStore(db).active_version() == FOOTPRINT
        admin = DirectoryStore(db, initial=initial_spec("our-voice-pilot.json"))
        await admin.activate(bundled_spec().version)
        await migrate(footprint)  # never over an admin's choice
        assert await DirectoryStore(db).active_version() == "pilot-2026.1"
    finally:
        await client.close()
