"""The directory API on fake ports: every route reaches its ports through service_of, so
a fake passed to bootstrap is what the routes use (no broker, no database)."""

from __future__ import annotations

import httpx
import pytest

from samleng.routing.adapters.directory import bundled_spec
from samleng.routing.app import bootstrap
from samleng.routing.settings import RoutingSettings
from services.routing.tests.unit.fakes import FakeDirectories

pytestmark = pytest.mark.unit

TOKEN = "t" * 32
ADMIN = {"Authorization": f"Bearer {TOKEN}"}


async def test_admins_load_and_activate_a_version_through_the_ports() -> None:
    directories = FakeDirectories()
    settings = RoutingSettings(environment="test", admin_token=TOKEN)
    app = bootstrap(settings, directories=directories).app
    new = bundled_spec().model_dump(mode="json") | {"version": "pilot-2026.2"}
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://test") as http:
        assert (await http.post("/v1/admin/directory/versions", json=new)).status_code == 401
        loaded = await http.post("/v1/admin/directory/versions", json=new, headers=ADMIN)
        assert loaded.status_code == 201 and loaded.json()["created"] is True
        again = await http.post("/v1/admin/directory/versions", json=new, headers=ADMIN)
        assert again.json()["created"] is False
        url = "/v1/admin/directory/versions/pilot-2099.1/activate"
        assert (await http.post(url, headers=ADMIN)).status_code == 404
        url = "/v1/admin/directory/versions/pilot-2026.2/activate"
        assert (await http.post(url, headers=ADMIN)).status_code == 200
        assert (await http.get("/v1/directory")).json()["version"] == "pilot-2026.2"
        listed = (await http.get("/v1/admin/directory/versions", headers=ADMIN)).json()
    assert directories.active_version == "pilot-2026.2"
    assert {v["version"]: v["active"] for v in listed} == {
        "pilot-2026.1": False,
        "pilot-2026.2": True,
    }
