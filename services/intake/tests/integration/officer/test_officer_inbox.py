"""Offices' inboxes on a real MongoDB: scope, filters, counts per status, cursor pages."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from samleng.common.events import (
    ComplaintEscalated,
    ComplaintTransferred,
    Deadlines,
    EscalatedData,
    MovedData,
)
from services.intake.tests.integration.officer.support import (
    OFFICE,
    OMBUDSMAN,
    OTHER_OFFICE,
    officer_desk,
)
from tests.support import eventually, publish_event

pytestmark = pytest.mark.integration


def escalated(complaint_id: str, last_sequence: int) -> ComplaintEscalated:
    """What routing publishes when a commune office lets its deadline pass."""
    return ComplaintEscalated.after(
        complaint_id,
        last_sequence,
        producer="routing",
        correlation_id=complaint_id,
        data=EscalatedData(
            from_office=OFFICE,
            to_office=OMBUDSMAN,
            reason_en="The commune did not acknowledge in time.",
            reason_km="ឃុំមិនបានទទួលស្គាល់ទាន់ពេល។",
            rule="escalation-ladder",
            directory_version="test",
            trigger="acknowledgement_overdue",
        ),
    )


async def test_filters_counts_and_pages(officer_env: Any, amqp: Any) -> None:
    async with officer_desk(officer_env, amqp) as desk:
        ours = [await desk.routed_case() for _ in range(4)]
        help_request = await desk.routed_case(extra={"kind": "request_for_help"})
        certified = await desk.routed_case(extra={"service_code": "civil.late_birth_registration"})
        await desk.routed_case(OTHER_OFFICE)
        officer = desk.officer()
        version = (await officer.case(ours[0]))["version"]
        assert (await officer.act(ours[0], "acknowledge", version)).status_code == 200

        everything = (await officer.call("GET", "/v1/officer/inbox")).json()
        ids = [c["complaint_id"] for c in everything["cases"]]
        assert ids == [*ours, help_request, certified]  # oldest first, ours only
        assert everything["counts"]["assigned"] == 5
        assert everything["counts"]["acknowledged"] == 1
        assert everything["next_cursor"] is None
        assert everything["cases"][0]["status"] == "acknowledged"

        async def listed(**params: Any) -> dict[str, Any]:
            answer = await officer.call("GET", "/v1/officer/inbox", params=params)
            assert answer.status_code == 200, answer.text
            return dict(answer.json())

        only = await listed(status="acknowledged")
        assert [c["complaint_id"] for c in only["cases"]] == [ours[0]]
        assert only["counts"]["assigned"] == 5  # counts ignore the status filter
        both = await listed(status=["acknowledged", "assigned"], kind="complaint")
        assert help_request not in [c["complaint_id"] for c in both["cases"]]
        kind = await listed(kind="request_for_help")
        assert [c["complaint_id"] for c in kind["cases"]] == [help_request]
        assert kind["counts"]["assigned"] == 1
        service = await listed(service="civil.late_birth_registration")
        assert [c["complaint_id"] for c in service["cases"]] == [certified]

        pages, cursor = [], None
        while True:
            page = await listed(limit=4, **({"cursor": cursor} if cursor else {}))
            pages.append([c["complaint_id"] for c in page["cases"]])
            cursor = page["next_cursor"]
            if cursor is None:
                break
        assert pages == [ids[:4], ids[4:]]
        bad = await officer.call("GET", "/v1/officer/inbox", params={"cursor": "not-ours"})
        assert bad.status_code == 400 and bad.json()["type"].endswith("/invalid-cursor")


async def test_escalated_filter_for_an_ombudsman(officer_env: Any, amqp: Any) -> None:
    async with officer_desk(officer_env, amqp) as desk:
        conduct = {"about_office_id": OFFICE.office_id, "about_office_conduct": True}
        direct = await desk.routed_case(OMBUDSMAN, extra=conduct)
        climbed = await desk.routed_case()
        commune_note = await desk.officer().call(
            "POST", f"/v1/officer/cases/{climbed}/notes", json={"text": "commune's own"}
        )
        assert commune_note.status_code in (200, 201), commune_note.text
        await publish_event(desk.amqp, escalated(climbed, 2))

        async def moved() -> bool:
            case = await desk.service.ports.cases.get(climbed)
            return case is not None and case.office.office_id == OMBUDSMAN.office_id

        await eventually(moved)
        ombudsman = desk.officer(OMBUDSMAN.office_id, role="ombudsman")
        answer = await ombudsman.call("GET", "/v1/officer/inbox", params={"escalated": True})
        assert [c["complaint_id"] for c in answer.json()["cases"]] == [climbed]
        assert answer.json()["cases"][0]["escalated"] is True
        answer = await ombudsman.call("GET", "/v1/officer/inbox", params={"escalated": False})
        assert [c["complaint_id"] for c in answer.json()["cases"]] == [direct]
        view = await ombudsman.case(climbed)
        assert [r["en"].split(":")[0] for r in view["routing"]] == [
            "Assigned to Chub Ta Trav commune/sangkat office. The commune office handles civil "
            "registration.",
            "Escalated one level up",
        ]
        # the commune office no longer reaches the case it let slip
        gone = await desk.officer().call("GET", f"/v1/officer/cases/{climbed}")
        assert gone.status_code == 404
        # internal notes stay with the office that wrote them
        mine = await ombudsman.call(
            "POST", f"/v1/officer/cases/{climbed}/notes", json={"text": "ombudsman's own"}
        )
        assert mine.status_code in (200, 201), mine.text
        assert [n["text"] for n in (await ombudsman.case(climbed))["internal_notes"]] == [
            "ombudsman's own"
        ]


def retimed(complaint_id: str, acknowledge_in: timedelta, resolve_in: timedelta) -> Any:
    """Routing re-sends the case to the same office with new deadlines (sequence 3)."""
    now = datetime.now(UTC)
    return ComplaintTransferred.after(
        complaint_id,
        2,
        producer="routing",
        correlation_id=complaint_id,
        data=MovedData(
            from_office=OFFICE,
            to_office=OFFICE,
            reason_en="Deadlines set by the service standard.",
            reason_km="កាលកំណត់តាមស្តង់ដារសេវា។",
            rule="transfer",
            directory_version="test",
            deadlines=Deadlines(acknowledge_by=now + acknowledge_in, resolve_by=now + resolve_in),
        ),
    )


async def test_sorted_by_deadline_and_filtered_to_overdue(officer_env: Any, amqp: Any) -> None:
    async with officer_desk(officer_env, amqp) as desk:
        later, late, no_deadline, soon = [await desk.routed_case() for _ in range(4)]
        for complaint_id, ack, resolve in (
            (later, timedelta(days=5), timedelta(days=20)),
            (late, timedelta(hours=-2), timedelta(days=9)),
            (soon, timedelta(hours=3), timedelta(days=9)),
        ):
            await publish_event(desk.amqp, retimed(complaint_id, ack, resolve))

        async def timed() -> bool:
            cases = [await desk.service.ports.cases.get(c) for c in (later, late, soon)]
            return all(c is not None and c.deadlines is not None for c in cases)

        await eventually(timed)
        officer = desk.officer()
        urgent = await officer.call("GET", "/v1/officer/inbox", params={"sort": "deadline"})
        assert [c["complaint_id"] for c in urgent.json()["cases"]] == [
            late,
            soon,
            later,
            no_deadline,
        ]
        assert [c["overdue"] for c in urgent.json()["cases"]] == [True, False, False, False]

        first = await officer.call(
            "GET", "/v1/officer/inbox", params={"sort": "deadline", "limit": 2}
        )
        rest = await officer.call(
            "GET",
            "/v1/officer/inbox",
            params={"sort": "deadline", "limit": 2, "cursor": first.json()["next_cursor"]},
        )
        assert [c["complaint_id"] for c in rest.json()["cases"]] == [later, no_deadline]
        wrong_order = await officer.call(
            "GET", "/v1/officer/inbox", params={"cursor": first.json()["next_cursor"]}
        )
        assert wrong_order.status_code == 400  # a deadline cursor does not page by date

        overdue = await officer.call("GET", "/v1/officer/inbox", params={"overdue": True})
        assert [c["complaint_id"] for c in overdue.json()["cases"]] == [late]

        # acknowledging moves the case to its resolve deadline: no longer overdue
        version = (await officer.case(late))["version"]
        assert (await officer.act(late, "acknowledge", version)).status_code == 200
        view = await officer.case(late)
        assert view["next_due"] == view["deadlines"]["resolve_by"]
        overdue = await officer.call("GET", "/v1/officer/inbox", params={"overdue": True})
        assert overdue.json()["cases"] == []
