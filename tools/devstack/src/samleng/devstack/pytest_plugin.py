"""Pytest fixtures for tests against real RabbitMQ, MongoDB and service processes.

Enabled by the root ``conftest.py`` (``pytest_plugins = ["samleng.devstack.pytest_plugin"]``).

    def test_submit(stack):
        intake = stack.start_service("intake")
        httpx.post(f"{intake.url}/v1/complaints", json=...)

Each pytest session gets its own RabbitMQ vhost (``test-<hex8>``) and database prefix
(``t<hex8>``); both are deleted at the end of the session, so sessions never see each
other's queues or documents. Infrastructure that is not running is started once per session
and left running (``python -m samleng.devstack down`` stops it).
"""

from __future__ import annotations

import itertools
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

from samleng.devstack import infra, keys, services
from samleng.devstack.issuer import DevIssuer
from samleng.devstack.net import LOOPBACK, free_port
from samleng.devstack.services import RunningService


def _env_key(name: str) -> str:
    upper = name.upper()
    return upper if upper.startswith("SAMLENG_") else f"SAMLENG_{upper}"


class SessionStack:
    """Isolated infrastructure of one pytest session, and the services started on it."""

    def __init__(self, vhost: str, db_prefix: str, log_dir: Path) -> None:
        self.vhost = vhost
        self.db_prefix = db_prefix
        self.log_dir = log_dir
        self.amqp_url = infra.amqp_url(vhost)
        self.mongo_url = infra.mongo_url()
        # One set of keys per session, so a restarted intake can read what it wrote.
        self.secrets = keys.generate()
        # The session's identity provider: tests mint officer tokens with ``stack.issuer``.
        self.issuer = DevIssuer.generate()
        self.services: list[RunningService] = []
        self._counter = itertools.count(1)

    def env_for(self, service: str, **overrides: object) -> dict[str, str]:
        """Return the full SAMLENG_* settings of ``service`` for this session.

        Overrides take either the setting name (``log_level="DEBUG"``) or the full variable
        name (``SAMLENG_HTTP_PORT="8123"``), so ``**old_service.env`` can be passed back.
        """
        if service not in services.SERVICES:
            raise ValueError(f"unknown service {service!r}; expected one of {services.SERVICES}")
        env = {
            "SAMLENG_ENVIRONMENT": "test",
            "SAMLENG_AMQP_URL": self.amqp_url,
            "SAMLENG_MONGO_URL": self.mongo_url,
            "SAMLENG_MONGO_DATABASE": f"{self.db_prefix}_{service}",
            "SAMLENG_HTTP_HOST": LOOPBACK,
            "SAMLENG_HTTP_PORT": str(free_port()),
            "SAMLENG_LOG_LEVEL": "INFO",
        }
        env.update(keys.for_service(service, self.secrets))
        env.update(self.issuer.settings_env())
        env.update({_env_key(key): str(value) for key, value in overrides.items()})
        return env

    def start_service(
        self, service: str, ready_timeout: float = services.READY_TIMEOUT, **overrides: object
    ) -> RunningService:
        """Start ``service`` as a process with this session's settings; wait until ready."""
        env = self.env_for(service, **overrides)
        log_path = self.log_dir / f"{service}-{next(self._counter)}.log"
        running = services.start_service(service, env, log_path, ready_timeout)
        self.services.append(running)
        return running

    def migrate(self, service: str, **overrides: object) -> None:
        """Run ``python -m samleng.<service> migrate`` against this session's database."""
        env = self.env_for(service, **overrides)
        log_path = self.log_dir / f"{service}-migrate-{next(self._counter)}.log"
        services.migrate(service, env, log_path)

    def close(self) -> None:
        """Stop all services, delete the vhost and drop the session's databases."""
        errors: list[BaseException] = []
        for running in reversed(self.services):
            try:
                running.stop()
            except Exception as error:  # keep tearing down; reported below
                errors.append(error)
        self.services.clear()
        for cleanup in (
            lambda: infra.delete_vhost(self.vhost),
            lambda: infra.drop_databases(self.db_prefix),
        ):
            try:
                cleanup()
            except Exception as error:
                errors.append(error)
        if errors:
            raise RuntimeError(f"stack teardown failed: {errors!r}") from errors[0]


@pytest.fixture(scope="session")
def stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[SessionStack]:
    """A session-wide isolated stack on the real RabbitMQ and MongoDB."""
    infra.ensure_infra()
    suffix = uuid.uuid4().hex[:8]
    session = SessionStack(
        vhost=f"test-{suffix}",
        db_prefix=f"t{suffix}",
        log_dir=tmp_path_factory.mktemp("service-logs"),
    )
    infra.create_vhost(session.vhost)
    try:
        yield session
    finally:
        session.close()
