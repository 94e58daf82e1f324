"""The citizen hears that their case closed on its own (the period to confirm ran out, or
their answer never came), in their language; the office hears that routing refused its
transfer, forward or escalation request, and why."""

from __future__ import annotations

import json
import uuid
from typing import Any

import pytest

from samleng.common.events import (
    ActorRef,
    ClosedData,
    ComplaintClosed,
    MoveRefusedData,
    MoveRequestRefused,
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
    texts_to,
)
from tests.support import eventually, publish_event, running, settings_for

pytestmark = pytest.mark.integration


async def test_the_citizen_hears_of_each_closure_they_did_not_make(stack: Any, amqp: Any) -> None:
    office_id = f"commune:{uuid.uuid4().hex[:10]}"
    no_reply_address = f"dara.{uuid.uuid4().hex[:6]}@example.org"
    lapsed_address = f"bopha.{uuid.uuid4().hex[:6]}@example.org"
    confirmed_address = f"vanna.{uuid.uuid4().hex[:6]}@example.org"
    async with providers() as (inbox, gateways):
        settings = settings_for(
            stack, NotificationSettings, "notification", **provider_settings(inbox, gateways)
        )
        key = json.loads(settings.contact_sealing_keys.get_secret_value())["dev"]
        # the closure the citizen made is published first: when the others arrived, it had
        cases = {
            "confirmed": submitted(
                str(uuid.uuid4()), (seal(key, "email", confirmed_address),), language="en"
            ),
            "no_reply": submitted(str(uuid.uuid4()), (seal(key, "email", no_reply_address),)),
            "lapsed": submitted(
                str(uuid.uuid4()), (seal(key, "email", lapsed_address),), language="en"
            ),
        }
        closures: dict[str, ComplaintClosed] = {}
        openings: list[Any] = []
        for name, first in cases.items():
            assignment = assigned(first, office(office_id))
            how = "confirmed_by_citizen" if name == "confirmed" else "auto_closed"
            closures[name] = ComplaintClosed.caused_by(
                assignment,
                producer="test",
                data=ClosedData(
                    how=how,
                    office_id=office_id,
                    reason="no_reply" if name == "no_reply" else None,
                ),
            )
            openings += [first, assignment]
        async with running(create_app(settings)) as http:
            for event in openings:
                await publish_event(amqp, event)
            await confirm_contacts(
                http,
                inbox,
                gateways,
                [
                    ("email", no_reply_address),
                    ("email", lapsed_address),
                    ("email", confirmed_address),
                ],
            )
            for address in (no_reply_address, lapsed_address, confirmed_address):
                await eventually(
                    lambda a=address: _at_least(texts_to(inbox, gateways, "email", a), 2),  # type: ignore[misc]
                    timeout=60,
                )
            for closure in closures.values():
                await publish_event(amqp, closure)
            khmer = await eventually(
                lambda: _at_least(texts_to(inbox, gateways, "email", no_reply_address), 3),
                timeout=60,
            )
            english = await eventually(
                lambda: _at_least(texts_to(inbox, gateways, "email", lapsed_address), 3), timeout=60
            )
    assert "មិនត្រូវបានឆ្លើយទាន់ពេល" in khmer[2] and "បានបិទ" in khmer[2]
    assert english[2].startswith("Samleng: your case is closed: the time to confirm")
    for text in (khmer[2], english[2]):
        assert settings.tracking_url in text
    # the citizen who confirmed it closed the case themselves: nothing more is sent
    assert len(texts_to(inbox, gateways, "email", confirmed_address)) == 2


async def test_the_office_hears_its_move_request_was_refused(stack: Any, amqp: Any) -> None:
    office_id = f"commune:{uuid.uuid4().hex[:10]}"
    async with providers() as (inbox, gateways):
        settings = settings_for(
            stack, NotificationSettings, "notification", **provider_settings(inbox, gateways)
        )
        first = submitted(str(uuid.uuid4()))
        assignment = assigned(first, office(office_id))
        refused = MoveRequestRefused.caused_by(
            assignment,
            producer="test",
            data=MoveRefusedData(
                office_id=office_id,
                request="transfer",
                request_event_id=str(uuid.uuid4()),
                reason_en="unknown office 'owso:9999' in directory pilot-2026.1",
                reason_km="ការិយាល័យ 'owso:9999' មិនមានក្នុងបញ្ជីការិយាល័យ pilot-2026.1 ទេ",
                to_office_id="owso:9999",
                requested_by=ActorRef(role="officer", office_id=office_id),
            ),
        )
        me = signed_in(stack, office_id)
        async with running(create_app(settings)) as http:
            for event in (first, assignment, refused):
                await publish_event(amqp, event)

            async def refusal() -> dict[str, Any] | None:
                feed = (await http.get(f"/v1/offices/{office_id}/notifications", headers=me)).json()
                found = [a for a in feed["alerts"] if a["event_id"] == str(refused.event_id)]
                return found[0] if found else None

            alert = await eventually(refusal, timeout=60)
    assert alert["title"]["en"] == (
        "Your office's transfer request for a case was refused; the case stays with you: "
        "unknown office 'owso:9999' in directory pilot-2026.1"
    )
    assert "ផ្ទេរ" in alert["title"]["km"] and "owso:9999" in alert["title"]["km"]


async def _at_least(texts: list[str], n: int) -> list[str] | None:
    return texts if len(texts) >= n else None
