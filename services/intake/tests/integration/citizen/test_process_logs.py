"""Intake as a real process (uvicorn, JSON logs): nothing personal reaches its log."""

from __future__ import annotations

import asyncio
import re
from typing import Any

import httpx
import pytest

from services.intake.tests.integration.shared import VALID

pytestmark = pytest.mark.integration

PHONE, EMAIL, AGENT = "097 765 4321", "chan.thy@example.org", "ReporterPhone/9.9 (IMEI 3556)"


async def test_the_served_process_logs_no_address_agent_code_or_contact(env: Any) -> None:
    intake = await asyncio.to_thread(
        env.stack.start_service,
        "intake",
        mongo_database=f"{env.stack.db_prefix}_intake_proc",
        amqp_url=env.amqp_url,
    )
    try:
        headers = {"User-Agent": AGENT, "Accept-Language": "km"}
        async with httpx.AsyncClient(base_url=intake.url, headers=headers, timeout=10) as http:
            body = {
                **VALID,
                "contacts": [
                    {"channel": "sms", "address": PHONE},
                    {"channel": "email", "address": EMAIL},
                ],
                "reporter_gender": "male",
            }
            answer = await http.post("/v1/complaints", json=body)
            assert answer.status_code == 202, answer.text
            code = answer.json()["tracking_code"]
            assert (await http.get(f"/v1/complaints/{code}")).status_code == 200
            wrong_check = "Z" if code[-1] != "Z" else "Y"  # never the real check character
            mistyped = f"{code[:-1]}{wrong_check}"
            assert (await http.get(f"/v1/complaints/{mistyped}")).status_code == 400
    finally:
        await asyncio.to_thread(intake.stop)
    log = intake.read_log()
    assert '"route": "/v1/complaints/{tracking_code}"' in log  # requests are logged...
    for secret in (code, code.replace("-", ""), "0977654321", "97 765 4321", EMAIL, AGENT):
        assert secret not in log  # ...but never what identifies someone
    assert "IMEI" not in log and "User-Agent" not in log
    assert not re.search(r"\d+\.\d+\.\d+\.\d+:\d+ - \"", log)  # no uvicorn access log
    assert VALID["description"] not in log
