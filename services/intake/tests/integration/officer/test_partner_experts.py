"""Partner experts (civil society, beside the ministry) against a real intake, MongoDB and
RabbitMQ: they read the cases in their scope and nothing else, never a contact or a
person's attributes, every read is audited, and their only write is a partner note that
the office's officers read."""

from __future__ import annotations

from typing import Any

import pytest

from services.intake.tests.integration.officer.support import (
    OFFICE,
    OTHER_OFFICE,
    officer_desk,
)

pytestmark = pytest.mark.integration

#: Every write of the officer API but partner notes, with a body it would accept.
WRITES: tuple[tuple[str, dict[str, Any]], ...] = (
    ("acknowledge", {}),
    ("questions", {"text": "Which day?"}),
    ("notes", {"text": "internal"}),
    ("resolve", {"note": "done"}),
    ("reject", {"reason": "spam"}),
    ("duplicate", {"duplicate_of": "00000000-0000-0000-0000-000000000000"}),
    ("transfer", {"reason": "misrouted", "to_office_id": "commune:170202"}),
    ("forward", {"reason": "health", "to_ministry": "moh"}),
    ("escalate", {"reason": "urgent"}),
    ("reopen", {}),
)


async def test_a_partner_reads_its_scope_only_and_never_the_office_s_notes_or_files(
    officer_env: Any, amqp: Any
) -> None:
    async with officer_desk(officer_env, amqp) as desk:
        ours = await desk.routed_case()
        theirs = await desk.routed_case(OTHER_OFFICE)
        noted = await desk.officer().call(
            "POST", f"/v1/officer/cases/{ours}/notes", json={"text": "call the chief first"}
        )
        assert noted.status_code == 201, noted.text
        province = desk.as_user(["partner_expert"], ["province:17"], subject="ti-expert-1")
        view = await province.case(ours)
        assert view["actions"] == ["partner_note"]
        assert view["internal_notes"] == [] and view["attachments"] == []
        assert view["description"] and view["timeline"]
        assert "call the chief first" not in str(view)
        inbox = await province.call("GET", "/v1/officer/inbox")
        assert inbox.status_code == 200, inbox.text
        assert {c["complaint_id"] for c in inbox.json()["cases"]} == {ours, theirs}
        assert inbox.json()["offices"] == ["province:17"]
        # scoped to one office: that office's cases, as if the others did not exist
        one_office = desk.as_user(["partner_expert"], [OTHER_OFFICE.office_id])
        assert (await one_office.case(theirs))["complaint_id"] == theirs
        hidden = await one_office.call("GET", f"/v1/officer/cases/{ours}")
        assert hidden.status_code == 404, hidden.text
        listed = await one_office.call("GET", "/v1/officer/inbox")
        assert [c["complaint_id"] for c in listed.json()["cases"]] == [theirs]
        elsewhere = desk.as_user(["partner_expert"], ["province:21"])
        assert (await elsewhere.call("GET", f"/v1/officer/cases/{ours}")).status_code == 404
        assert (await elsewhere.call("GET", "/v1/officer/inbox")).json()["cases"] == []
        # every read by a partner is in the audit chain, under its role
        admin = desk.as_user(["admin"])
        trail = await admin.call("GET", "/v1/officer/audit", params={"subject": "ti-expert-1"})
        entries = trail.json()["entries"]
        assert {(e["action"], e["role"]) for e in entries} == {
            ("case.read", "partner_expert"),
            ("inbox.read", "partner_expert"),
        }
        assert [e["complaint_id"] for e in entries if e["action"] == "case.read"] == [ours]


async def test_a_partner_writes_only_partner_notes_which_the_office_reads(
    officer_env: Any, amqp: Any
) -> None:
    async with officer_desk(officer_env, amqp) as desk:
        complaint_id = await desk.routed_case()
        partner = desk.as_user(["partner_expert"], ["province:17"], subject="ti-expert-2")
        version = (await partner.case(complaint_id))["version"]
        for action, body in WRITES:
            refused = await partner.act(
                complaint_id, action, None if action == "notes" else version, **body
            )
            assert refused.status_code == 403, (action, refused.text)
            assert refused.headers["content-type"] == "application/problem+json"
            assert "partner notes" in refused.json()["detail"], (action, refused.text)
        audit = await partner.call("GET", "/v1/officer/audit")
        assert audit.status_code == 403
        assert (await desk.service.ports.cases.get(complaint_id)).version == version
        added = await partner.call(
            "POST",
            f"/v1/officer/cases/{complaint_id}/partner-notes",
            json={"text": "The fee asked is ten times the official fee; please check."},
        )
        assert added.status_code == 201, added.text
        note = added.json()
        assert (note["role"], note["office_id"]) == ("partner_expert", OFFICE.office_id)
        # the office reads it on the case; staff cannot write one, nobody edits or deletes
        officer = desk.officer()
        seen = await officer.case(complaint_id)
        assert [n["text"] for n in seen["partner_notes"]] == [note["text"]]
        assert seen["internal_notes"] == []
        by_staff = await officer.call(
            "POST", f"/v1/officer/cases/{complaint_id}/partner-notes", json={"text": "x"}
        )
        assert by_staff.status_code == 403
        for method in ("PUT", "DELETE"):
            for notes in ("notes", "partner-notes"):
                path = f"/v1/officer/cases/{complaint_id}/{notes}"
                assert (await partner.call(method, path, json={})).status_code == 405
        assert (await partner.case(complaint_id))["partner_notes"][0]["text"] == note["text"]
        # a partner's note is not a case event: the case did not change
        assert (await desk.service.ports.cases.get(complaint_id)).version == version
        admin = desk.as_user(["admin"])
        trail = await admin.call("GET", "/v1/officer/audit", params={"subject": "ti-expert-2"})
        actions = [e["action"] for e in trail.json()["entries"]]
        assert "case.partner_note" in actions and actions.count("case.read") == 2
