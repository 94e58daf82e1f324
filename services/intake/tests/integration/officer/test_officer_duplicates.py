"""Duplicates over real HTTP, MongoDB and RabbitMQ: found when routed, linked by an officer,
followed through intake's own queue when the original is resolved, unlinked and audited."""

from __future__ import annotations

from typing import Any

import pytest

from samleng.common.events import ComplaintLinked, ComplaintUnlinked, parse_event
from services.intake.tests.integration.officer.support import (
    OFFICE,
    OTHER_OFFICE,
    officer_desk,
)
from tests.support import eventually, next_message, tap

pytestmark = pytest.mark.integration

POTHOLE = "ផ្លូវនៅជិតវត្តភ្នំខូចធ្ងន់ មានរណ្តៅធំៗពេញផ្លូវ ម៉ូតូដួលរាល់ថ្ងៃ"
POTHOLE_AGAIN = "មានរណ្តៅធំៗពេញផ្លូវ ផ្លូវនៅជិត Vat Phnum ខូចធ្ងន់ សូមជួយដោះស្រាយផង"
LIGHTS = "អំពូលភ្លើងបំភ្លឺផ្លូវនៅផ្សារធំថ្មីខូចអស់ ងងឹតពេលយប់ គ្រោះថ្នាក់ណាស់"


async def citizen_timeline(desk: Any, complaint_id: str) -> str:
    """Everything the duplicate's citizen reads, fetched with their tracking code."""
    answer = await desk.http.get(f"/v1/complaints/{desk.codes[complaint_id]}")
    assert answer.status_code == 200, answer.text
    return answer.text


async def test_found_linked_followed_and_unlinked(officer_env: Any, amqp: Any) -> None:
    taps = {key: await tap(amqp, key) for key in ("complaint.linked.v1", "complaint.unlinked.v1")}
    async with officer_desk(officer_env, amqp) as desk:
        original = await desk.routed_case(extra={"description": POTHOLE})
        await desk.routed_case(extra={"description": LIGHTS})  # same place, another problem
        elsewhere = await desk.routed_case(OTHER_OFFICE, extra={"description": POTHOLE})
        duplicate = await desk.routed_case(extra={"description": POTHOLE_AGAIN})
        officer = desk.officer()

        view = await officer.case(duplicate)
        found = view["duplicate_candidates"]
        assert [c["complaint_id"] for c in found] == [original], found
        reasons = [r["en"] for r in found[0]["reasons"]]
        assert reasons[:3] == ["same category", "same commune", "submitted within 1 day"]
        assert found[0]["reasons"][3]["km"].startswith("អត្ថបទស្រដៀងគ្នា")
        assert "link" in view["actions"]
        # the earlier case shows the pair too
        assert [
            c["complaint_id"] for c in (await officer.case(original))["duplicate_candidates"]
        ] == [duplicate]

        # never across offices: the other office's case is not even visible to this officer
        across = await officer.act(duplicate, "link", view["version"], original_id=elsewhere)
        assert across.status_code == 422 and "original_id" in across.json()["detail"]
        both = desk.as_user(["officer"], [OFFICE.office_id, OTHER_OFFICE.office_id])
        across = await both.act(duplicate, "link", view["version"], original_id=elsewhere)
        assert across.status_code == 422 and "across offices" in across.json()["detail"]

        linked = await officer.act(duplicate, "link", view["version"], original_id=original)
        assert linked.status_code == 200, linked.text
        assert linked.json()["linked_to"] == original and "unlink" in linked.json()["actions"]
        event = parse_event((await next_message(taps["complaint.linked.v1"])).body)
        assert isinstance(event, ComplaintLinked) and event.data.original_id == original
        assert (await officer.case(original))["linked_reports"] == [duplicate]
        told = await citizen_timeline(desk, duplicate)
        assert "joined with other reports of the same problem" in told
        assert original not in told and POTHOLE not in told

        # the original is resolved: the duplicate follows through intake's own queue
        case = await officer.case(original)
        await officer.act(original, "acknowledge", case["version"])
        case = await officer.case(original)
        note = "Road repaired near the market on Monday"
        resolved = await officer.act(original, "resolve", case["version"], note=note)
        assert resolved.status_code == 200, resolved.text

        async def followed() -> bool:
            stored = await desk.service.ports.cases.get(duplicate)
            return stored.status.value == "resolved"

        await eventually(followed, timeout=60)
        told = await citizen_timeline(desk, duplicate)
        assert "resolved, together with the other reports" in told and note not in told

        # unlinking: audited, the status stays
        view = await officer.case(duplicate)
        unlinked = await officer.act(duplicate, "unlink", view["version"])
        assert unlinked.status_code == 200, unlinked.text
        assert unlinked.json()["linked_to"] is None and unlinked.json()["status"] == "resolved"
        event = parse_event((await next_message(taps["complaint.unlinked.v1"])).body)
        assert isinstance(event, ComplaintUnlinked) and event.data.original_id == original
        head = desk.officer(role="office_head")
        trail = await head.call("GET", "/v1/officer/audit", params={"complaint_id": duplicate})
        actions = [e["action"] for e in trail.json()["entries"]]
        assert "case.link" in actions and "case.unlink" in actions
        assert "handled on its own again" in await citizen_timeline(desk, duplicate)
