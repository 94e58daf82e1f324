"""Abuse limits that identify nobody: code guessing, floods and oversized requests."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import pytest

from samleng.intake.app import create_app
from samleng.intake.domain.tracking import TrackingCode
from services.intake.tests.integration.citizen.helpers import collection, service_log_lines
from services.intake.tests.integration.shared import VALID, intake_settings
from tests.support import eventually, running

pytestmark = pytest.mark.integration

DAY = 86_400  # windows long enough that a test never straddles two


def guesses(n: int) -> list[str]:
    return [str(TrackingCode.generate()) for _ in range(n)]


def mistyped(code: str) -> str:
    body = code.replace("-", "")
    wrong = "0" if body[0] != "0" else "1"
    return wrong + body[1:]


async def test_guessing_codes_hits_429_with_retry_after(env: Any) -> None:
    settings = intake_settings(
        env, relay_enabled=False, lookup_miss_limit=5, lookup_window_seconds=DAY
    )
    with service_log_lines() as lines:
        async with running(create_app(settings)) as http:
            code = (await http.post("/v1/complaints", json=VALID)).json()["tracking_code"]
            # typos are caught by the check character and cost nothing
            for _ in range(10):
                typo = await http.get(f"/v1/complaints/{mistyped(code)}")
                assert typo.status_code == 400
                assert "check character" in typo.json()["detail_en"]
            statuses = [
                (await http.get(f"/v1/complaints/{guess}")).status_code for guess in guesses(5)
            ]
            assert statuses == [404] * 5
            blocked = await http.get(f"/v1/complaints/{guesses(1)[0]}")
            # while the budget is spent, no look-up answers: a hit would tell a guesser
            real = await http.get(f"/v1/complaints/{code}")
            action = await http.post(f"/v1/complaints/{code}/withdrawal")
            open311 = await http.get(f"/open311/v2/tokens/{code}.json")
    for answer in (blocked, real, action):
        assert answer.status_code == 429
        assert answer.headers["content-type"] == "application/problem+json"
        assert 0 < int(answer.headers["retry-after"]) <= DAY
    assert open311.status_code == 429 and int(open311.headers["retry-after"]) > 0
    assert open311.json()[0]["code"] == 429
    logged = lines.getvalue()
    assert '"route": "/v1/complaints/{tracking_code}"' in logged
    assert code not in logged and code.replace("-", "") not in logged
    budgets = await collection(settings, "budgets")
    assert budgets  # each replica adds its counts to the shared windows, at the latest on stop
    assert all(set(doc) == {"_id", "count", "expires_at"} for doc in budgets)  # no client keys
    [misses] = [doc for doc in budgets if doc["_id"].startswith("lookup-miss:")]
    assert misses["count"] == 5  # the five 404s; a look-up refused with 429 spends nothing


async def test_replicas_share_one_budget(env: Any) -> None:
    settings = intake_settings(
        env,
        relay_enabled=False,
        lookup_miss_limit=5,
        lookup_window_seconds=DAY,
        budget_flush_seconds=0.05,
    )
    async with running(create_app(settings)) as one, running(create_app(settings)) as other:
        code = (await other.post("/v1/complaints", json=VALID)).json()["tracking_code"]
        assert (await other.get(f"/v1/complaints/{code}")).status_code == 200
        for guess in guesses(5):  # one replica spends the whole budget
            assert (await one.get(f"/v1/complaints/{guess}")).status_code == 404

        async def refused() -> bool | None:
            # a code that opens a case never spends the budget: only the other's spends count
            answer = await other.get(f"/v1/complaints/{code}")
            return True if answer.status_code == 429 else None

        assert await eventually(refused)


async def test_submission_floods_get_429(env: Any) -> None:
    settings = intake_settings(
        env, relay_enabled=False, submission_limit=3, submission_window_seconds=DAY
    )
    async with running(create_app(settings)) as http:
        answers = [await http.post("/v1/complaints", json=VALID) for _ in range(4)]
    assert [a.status_code for a in answers] == [202, 202, 202, 429]
    assert int(answers[-1].headers["retry-after"]) > 0
    assert answers[-1].json()["detail"] == answers[-1].json()["detail_km"]
    assert len(await collection(settings, "cases")) == 3


async def test_oversized_requests_are_refused_unread(env: Any) -> None:
    settings = intake_settings(env, relay_enabled=False, max_request_bytes=4096)
    huge = {**VALID, "description": "ក" * 5000}

    async def chunks() -> AsyncIterator[bytes]:
        for _ in range(100):
            yield b'{"description": "' + b"x" * 1000

    async with running(create_app(settings)) as http:
        declared = await http.post("/v1/complaints", json=huge, headers={"Accept-Language": "en"})
        streamed = await http.post(
            "/v1/complaints", content=chunks(), headers={"content-type": "application/json"}
        )
        small = await http.post("/v1/complaints", json=VALID)
    for answer in (declared, streamed):
        assert answer.status_code == 413
        assert answer.headers["content-type"] == "application/problem+json"
    assert "4 KiB" in declared.json()["detail"]
    assert small.status_code == 202
    assert len(await collection(settings, "cases")) == 1


async def test_openapi_documents_every_citizen_operation(env: Any) -> None:
    settings = intake_settings(env, relay_enabled=False)
    async with running(create_app(settings)) as http:
        spec = (await http.get("/openapi.json")).json()
    paths = spec["paths"]
    for path in (
        "/v1/complaints",
        "/v1/complaints/{tracking_code}",
        "/v1/complaints/{tracking_code}/answers",
        "/v1/complaints/{tracking_code}/information",
        "/v1/complaints/{tracking_code}/attachments",
        "/v1/complaints/{tracking_code}/confirmation",
        "/v1/complaints/{tracking_code}/reopening",
        "/v1/complaints/{tracking_code}/rating",
        "/v1/complaints/{tracking_code}/withdrawal",
        "/v1/services",
        "/v1/categories",
        "/open311/v2/services.{fmt}",
        "/open311/v2/requests.{fmt}",
    ):
        assert path in paths, path
    submit = paths["/v1/complaints"]["post"]
    assert {"413", "422", "429"} <= set(submit["responses"])
    assert any(p["name"].lower() == "idempotency-key" for p in submit["parameters"])
    schema = spec["components"]["schemas"]["SubmitFeedback"]
    assert schema["examples"][0]["description"].startswith("មន្ត្រី")
