"""Directory administration on the real database: the admin API (bearer token) and the
CLI load, validate, diff and activate versions; new cases record the version that
routed them."""

from __future__ import annotations

import json
import secrets
import subprocess
import sys
from pathlib import Path
from typing import Any

import aio_pika
import pytest
from pymongo import AsyncMongoClient

from samleng.routing.adapters.directory import DirectoryStore, bundled_spec
from samleng.routing.app import create_app
from samleng.routing.domain.spec import DirectorySpec
from samleng.routing.entrypoints.cli import run_directory_cli
from samleng.routing.settings import RoutingSettings
from services.routing.tests.integration.helpers import case_record, submitted, tap_all
from tests.support import eventually, publish_event, running, settings_for

pytestmark = pytest.mark.integration

TOKEN = secrets.token_hex(16)
ADMIN = {"Authorization": f"Bearer {TOKEN}"}


def koh_kong_switched_on() -> dict[str, Any]:
    """The pilot plus Koh Kong (09), as a new version."""
    spec = bundled_spec().model_dump(mode="json")
    spec["version"] = "pilot-2026.2"
    spec["served_provinces"] = [*spec["served_provinces"], "09"]
    return spec


async def test_admins_load_diff_and_activate_a_version_that_then_routes(
    stack: Any, amqp: aio_pika.abc.AbstractChannel
) -> None:
    settings = settings_for(stack, RoutingSettings, "routing", admin_token=TOKEN)
    feed = await tap_all(amqp)
    async with running(create_app(settings)) as http:
        assert (await http.get("/v1/admin/directory/versions")).status_code == 401
        wrong = {"Authorization": "Bearer nope"}
        assert (await http.get("/v1/admin/directory/versions", headers=wrong)).status_code == 401

        broken = {**koh_kong_switched_on(), "served_provinces": ["99"]}
        answer = await http.post("/v1/admin/directory/validate", json=broken, headers=ADMIN)
        assert (
            answer.status_code == 422 and "'99' is not in the gazetteer" in answer.json()["detail"]
        )

        new = koh_kong_switched_on()
        assert (await http.post("/v1/admin/directory/validate", json=new, headers=ADMIN)).json()[
            "valid"
        ]
        loaded = await http.post("/v1/admin/directory/versions", json=new, headers=ADMIN)
        assert loaded.status_code == 201 and loaded.json()["created"] is True
        changed = {**new, "description": "edited without a new version"}
        conflict = await http.post("/v1/admin/directory/versions", json=changed, headers=ADMIN)
        assert conflict.status_code == 409

        diff = await http.get(
            "/v1/admin/directory/diff",
            params={"from_version": "pilot-2026.1", "to_version": "pilot-2026.2"},
            headers=ADMIN,
        )
        assert diff.json()["provinces_switched_on"] == ["09"]

        cause = submitted("090101")
        await publish_event(amqp, cause)
        [before] = await feed.wait(cause.complaint_id, "complaint.assigned")
        activated = await http.post(
            "/v1/admin/directory/versions/pilot-2026.2/activate", headers=ADMIN
        )
        assert activated.status_code == 200
        assert (await http.get("/v1/directory")).json()["version"] == "pilot-2026.2"
        later = submitted("090101")
        await publish_event(amqp, later)
        [after] = await feed.wait(later.complaint_id, "complaint.assigned")
    assert before.data.not_yet_served and before.data.directory_version == "pilot-2026.1"  # type: ignore[attr-defined]
    assert after.data.office.office_id == "commune:090101"  # type: ignore[attr-defined]
    assert after.data.directory_version == "pilot-2026.2"  # type: ignore[attr-defined]
    record = await case_record(settings, later.complaint_id)
    assert record is not None and record["directory_version"] == "pilot-2026.2"


async def test_the_admin_api_is_off_without_a_token(stack: Any) -> None:
    settings = settings_for(stack, RoutingSettings, "routing")
    async with running(create_app(settings)) as http:
        answer = await http.get("/v1/admin/directory/versions", headers=ADMIN)
    assert answer.status_code == 403 and "SAMLENG_ADMIN_TOKEN" in answer.json()["detail"]


def test_production_refuses_an_empty_admin_token() -> None:
    with pytest.raises(ValueError, match="SAMLENG_ADMIN_TOKEN"):
        RoutingSettings(environment="production", admin_token="")


def test_the_cli_validates_loads_diffs_and_activates(
    stack: Any, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    settings = settings_for(stack, RoutingSettings, "routing")
    new = tmp_path / "directory.json"
    new.write_text(json.dumps(koh_kong_switched_on()), encoding="utf-8")
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps({**koh_kong_switched_on(), "sla": {}}), encoding="utf-8")

    assert run_directory_cli(["validate", str(new)], settings) == 0
    assert run_directory_cli(["validate", str(bad)], settings) == 1
    assert "sla.default" in capsys.readouterr().err
    assert run_directory_cli(["load", str(new), "--activate"], settings) == 0
    assert run_directory_cli(["activate", "pilot-2099.9"], settings) == 1
    capsys.readouterr()
    assert run_directory_cli(["diff", "pilot-2026.1", str(new)], settings) == 1  # 2026.1 unloaded
    env = {**stack.env_for("routing"), "SAMLENG_MONGO_DATABASE": settings.mongo_database}
    migrate = subprocess.run(
        [sys.executable, "-m", "samleng.routing", "migrate"],
        env=env,
        capture_output=True,
        check=False,
    )
    assert migrate.returncode == 0, migrate.stderr
    listed = subprocess.run(
        [sys.executable, "-m", "samleng.routing", "directory", "list"],
        env=env,
        capture_output=True,
        check=True,
        text=True,
    )
    versions = {v["version"]: v["active"] for v in json.loads(listed.stdout)}
    # migrate loads the pilot but never takes over from a version an admin activated
    assert versions == {"pilot-2026.2": True, "pilot-2026.1": False}
    assert run_directory_cli(["diff", "pilot-2026.1", "pilot-2026.2"], settings) == 0
    assert json.loads(capsys.readouterr().out)["provinces_switched_on"] == ["09"]


async def test_replicas_follow_an_activation_elsewhere_within_their_refresh(stack: Any) -> None:
    settings = settings_for(stack, RoutingSettings, "routing")
    client: AsyncMongoClient[dict[str, Any]] = AsyncMongoClient(
        settings.mongo_url.get_secret_value(), tz_aware=True
    )
    try:
        db = client[settings.mongo_database]
        slow, quick, cli = (
            DirectoryStore(db, refresh_seconds=3600),
            DirectoryStore(db, refresh_seconds=0.2),
            DirectoryStore(db),
        )
        await cli.ensure_bundled()
        assert {(await s.active()).version for s in (slow, quick)} == {"pilot-2026.1"}
        new = DirectorySpec.model_validate(koh_kong_switched_on())
        await cli.load(new)
        await cli.activate(new.version)

        async def followed() -> bool:
            return (await quick.active()).version == new.version

        await eventually(followed)
        # a replica keeps what it read until its refresh is due...
        assert (await slow.active()).version == "pilot-2026.1"
        # ...but an activation through the replica itself takes effect at once
        await slow.activate(new.version)
        assert (await slow.active()).version == new.version
    finally:
        await client.close()
