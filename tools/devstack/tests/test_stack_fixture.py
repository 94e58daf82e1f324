"""The session ``stack`` fixture isolates each session and builds complete settings."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from samleng.devstack.devenv import GENERATED_KEYS, read_env_file, service_env
from samleng.devstack.paths import LocalPaths
from samleng.devstack.pytest_plugin import SessionStack


@pytest.mark.integration
def test_session_vhost_exists(stack: SessionStack) -> None:
    listed = subprocess.run(
        ["rabbitmqctl", "-q", "list_vhosts", "name"], capture_output=True, text=True, check=True
    )
    assert stack.vhost in listed.stdout.split()
    assert stack.amqp_url.endswith(f"/{stack.vhost}")


@pytest.mark.integration
def test_env_for_gives_each_service_its_own_database_and_port(stack: SessionStack) -> None:
    intake, routing = stack.env_for("intake"), stack.env_for("routing", log_level="DEBUG")
    assert intake["SAMLENG_ENVIRONMENT"] == "test"
    assert intake["SAMLENG_MONGO_DATABASE"] == f"{stack.db_prefix}_intake"
    assert routing["SAMLENG_MONGO_DATABASE"] == f"{stack.db_prefix}_routing"
    assert intake["SAMLENG_HTTP_PORT"] != routing["SAMLENG_HTTP_PORT"]
    assert intake["SAMLENG_TRACKING_CODE_KEY"] and intake["SAMLENG_ENCRYPTION_KEY"]
    assert "SAMLENG_ENCRYPTION_KEY" not in routing
    assert routing["SAMLENG_LOG_LEVEL"] == "DEBUG"
    # The env of a running service can be passed back to restart it identically.
    assert stack.env_for("intake", **intake) == intake


@pytest.mark.unit
def test_env_for_rejects_unknown_services() -> None:
    with pytest.raises(ValueError, match="unknown service"):
        SessionStack("v", "p", LocalPaths.default().home).env_for("billing")


@pytest.mark.unit
def test_dev_env_keys_are_generated_once(tmp_path: Path) -> None:
    paths = LocalPaths(tmp_path)
    held = set()
    for service in ("intake", "web"):
        first = service_env(service, paths)
        second = service_env(service, paths)
        for key in set(GENERATED_KEYS) & set(first):
            assert first[key] == second[key]
            assert read_env_file(paths.dev_env)[key] == first[key]
            held.add(key)
    assert held == set(GENERATED_KEYS)
    web, intake = service_env("web", paths), service_env("intake", paths)
    assert "SAMLENG_ENCRYPTION_KEY" not in web and "SAMLENG_SESSION_KEY" not in intake
    assert not set(GENERATED_KEYS) & set(service_env("routing", paths))


@pytest.mark.unit
def test_per_service_env_file_overrides(tmp_path: Path) -> None:
    paths = LocalPaths(tmp_path)
    (tmp_path / "dev.env").write_text("SAMLENG_LOG_LEVEL=DEBUG\n")
    (tmp_path / "dev.reporting.env").write_text("# comment\nSAMLENG_HTTP_PORT='9003'\n")
    env = service_env("reporting", paths)
    assert env["SAMLENG_LOG_LEVEL"] == "DEBUG"
    assert env["SAMLENG_HTTP_PORT"] == "9003"
    assert service_env("routing", paths)["SAMLENG_HTTP_PORT"] == "8001"
    # make run starts with the illustrative pilot footprint (docs/routing.md)
    assert service_env("routing", paths)["SAMLENG_INITIAL_DIRECTORY"] == "our-voice-pilot.json"


@pytest.mark.unit
def test_the_first_message_to_a_contact_links_to_the_dev_webs_confirmation_page(
    tmp_path: Path,
) -> None:
    paths = LocalPaths(tmp_path)
    notification = service_env("notification", paths)
    web = service_env("web", paths)
    assert notification["SAMLENG_CONFIRMATION_URL"] == (
        f"http://{web['SAMLENG_HTTP_HOST']}:{web['SAMLENG_HTTP_PORT']}/confirm"
    )
    (tmp_path / "dev.notification.env").write_text("SAMLENG_CONFIRMATION_URL=https://x/confirm\n")
    assert service_env("notification", paths)["SAMLENG_CONFIRMATION_URL"] == "https://x/confirm"
