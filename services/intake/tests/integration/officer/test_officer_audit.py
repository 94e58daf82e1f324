"""The audit trail of officers' work: every read and action recorded, admins alone query
it, and ``python -m samleng.intake audit verify`` catches an entry edited in MongoDB."""

from __future__ import annotations

import asyncio
import os
import sys
from typing import Any

import pytest
from pymongo import AsyncMongoClient

from services.intake.tests.integration.officer.support import OFFICE, officer_desk

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
