"""Web passes each citizen's address chain to intake, so intake's per-client limits count
citizens and not the portal (and a forged header cannot hide the real peer)."""

from __future__ import annotations

import httpx
import pytest
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from samleng.web.adapters.api import ForwardedFor, IntakeClient

pytestmark = pytest.mark.unit


async def _seen_by_intake(forwarded: str | None, peer: str) -> str | None:
    """What X-Forwarded-For intake receives when a request reaches web from ``peer``."""
    seen: list[str | None] = []

    def intake(request: httpx.Request) -> httpx.Response:
        seen.append(request.headers.get("x-forwarded-for"))
        return httpx.Response(200, json={"tracking_code": "X"})

    client = IntakeClient(
        httpx.AsyncClient(transport=httpx.MockTransport(intake), base_url="http://i")
    )

    async def submit(request: Request) -> JSONResponse:
        return JSONResponse(await client.submit({}, "key-1", "km"))

    app = ForwardedFor(Starlette(routes=[Route("/submit", submit, methods=["POST"])]))
    transport = httpx.ASGITransport(app=app, client=(peer, 51000))
    async with httpx.AsyncClient(transport=transport, base_url="http://web") as browser:
        headers = {"X-Forwarded-For": forwarded} if forwarded else {}
        await browser.post("/submit", headers=headers)
    return seen[0]


async def test_the_citizens_address_reaches_intake() -> None:
    assert await _seen_by_intake(None, "203.0.113.7") == "203.0.113.7"


async def test_a_proxys_chain_is_kept_and_the_real_peer_appended() -> None:
    # intake takes the last address it does not trust: a forged first hop changes nothing
    assert await _seen_by_intake("198.51.100.1", "10.0.0.5") == "198.51.100.1, 10.0.0.5"


async def test_outside_a_request_nothing_is_forwarded() -> None:
    seen: list[str | None] = []

    def intake(request: httpx.Request) -> httpx.Response:
        seen.append(request.headers.get("x-forwarded-for"))
        return httpx.Response(200, json=[])

    client = IntakeClient(
        httpx.AsyncClient(transport=httpx.MockTransport(intake), base_url="http://i")
    )
    await client.places()
    assert seen == [None]
