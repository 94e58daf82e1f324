"""The retention policy over real MongoDB: sealed contacts and attachments of cases closed
long ago are erased (each erasure in the audit trail, without personal data), the case's
statistics fields stay, and open or recently closed cases are untouched."""

from __future__ import annotations

import asyncio
import io
import os
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from PIL import Image

from samleng.intake.app import bootstrap
from samleng.intake.domain import citizen
from samleng.intake.settings import IntakeSettings
from services.intake.tests.integration.citizen.helpers import collection, database_dump
from services.intake.tests.integration.shared import VALID, intake_settings
from tests.support import eventually, running

pytestmark = pytest.mark.integration

PHONE = "+85512345678"
STATISTICS_FIELDS = ("kind", "category", "location", "service_code", "submitted_at", "status")


def png() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (8, 8), "red").save(out, format="PNG")
    return out.getvalue()


async def file_case(http: Any, service: Any, *, closed_days_ago: int | None) -> str:
    """A case with a contact and an attachment, withdrawn ``closed_days_ago`` (or open)."""
    body = {**VALID, "contacts": [{"channel": "sms", "address": PHONE}]}
    answer = await http.post("/v1/complaints", json=body)
    assert answer.status_code == 202, answer.text
    code = answer.json()["tracking_code"]
    attached = await http.post(
        f"/v1/complaints/{code}/attachments", files={"file": ("r.png", png(), "image/png")}
    )
    assert attached.status_code == 200, attached.text
    cases = service.ports.cases
    [doc] = [d for d in await collection(service.settings, "cases") if d["version"] == 1]
    if closed_days_ago is not None:
        case = await cases.get(doc["_id"])
        when = datetime.now(UTC) - timedelta(days=closed_days_ago)
        closed, event = citizen.withdraw(case, when)
        await cases.save_with_event(closed, event)
    return str(doc["_id"])


def command(settings: IntakeSettings, *args: str) -> str:
    """Run ``python -m samleng.intake retention ...`` on the settings' database."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("SAMLENG_")}
    for name, value in settings.model_dump().items():
        if value is None or isinstance(value, (list, tuple, dict)):
            continue
        secret = getattr(value, "get_secret_value", None)
        env[f"SAMLENG_{name.upper()}"] = str(secret() if secret else value)
    done = subprocess.run(
        [sys.executable, "-m", "samleng.intake", "retention", *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    return done.stdout


async def test_the_command_erases_contacts_and_attachments_of_old_closed_cases(env: Any) -> None:
    settings = intake_settings(env, relay_enabled=False, retention_enabled=False)
    service: Any = bootstrap(settings)
    async with running(service.app) as http:
        old = await file_case(http, service, closed_days_ago=400)  # both periods passed
        recent = await file_case(http, service, closed_days_ago=200)  # contacts only
        still_open = await file_case(http, service, closed_days_ago=None)
        before = {d["_id"]: d for d in await collection(settings, "cases")}

        dry = await asyncio.to_thread(command, settings, "--dry-run")
        assert "contacts: 2 case(s) due" in dry and "attachments: 1 case(s) due" in dry
        assert len(await collection(settings, "reporters")) == 3  # a dry run changes nothing

        done = await asyncio.to_thread(command, settings, "--yes")
        assert "contacts: 2 case(s) erased" in done and "attachments: 1 case(s) erased" in done
        again = await asyncio.to_thread(command, settings, "--yes")
        assert "contacts: 0 case(s)" in again and "attachments: 0 case(s)" in again
        breaks = await service.ports.officers.audit.verify()
    assert breaks == []  # the hash chain holds with the erasures in it

    reporters = {d["_id"] for d in await collection(settings, "reporters")}
    assert reporters == {still_open}
    files = await collection(settings, "attachments.files")
    assert {f["metadata"]["complaint_id"] for f in files} == {recent, still_open}
    after = {d["_id"]: d for d in await collection(settings, "cases")}
    for complaint_id in (old, recent, still_open):  # what statistics are made of stays
        for field in STATISTICS_FIELDS:
            assert after[complaint_id][field] == before[complaint_id][field]
    assert after[still_open] == before[still_open]

    audit = [
        e for e in await collection(settings, "audit_entries") if e["subject"] == "retention-policy"
    ]
    erased = sorted((e["complaint_id"], e["action"], e["detail"]) for e in audit)
    assert erased == sorted(
        [
            (old, "retention.erase-contacts", "1 erased"),
            (recent, "retention.erase-contacts", "1 erased"),
            (old, "retention.erase-attachments", "1 erased"),
        ]
    )
    dump = await database_dump(settings)
    assert PHONE not in dump and PHONE.removeprefix("+") not in dump


async def test_intake_applies_the_policy_by_itself_on_one_replica(env: Any) -> None:
    settings = intake_settings(env, relay_enabled=False, retention_interval_seconds=0.2)
    service: Any = bootstrap(settings)
    other: Any = bootstrap(settings)
    async with running(service.app) as http, running(other.app):
        old = await file_case(http, service, closed_days_ago=400)
        still_open = await file_case(http, service, closed_days_ago=None)

        async def erased() -> bool:  # contacts first, then files: wait for both
            left = {d["_id"] for d in await collection(settings, "reporters")}
            files = await collection(settings, "attachments.files")
            return old not in left and {f["metadata"]["complaint_id"] for f in files} == {
                still_open
            }

        await eventually(erased)
    reporters = {d["_id"] for d in await collection(settings, "reporters")}
    assert reporters == {still_open}
    [lease_free] = [await collection(settings, "leases")]
    assert lease_free == []  # both replicas gave the lease up when they stopped
    audit = [
        e for e in await collection(settings, "audit_entries") if e["subject"] == "retention-policy"
    ]
    assert len(audit) == 2  # each erasure once, though two replicas ran the job
