"""One complaint through all four services, each a real process on real RabbitMQ and
MongoDB: submitted over HTTP, assigned by routing, followed in intake, counted in
reporting, notified in notification; and a crash of intake before publishing loses nothing.
"""

from __future__ import annotations

import re
import time
import uuid
from collections.abc import Callable, Iterator
from typing import Any

import httpx
import pytest

pytestmark = pytest.mark.e2e

SERVICES = ("routing", "notification", "reporting")
DESCRIPTION = f"The clerk asked 50,000 riel for a birth certificate {uuid.uuid4().hex[:8]}"


def poll(probe: Callable[[], Any], timeout: float = 20.0) -> Any:
    """Call ``probe`` until it returns something truthy."""
    deadline = time.monotonic() + timeout
    last = None
    while time.monotonic() < deadline:
        last = probe()
        if last:
            return last
        time.sleep(0.2)
    raise AssertionError(f"not reached within {timeout} s; last: {last!r}")


@pytest.fixture(scope="module")
def system(stack: Any, request: pytest.FixtureRequest) -> Iterator[dict[str, Any]]:
    """The four services as processes, on a vhost and databases of their own."""
    from samleng.devstack import infra

    vhost = f"{stack.vhost}-e2e"
    infra.create_vhost(vhost)
    isolated = {"amqp_url": infra.amqp_url(vhost)}
    databases = {s: f"{stack.db_prefix}_e2e_{s}" for s in ("intake", *SERVICES)}
    started: dict[str, Any] = {}
    for name in ("intake", *SERVICES):
        stack.migrate(name, mongo_database=databases[name], **isolated)
        started[name] = stack.start_service(
            name, mongo_database=databases[name], relay_poll_seconds=0.2, **isolated
        )
    yield {"services": started, "isolated": isolated, "databases": databases}
    for service in started.values():
        service.stop()
    infra.delete_vhost(vhost)


def submit(intake_url: str) -> str:
    answer = httpx.post(
        f"{intake_url}/v1/complaints",
        json={
            "kind": "complaint",
            "category": "extra_fee",
            "commune_code": "170201",
            "description": DESCRIPTION,
        },
        timeout=10,
    )
    assert answer.status_code == 202, answer.text
    return str(answer.json()["tracking_code"])


def case(intake_url: str, code: str) -> dict[str, Any]:
    return dict(httpx.get(f"{intake_url}/v1/complaints/{code}", timeout=10).json())


def test_one_complaint_reaches_every_service(stack: Any, system: dict[str, Any]) -> None:
    services = system["services"]
    intake = services["intake"].url
    code = submit(intake)

    assigned = poll(lambda: (c := case(intake, code))["status"] == "assigned" and c)
    assert assigned["office"]["name_en"] == "Chub Ta Trav commune/sangkat office"
    assert [step["status"] for step in assigned["timeline"]] == ["submitted", "assigned"]

    summary = poll(
        lambda: (
            (s := httpx.get(f"{services['reporting'].url}/v1/stats/summary").json())["in_progress"]
            >= 1
            and s
        )
    )
    assert summary["received"] >= 1

    feed_url = f"{services['notification'].url}/v1/offices/commune:170201/notifications"
    token = stack.issuer.token("officer-e2e", ["officer"], ["commune:170201"])
    signed_in = {"Authorization": f"Bearer {token}"}
    assert httpx.get(feed_url).status_code == 401  # the feed is for the office's officers
    alerts = poll(lambda: httpx.get(feed_url, headers=signed_in).json()["alerts"])
    assert alerts[0]["title"]["km"].startswith("ករណីថ្មី")


def test_killing_intake_before_it_publishes_loses_nothing(
    stack: Any, system: dict[str, Any]
) -> None:
    services = system["services"]
    services["intake"].stop()
    silent = stack.start_service(
        "intake",
        mongo_database=system["databases"]["intake"],
        relay_enabled="false",
        **system["isolated"],
    )
    code = submit(silent.url)
    silent.kill()  # SIGKILL between the database write and any publish

    revived = stack.start_service(
        "intake",
        mongo_database=system["databases"]["intake"],
        relay_poll_seconds=0.2,
        **system["isolated"],
    )
    services["intake"] = revived
    assigned = poll(lambda: (c := case(revived.url, code))["status"] == "assigned" and c)
    assert assigned["office"]["level"] == "commune"


def test_services_stop_gracefully_and_log_nothing_personal(
    stack: Any, system: dict[str, Any]
) -> None:
    services = system["services"]
    code = submit(services["intake"].url)
    poll(lambda: case(services["intake"].url, code)["status"] == "assigned")
    for service in services.values():
        assert service.stop(), f"{service.name} did not stop within the grace period"
        log = service.read_log()
        assert "service stopped" in log
        for secret in (DESCRIPTION, code, code.replace("-", "")):
            assert secret not in log, f"{service.name} logged {secret!r}"
        # an access-log line ("127.0.0.1:53412 - \"GET ...") would record the client address
        assert not re.search(r"\d+\.\d+\.\d+\.\d+:\d+ - \"", log), f"{service.name} logged a client"
