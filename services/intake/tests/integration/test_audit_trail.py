"""The audit trail on a real MongoDB replica set: concurrent appends, tamper detection."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from typing import Any

import pytest
from pymongo import AsyncMongoClient

from samleng.intake.adapters.audit import AuditTrail
from samleng.intake.domain.audit import AuditRecord

pytestmark = pytest.mark.integration


@pytest.fixture
async def trail(stack: Any) -> AsyncIterator[tuple[AuditTrail, Any]]:
    client: AsyncMongoClient[dict[str, Any]] = AsyncMongoClient(stack.mongo_url, tz_aware=True)
    db = client[f"{stack.db_prefix}_audit_{uuid.uuid4().hex[:6]}"]
    audit = AuditTrail(db, b"audit-key-for-tests")
    await audit.create_indexes()
    yield audit, db
    await client.close()


def record(i: int) -> AuditRecord:
    return AuditRecord(
        at=datetime.now(UTC),
        subject=f"officer-{i}",
        role="officer",
        office_id="commune:170201",
        action="case.read",
        complaint_id=f"c-{i % 3}",
        detail="ស្រុក",
    )


async def test_concurrent_appends_keep_one_unbroken_chain(trail: tuple[AuditTrail, Any]) -> None:
    audit, _ = trail
    await asyncio.gather(*(audit.record(record(i)) for i in range(20)))
    entries = [e async for e in audit.entries()]
    assert [e.seq for e in entries] == list(range(1, 21))
    assert await audit.verify() == []
    assert len([e async for e in audit.entries(complaint_id="c-1")]) == 7


async def test_an_entry_edited_in_mongodb_is_detected(trail: tuple[AuditTrail, Any]) -> None:
    audit, db = trail
    for i in range(5):
        await audit.record(record(i))
    await db["audit_entries"].update_one({"seq": 3}, {"$set": {"action": "case.nothing"}})
    [problem] = await audit.verify()
    assert problem.seq == 3 and "changed" in problem.problem


async def test_a_removed_entry_is_detected(trail: tuple[AuditTrail, Any]) -> None:
    audit, db = trail
    for i in range(5):
        await audit.record(record(i))
    await db["audit_entries"].delete_one({"seq": 5})
    assert await audit.verify()
    await db["audit_entries"].delete_one({"seq": 2})
    assert any("removed" in p.problem for p in await audit.verify())
