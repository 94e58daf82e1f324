"""The assembled service is what every request's dependencies start from."""

from __future__ import annotations

from typing import Annotated, Any

import httpx
import pytest
from fastapi import Depends, Request
from fastapi.responses import HTMLResponse, JSONResponse, Response
from pydantic import SecretStr

from samleng.common.http import Problem
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


async def test_every_response_carries_the_security_headers() -> None:
    service = _service({"greeting": "hi"})

    @service.app.get("/page")
    async def page() -> Response:
        return HTMLResponse("<p>hi</p>")

    @service.app.get("/cached")
    async def cached() -> Response:
        return JSONResponse({}, headers={"Cache-Control": "public, max-age=60"})

    transport = httpx.ASGITransport(app=service.app)
    async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
        api = await client.get("/hello")
        html = await client.get("/page")
        open_data = await client.get("/cached")
    for response in (api, html, open_data):
        assert response.headers["x-content-type-options"] == "nosniff"
        assert response.headers["referrer-policy"] == "no-referrer"
        assert "strict-transport-security" not in response.headers  # not production
    assert api.headers["cache-control"] == "no-store"
    assert open_data.headers["cache-control"] == "public, max-age=60"  # the route's choice
    assert "content-security-policy" not in api.headers
    csp = html.headers["content-security-policy"]
    assert "default-src 'self'" in csp and "frame-ancestors 'none'" in csp


async def test_production_adds_hsts(monkeypatch: pytest.MonkeyPatch) -> None:
    settings = ServiceSettings(service_name="demo", environment=Environment.TEST)
    runtime = ServiceRuntime(settings)
    monkeypatch.setattr(
        runtime, "settings", settings.model_copy(update={"environment": "production"})
    )
    app = web_app(runtime, title="demo")
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
        response = await client.get("/healthz")
    assert response.headers["strict-transport-security"].startswith("max-age=")


async def test_route_log_names_the_template_and_status_never_the_path(
    caplog: pytest.LogCaptureFixture,
) -> None:
    service = _service({"greeting": "hi"})

    @service.app.get("/cases/{code}")
    async def case(code: str) -> dict[str, str]:
        raise Problem(404, "not-found", "No such case.")

    transport = httpx.ASGITransport(app=service.app)
    with caplog.at_level("INFO", logger="samleng.http"):
        async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
            response = await client.get("/cases/ABCD-EFGH-SECRET")
    assert response.status_code == 404
    [line] = [r for r in caplog.records if r.getMessage() == "request"]
    assert (line.__dict__["route"], line.__dict__["status"]) == ("/cases/{code}", 404)
    assert "SECRET" not in caplog.text


async def test_the_openapi_document_says_errors_are_problem_json_and_names_operations() -> None:
    service = _service({"greeting": "hi"})

    @service.app.post("/things/{thing_id}")
    async def rename_thing(thing_id: int, name: str) -> dict[str, str]:
        return {"name": name}

    transport = httpx.ASGITransport(app=service.app)
    async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
        document = (await client.get("/openapi.json")).json()
        wrong_method = await client.get("/things/1")
        docs = await client.get("/docs")
        swagger = await client.get("/docs/static/swagger-ui-bundle.js")
    operation = document["paths"]["/things/{thing_id}"]["post"]
    assert operation["operationId"] == "rename_thing"
    invalid = operation["responses"]["422"]["content"]
    assert invalid == {
        "application/problem+json": {"schema": {"$ref": "#/components/schemas/ProblemDetails"}}
    }
    schemas = document["components"]["schemas"]
    assert "HTTPValidationError" not in schemas
    assert set(schemas["ProblemDetails"]["required"]) >= {"type", "title", "status", "detail"}
    assert wrong_method.status_code == 405
    assert wrong_method.headers["allow"] == "POST"
    assert wrong_method.headers["content-type"] == "application/problem+json"
    # the API explorer works offline: its script comes from this origin
    assert docs.status_code == 200 and "/docs/static/swagger-ui-bundle.js" in docs.text
    assert "cdn" not in docs.text.lower()
    assert swagger.status_code == 200


async def test_every_service_refuses_a_body_over_its_limit_before_reading_it() -> None:
    service = _service({"greeting": "hi"})

    @service.app.post("/echo")
    async def echo(body: dict[str, Any]) -> dict[str, Any]:
        return body

    async def endless() -> Any:  # no Content-Length: the limit counts what arrives
        for _ in range(200):
            yield b" " * 1024

    transport = httpx.ASGITransport(app=service.app)
    async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
        assert (await client.post("/echo", json={"a": 1})).json() == {"a": 1}
        declared = await client.post("/echo", content=b"{" + b" " * 70_000 + b"}")
        streamed = await client.post("/echo", content=endless())
    for response in (declared, streamed):
        assert response.status_code == 413
        assert response.headers["content-type"] == "application/problem+json"
        assert response.json()["detail_en"].endswith("at most 64 KiB.")


async def test_the_admin_gate_checks_the_token_before_the_body() -> None:
    settings = ServiceSettings(service_name="demo", environment=Environment.TEST)
    opened = web_app(ServiceRuntime(settings), title="demo", admin_token=SecretStr("s3cret-token"))
    closed = web_app(ServiceRuntime(settings), title="demo", admin_token=SecretStr(""))
    for app in (opened, closed):

        @app.post("/v1/admin/things")
        async def things(body: dict[str, Any]) -> dict[str, Any]:
            return body

    async with (
        httpx.AsyncClient(transport=httpx.ASGITransport(app=opened), base_url="http://t") as ok,
        httpx.AsyncClient(transport=httpx.ASGITransport(app=closed), base_url="http://t") as off,
    ):
        token = {"Authorization": "Bearer s3cret-token"}
        assert (await ok.post("/v1/admin/things", content=b"{broken")).status_code == 401
        wrong = await ok.post("/v1/admin/things", json={}, headers={"Authorization": "Bearer x"})
        assert wrong.status_code == 401 and wrong.headers["www-authenticate"] == "Bearer"
        assert (await ok.post("/v1/admin/things", json={"a": 1}, headers=token)).json() == {"a": 1}
        assert (await ok.get("/v1/administrators")).status_code == 404  # not under the gate
        assert (await ok.request("TRACE", "/v1/admin/things")).status_code == 405
        assert (await ok.get("/v1/admin/nothing-here")).status_code == 404
        refused = await off.post("/v1/admin/things", json={}, headers=token)
        assert refused.status_code == 403
        assert refused.json()["type"].endswith("/admin-api-disabled")
