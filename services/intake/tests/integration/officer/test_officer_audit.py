"""The audit trail of officers' work: every read and action recorded, admins alone query
it, and ``python -m samleng.intake audit verify`` catches an entry edited in MongoDB."""

from __future__ import annotations

import asyncio
import os
import sys
from typing import Any

import pytest
from pymongo import AsyncMongoClient

from services.intake.tests.integration.officer.support import (
    OFFICE,
    OMBUDSMAN,
    OTHER_OFFICE,
    assigned_to,
    officer_desk,
)
from tests.support import eventually, publish_event

pytestmark = pytest.mark.integration


async def audit_cli(env: Any, database: str, *args: str) -> tuple[int, str]:
    """Run the audit command as operators do, against one database."""
    variables = {
        **os.environ,
        **env.stack.env_for("intake"),
        "SAMLENG_MONGO_DATABASE": database,
    }
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "samleng.intake",
        "audit",
        *args,
        env=variables,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.STDOUT,
    )
    output, _ = await process.communicate()
    assert process.returncode is not None
    return process.returncode, output.decode()


async def test_reads_and_actions_are_chained_and_tampering_is_caught(
    officer_env: Any, amqp: Any
) -> None:
    async with officer_desk(officer_env, amqp) as desk:
        complaint_id = await desk.routed_case()
        officer = desk.as_user(["officer"], [OFFICE.office_id], subject="officer-sokha")
        view = await officer.case(complaint_id)
        acked = await officer.act(complaint_id, "acknowledge", view["version"])
        assert acked.status_code == 200
        await officer.act(complaint_id, "notes", None, text="Visited the office.")
        await officer.call("GET", "/v1/officer/inbox")
        outsider = desk.as_user(["officer"], ["commune:170299"], subject="officer-elsewhere")
        assert (await outsider.call("GET", f"/v1/officer/cases/{complaint_id}")).status_code == 404

        # officers cannot read (let alone change) the trail
        assert (await officer.call("GET", "/v1/officer/audit")).status_code == 403
        admin = desk.as_user(["admin"], subject="admin-1")
        listed = await admin.call("GET", "/v1/officer/audit", params={"complaint_id": complaint_id})
        assert listed.status_code == 200, listed.text
        entries = listed.json()["entries"]
        assert [(e["subject"], e["action"]) for e in entries] == [
            ("officer-sokha", "case.read"),
            ("officer-sokha", "case.acknowledge"),
            ("officer-sokha", "case.note"),
            ("officer-elsewhere", "case.read.refused"),
            ("admin-1", "audit.query"),
        ]
        first = entries[0]
        assert first["role"] == "officer" and first["office_id"] == OFFICE.office_id
        assert entries[1]["detail"].startswith("event ")
        by_actor = await admin.call("GET", "/v1/officer/audit", params={"subject": "officer-sokha"})
        assert "inbox.read" in [e["action"] for e in by_actor.json()["entries"]]

        database = desk.settings.mongo_database
        code, output = await audit_cli(officer_env, database, "verify")
        assert code == 0, output
        assert "intact" in output
        code, output = await audit_cli(officer_env, database, "query", "--case", complaint_id)
        assert code == 0 and output.count("\n") == 5 and "case.acknowledge" in output

        # someone with database access hides that the outsider tried
        client: AsyncMongoClient[dict[str, Any]] = AsyncMongoClient(
            desk.settings.mongo_url.get_secret_value()
        )
        try:
            trail = client[database]["audit_entries"]
            tried = entries[3]["seq"]
            await trail.update_one({"seq": tried}, {"$set": {"subject": "officer-sokha"}})
            code, output = await audit_cli(officer_env, database, "verify")
            assert code == 1, output
            assert f"BROKEN at entry {tried}: content changed" in output
            await trail.delete_one({"seq": tried})
            code, output = await audit_cli(officer_env, database, "verify")
            assert code == 1 and "removed" in output, output
        finally:
            await client.close()


async def test_a_head_of_office_reads_their_offices_trail_and_nothing_else(
    officer_env: Any, amqp: Any
) -> None:
    async with officer_desk(officer_env, amqp) as desk:
        ours = await desk.routed_case()
        theirs = await desk.routed_case(OTHER_OFFICE)
        moved = await desk.routed_case()
        # a complaint about the conduct of our own officials: with the ombudsman above us
        conduct = await desk.routed_case(
            OMBUDSMAN, extra={"about_office_id": OFFICE.office_id, "about_office_conduct": True}
        )
        officer = desk.as_user(["officer"], [OFFICE.office_id], subject="officer-ours")
        view = await officer.case(ours)
        assert (await officer.act(ours, "acknowledge", view["version"])).status_code == 200
        await officer.case(moved)
        # an officer of ours guessing at the complaint about us leaves a (refused) entry
        assert (await officer.call("GET", f"/v1/officer/cases/{conduct}")).status_code == 404
        inbox = (await officer.call("GET", "/v1/officer/inbox")).json()
        assert inbox["office_names"][OFFICE.office_id] == {
            "en": OFFICE.name_en,
            "km": OFFICE.name_km,
        }
        listed = next(c for c in inbox["cases"] if c["complaint_id"] == ours)
        assert listed["office_name_km"] == OFFICE.name_km
        assert listed["place"]["commune"] == {"km": "ជប់តាត្រាវ", "en": "Chub Ta Trav"}

        # the moved case goes to the other office, whose officer reads it there
        moving = assigned_to(OTHER_OFFICE, moved).model_copy(update={"sequence": 5})
        await publish_event(desk.amqp, moving)

        async def gone() -> bool:
            stored = await desk.service.ports.cases.get(moved)
            return stored.office.office_id == OTHER_OFFICE.office_id

        await eventually(gone)
        other = desk.as_user(["officer"], [OTHER_OFFICE.office_id], subject="officer-theirs")
        await other.case(moved)
        await other.case(theirs)
        ombudsman = desk.as_user(["ombudsman"], [OMBUDSMAN.office_id], subject="ombudsman-1")
        await ombudsman.case(conduct)
        await ombudsman.act(conduct, "notes", None, text="Interviewed the commune clerk.")

        head = desk.as_user(["office_head"], [OFFICE.office_id], subject="head-ours")
        answer = await head.call("GET", "/v1/officer/audit")
        assert answer.status_code == 200, answer.text
        entries = answer.json()["entries"]
        seen = {(e["subject"], e["action"], e["complaint_id"]) for e in entries}
        assert {
            ("officer-ours", "case.read", ours),
            ("officer-ours", "case.acknowledge", ours),
            ("officer-ours", "case.read", moved),
            ("officer-ours", "inbox.read", None),
            ("officer-theirs", "case.read", moved),  # formerly ours
            ("head-ours", "audit.query", None),
        } <= seen
        assert {e["complaint_id"] for e in entries} == {ours, moved, None}
        assert conduct not in answer.text and theirs not in answer.text
        assert "ombudsman-1" not in answer.text
        read = next(e for e in entries if e["action"] == "case.read")
        assert read["office_name_km"] == OFFICE.name_km
        asked = await head.call("GET", "/v1/officer/audit", params={"complaint_id": conduct})
        assert asked.status_code == 200 and asked.json()["entries"] == []

        # the other office's head sees none of ours, only the moved case's and theirs
        other_head = desk.as_user(["office_head"], [OTHER_OFFICE.office_id], subject="head-2")
        their_trail = (await other_head.call("GET", "/v1/officer/audit")).json()["entries"]
        assert {e["complaint_id"] for e in their_trail} == {theirs, moved, None}
        assert ours not in str(their_trail) and conduct not in str(their_trail)
        # the ombudsman's head reads the conduct case's trail (it is theirs)
        ombudsman_head = desk.as_user(["office_head"], [OMBUDSMAN.office_id])
        trail = (await ombudsman_head.call("GET", "/v1/officer/audit")).json()["entries"]
        assert {e["complaint_id"] for e in trail} == {conduct, None}
        # ... including that an officer of the accused office tried to open it
        assert ("officer-ours", "case.read.refused") in {(e["subject"], e["action"]) for e in trail}

        # reading the trail is itself in the trail; plain officers still may not read it
        assert (await officer.call("GET", "/v1/officer/audit")).status_code == 403
        admin = desk.as_user(["admin"], subject="admin-2")
        full = (
            await admin.call("GET", "/v1/officer/audit", params={"subject": "head-ours"})
        ).json()
        assert [(e["action"], e["role"]) for e in full["entries"]] == [
            ("audit.query", "office_head"),
            ("audit.query", "office_head"),
        ]
