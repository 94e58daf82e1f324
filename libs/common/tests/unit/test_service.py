"""The assembled service is what every request's dependencies start from."""

from __future__ import annotations

from typing import Annotated, Any

import httpx
import pytest
from fastapi import Depends, Request

from samleng.common.runtime import ServiceRuntime
from samleng.common.service import Service, service_of, web_app
from samleng.common.settings import Environment, ServiceSettings

pytestmark = pytest.mark.unit


def _greeting(request: Request) -> str:
    return str(service_of(request).ports["greeting"])


GreetingDep = Annotated[str, Depends(_greeting)]


def _service(ports: dict[str, Any]) -> Service[dict[str, Any]]:
    settings = ServiceSettings(service_name="demo", environment=Environment.TEST)
    runtime = ServiceRuntime(settings)  # nothing connects until the lifespan runs
    app = web_app(runtime, title="demo")

    @app.get("/hello")
    async def hello(greeting: GreetingDep) -> dict[str, str]:
        return {"greeting": greeting}

    return Service(settings, runtime, ports, app).installed()


async def test_requests_reach_the_ports_and_tests_can_override_them() -> None:
    service = _service({"greeting": "សួស្តី"})
    transport = httpx.ASGITransport(app=service.app)
    async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
        assert (await client.get("/hello")).json() == {"greeting": "សួស្តី"}
        service.app.dependency_overrides[_greeting] = lambda: "hello"
        assert (await client.get("/hello")).json() == {"greeting": "hello"}


async def test_an_app_without_an_installed_service_says_so() -> None:
    service = _service({"greeting": "hi"})
    del service.app.state.service
    transport = httpx.ASGITransport(app=service.app, raise_app_exceptions=False)
    async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
        response = await client.get("/hello")
    assert response.status_code == 500
    assert response.headers["content-type"] == "application/problem+json"
