"""Fixtures of reporting's real tier: a vhost of its own, and one generated history loaded
once into reporting over real RabbitMQ and MongoDB (shared by the tests of the session)."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator, Callable, Iterator
from typing import Any

import pytest
from pymongo.asynchronous.database import AsyncDatabase

from samleng.common.mongo import make_mongo_client
from samleng.devstack import infra
from samleng.reporting.app import create_app
from samleng.reporting.settings import ReportingSettings
from services.reporting.tests.integration import helpers
from services.reporting.tests.integration.delivery import deliver, delivery, outputs
from tests.support import running, settings_for


@pytest.fixture(scope="session")
def reporting_vhost(stack: Any) -> Iterator[Callable[[], str]]:
    """Makes vhosts of their own for tests that count everything on the broker."""
    names: list[str] = []

    def make() -> str:
        name = f"{stack.vhost}-reporting-{uuid.uuid4().hex[:6]}"
        infra.create_vhost(name)
        names.append(name)
        return infra.amqp_url(name)

    yield make
    for name in names:
        infra.delete_vhost(name)


@pytest.fixture
async def reporting_db(stack: Any) -> AsyncIterator[AsyncDatabase[dict[str, Any]]]:
    """A database of reporting's own for one test, dropped after it."""
    settings = settings_for(stack, ReportingSettings, "reporting")
    client = make_mongo_client(settings)
    try:
        yield client[settings.mongo_database]
    finally:
        await client.drop_database(settings.mongo_database)
        await client.close()


@pytest.fixture(scope="session")
def sign_in(stack: Any) -> Callable[..., dict[str, str]]:
    """Headers of a signed-in user: ``sign_in(roles, offices)`` mints a token from the
    session's issuer (extra keyword arguments go to ``stack.issuer.token``)."""

    def headers(roles: list[str], offices: list[str] | None = None, **token: Any) -> dict[str, str]:
        subject = f"user-{uuid.uuid4().hex[:8]}"
        return {"Authorization": f"Bearer {stack.issuer.token(subject, roles, offices, **token)}"}

    return headers


@pytest.fixture(scope="session")
async def delivered(
    stack: Any, reporting_vhost: Callable[[], str], sign_in: Callable[..., dict[str, str]]
) -> dict[str, Any]:
    """The history delivered twice (two orders, duplicates) to two databases; full detail
    is read, here and by the tests, as the national analyst ``delivered["analyst"]``."""
    events, truths = helpers.generate(240, seed=11)
    analyst = sign_in(["national_analyst"], lifetime_seconds=4 * 3600)
    amqp_url = reporting_vhost()
    results = []
    for seed in (1, 2):
        settings = settings_for(
            stack,
            ReportingSettings,
            "reporting",
            amqp_url=amqp_url,
            prefetch_count=32,
            publish_interval_seconds=0.2,
        )
        async with running(create_app(settings)) as http:
            await deliver(settings, amqp_url, delivery(events, seed))
            results.append((settings, await outputs(http, analyst)))
    return {
        "events": events,
        "truths": truths,
        "runs": results,
        "amqp_url": amqp_url,
        "analyst": analyst,
    }
