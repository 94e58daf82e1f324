"""Intake as a real process (uvicorn on 127.0.0.1): each client has its own share of the
look-up budget, known only by a keyed hash that reaches neither MongoDB nor the log."""

from __future__ import annotations

import asyncio
import hashlib
from typing import Any

import httpx
import pytest

from samleng.intake.domain.tracking import TrackingCode
from samleng.intake.settings import IntakeSettings
from services.intake.tests.integration.citizen.helpers import database_dump
from services.intake.tests.integration.shared import VALID

pytestmark = pytest.mark.integration

GUESSER, CITIZEN = "127.0.0.2", "127.0.0.3"


def from_address(url: str, address: str) -> httpx.AsyncClient:
    """A client whose connections leave from ``address`` (a loopback source of its own)."""
    transport = httpx.AsyncHTTPTransport(local_address=address)
    return httpx.AsyncClient(base_url=url, transport=transport, timeout=30)


async def test_a_guesser_spends_only_its_own_share(env: Any) -> None:
    database = f"{env.stack.db_prefix}_intake_shares"
    intake = await asyncio.to_thread(
        env.stack.start_service,
        "intake",
        mongo_database=database,
        amqp_url=env.amqp_url,
        lookup_miss_limit_per_client=3,
        lookup_window_seconds=86_400,  # a test never straddles two windows
        budget_flush_seconds=0.1,
    )
    try:
        async with (
            from_address(intake.url, GUESSER) as guesser,
            from_address(intake.url, CITIZEN) as citizen,
        ):
            answer = await citizen.post("/v1/complaints", json=VALID)
            assert answer.status_code == 202, answer.text
            code = answer.json()["tracking_code"]
            guesses = [
                (await guesser.get(f"/v1/complaints/{TrackingCode.generate()}")).status_code
                for _ in range(4)
            ]
            assert guesses == [404, 404, 404, 429]
            # while its share is spent, even a good code answers 429 to the guesser...
            blocked = await guesser.get(f"/v1/complaints/{code}")
            assert blocked.status_code == 429 and int(blocked.headers["retry-after"]) > 0
            # ...and the citizen's look-ups and actions go on
            assert (await citizen.get(f"/v1/complaints/{code}")).status_code == 200
            for _ in range(3):  # looking up one's own case never spends the share
                assert (await citizen.get(f"/v1/complaints/{code}")).status_code == 200
            withdrawn = await citizen.post(f"/v1/complaints/{code}/withdrawal")
            assert withdrawn.status_code == 200, withdrawn.text
    finally:
        await asyncio.to_thread(intake.stop)  # flushes the counts to MongoDB on the way out
    settings = IntakeSettings(
        mongo_url=env.stack.mongo_url, mongo_database=database, **_keys(env, intake.env)
    )
    stored, log = await database_dump(settings), intake.read_log()
    assert '"lookup-miss:' in stored  # the ceiling's counts were written...
    for address in (GUESSER, CITIZEN):
        unkeyed = [
            hashlib.new(name, address.encode()).hexdigest() for name in ("md5", "sha1", "sha256")
        ]
        for trace in (address, *unkeyed):
            assert trace not in stored  # ...but no address, nor its plain hash
            assert trace not in log


def _keys(env: Any, service_env: dict[str, str]) -> dict[str, Any]:
    """The intake secrets the service ran with (to open its database in the test)."""
    names = ("tracking_code_key", "encryption_key", "contact_sealing_key")
    return {name: service_env[f"SAMLENG_{name.upper()}"] for name in names}
