"""One complaint through the four services (in-process, real RabbitMQ and MongoDB), seen
by an operator: one trace with spans from every service, counters on every ``/metrics``,
and JSON logs that carry trace ids but nothing the citizen wrote."""

from __future__ import annotations

import logging
import re
import uuid
from collections.abc import AsyncIterator, Callable, Iterator
from contextlib import AsyncExitStack
from dataclasses import dataclass, field
from typing import Any

import httpx
import pytest
from opentelemetry import trace
from opentelemetry.sdk.trace import ReadableSpan
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter

from samleng.common import telemetry
from samleng.common.logs import JsonFormatter
from samleng.intake.app import create_app as create_intake
from samleng.intake.settings import IntakeSettings
from samleng.notification.app import create_app as create_notification
from samleng.notification.settings import NotificationSettings
from samleng.reporting.app import create_app as create_reporting
from samleng.reporting.settings import ReportingSettings
from samleng.routing.app import create_app as create_routing
from samleng.routing.settings import RoutingSettings
from tests.support import eventually, recorded_spans, running, settings_for

pytestmark = pytest.mark.integration

MARK = uuid.uuid4().hex[:10]
DESCRIPTION = f"The clerk asked for 50,000 riel more than the fee {MARK}"
COMPLAINT = {
    "kind": "complaint",
    "category": "extra_fee",
    "commune_code": "170201",
    "description": DESCRIPTION,
}
CONSUMER_SPANS = {
    "routing": "routing.case-events process",
    "intake": "intake.case-updates process",
    "notification": "notification.alerts process",
    "reporting": "reporting.statistics process",
}


class _Lines(logging.Handler):
    """Keeps every log record as the JSON line a service would write."""

    def __init__(self) -> None:
        super().__init__()
        self.setFormatter(JsonFormatter("test"))
        self.lines: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        if record.name.startswith("httpx"):
            return  # the test's own client, which logs the URLs it calls
        self.lines.append(self.format(record))


@dataclass
class Run:
    """What an operator can see of one complaint's run."""

    http: dict[str, httpx.AsyncClient]
    spans: InMemorySpanExporter
    logs: list[str]
    tracking_code: str = ""
    trace_id: int = 0
    all_spans: list[ReadableSpan] = field(default_factory=list)


@pytest.fixture(scope="module")
def exporter() -> Iterator[InMemorySpanExporter]:
    """An in-memory exporter on the process's tracer provider (the services' provider)."""
    with recorded_spans() as spans:
        yield spans


@pytest.fixture(scope="module")
async def run(
    stack: Any, exporter: InMemorySpanExporter, fresh_vhost_module: Callable[[], str]
) -> AsyncIterator[Run]:
    """Submit one complaint to the four services and wait until each has handled it."""
    amqp_url = fresh_vhost_module()
    isolated = {"amqp_url": amqp_url}
    apps = {
        "intake": create_intake(
            settings_for(stack, IntakeSettings, "intake", relay_poll_seconds=0.2, **isolated)
        ),
        "routing": create_routing(settings_for(stack, RoutingSettings, "routing", **isolated)),
        "notification": create_notification(
            settings_for(stack, NotificationSettings, "notification", **isolated)
        ),
        "reporting": create_reporting(
            settings_for(stack, ReportingSettings, "reporting", **isolated)
        ),
    }
    lines = _Lines()
    root = logging.getLogger()
    root.addHandler(lines)
    previous_level = root.level
    root.setLevel(logging.INFO)
    try:
        async with AsyncExitStack() as started:
            http = {name: await started.enter_async_context(running(a)) for name, a in apps.items()}
            observed = Run(http=http, spans=exporter, logs=lines.lines)
            answer = await http["intake"].post("/v1/complaints", json=COMPLAINT)
            assert answer.status_code == 202, answer.text
            observed.tracking_code = answer.json()["tracking_code"]
            followed = await http["intake"].get(f"/v1/complaints/{observed.tracking_code}")
            assert followed.status_code == 200, followed.text
            [server] = [
                s
                for s in exporter.get_finished_spans()
                if s.name == "POST /v1/complaints" and s.kind is trace.SpanKind.SERVER
            ]
            observed.trace_id = server.context.trace_id

            async def every_consumer_done() -> list[ReadableSpan] | None:
                mine = [s for s in exporter.get_finished_spans() if _in(s, observed.trace_id)]
                seen = {(_service(s), s.name) for s in mine}
                done = all(pair in seen for pair in CONSUMER_SPANS.items())
                # reporting handles two events: submitted and assigned
                reported = sum(1 for s in mine if s.name == CONSUMER_SPANS["reporting"])
                return mine if done and reported >= 2 else None

            observed.all_spans = await eventually(every_consumer_done, timeout=30)
            yield observed
    finally:
        root.removeHandler(lines)
        root.setLevel(previous_level)


@pytest.fixture(scope="module")
def fresh_vhost_module(stack: Any) -> Iterator[Callable[[], str]]:
    """A vhost of this module's own: nothing else's events reach its consumers."""
    from samleng.devstack import infra

    names: list[str] = []

    def make() -> str:
        name = f"{stack.vhost}-observed-{len(names) + 1}"
        infra.create_vhost(name)
        names.append(name)
        return infra.amqp_url(name)

    yield make
    for name in names:
        infra.delete_vhost(name)


def _in(span: ReadableSpan, trace_id: int) -> bool:
    return span.context is not None and span.context.trace_id == trace_id


def _service(span: ReadableSpan) -> str:
    return str((span.attributes or {}).get(telemetry.SERVICE_ATTRIBUTE, ""))


async def test_one_complaint_is_one_trace_across_the_four_services(run: Run) -> None:
    spans = run.all_spans
    ids = {s.context.span_id for s in spans if s.context is not None}
    roots = [s for s in spans if s.parent is None]
    assert [r.name for r in roots] == ["POST /v1/complaints"]
    # every other span hangs under a span of the same trace: no broken links
    assert all(s.parent.span_id in ids for s in spans if s.parent is not None)

    by_service: dict[str, set[str]] = {}
    for s in spans:
        by_service.setdefault(_service(s), set()).add(s.name)
    assert set(by_service) >= {"intake", "routing", "notification", "reporting"}
    assert "complaint.submitted.v1 publish" in by_service["intake"]  # the outbox relay
    assert "complaint.assigned.v1 publish" in by_service["routing"]
    for service, consumer in CONSUMER_SPANS.items():
        assert consumer in by_service[service]
        assert any(name.startswith("mongodb ") for name in by_service[service]), service

    # the relay publishes from a background task: it joined the request's trace through
    # the context stored with the outbox entry
    [relay_publish] = [s for s in spans if s.name == "complaint.submitted.v1 publish"]
    [server] = roots
    assert relay_publish.parent is not None and relay_publish.parent.span_id == (
        server.context.span_id if server.context else None
    )


async def test_no_span_of_the_complaint_lands_in_another_trace(run: Run) -> None:
    complaint_ids = {
        str(s.attributes.get("samleng.complaint_id"))
        for s in run.all_spans
        if s.attributes and "samleng.complaint_id" in s.attributes
    }
    assert len(complaint_ids) == 1
    [complaint_id] = complaint_ids
    elsewhere = [
        s
        for s in run.spans.get_finished_spans()
        if (s.attributes or {}).get("samleng.complaint_id") == complaint_id
        and not _in(s, run.trace_id)
    ]
    assert elsewhere == []


async def test_spans_hold_no_tracking_code_path_or_text(run: Run) -> None:
    finished = run.spans.get_finished_spans()
    assert any(s.name.startswith("GET /v1/complaints/{") for s in finished)
    values = " ".join(str(v) for s in finished for v in (s.attributes or {}).values())
    assert run.tracking_code not in values and MARK not in values
    scopes = {s.instrumentation_scope.name for s in finished if s.instrumentation_scope}
    assert "fastapi" not in scopes  # one HTTP layer only: ours, which names routes, not paths


async def test_every_service_exposes_its_counters_on_metrics(run: Run) -> None:
    scraped = {name: (await client.get("/metrics")) for name, client in run.http.items()}
    for name, answer in scraped.items():
        assert answer.status_code == 200, name
        assert answer.headers["content-type"].startswith("text/plain"), name
    text = {name: answer.text for name, answer in scraped.items()}

    intake, routing = text["intake"], text["routing"]
    submitted, assigned = "complaint.submitted.v1", "complaint.assigned.v1"
    requests = {"method": "POST", "route": "/v1/complaints", "status": "202"}
    assert _sample(intake, "samleng_http_requests_total", **requests) == 1
    assert _sample(intake, "samleng_events_published_total", routing_key=submitted) == 1
    assert _sample(intake, "samleng_outbox_lag_seconds_count", routing_key=submitted) == 1
    assert _sample(routing, "samleng_events_published_total", routing_key=assigned) == 1
    handled = {
        "routing": ("routing.case-events", "complaint.submitted"),
        "intake": ("intake.case-updates", "complaint.assigned"),
        "notification": ("notification.alerts", "complaint.assigned"),
        "reporting": ("reporting.statistics", "complaint.assigned"),
    }
    for name, (queue, event_type) in handled.items():
        labels = {"queue": queue, "event_type": event_type}
        consumed = _sample(text[name], "samleng_events_consumed_total", outcome="handled", **labels)
        assert consumed >= 1, name
        assert _sample(text[name], "samleng_event_handler_duration_seconds_count", **labels) >= 1
    # every service counts its MongoDB round trips: intake's submission wrote in a
    # transaction, routing inserted the case, every consumer wrote something
    assert _sample(intake, "samleng_mongodb_commands_total", command="commitTransaction") >= 1
    assert _sample(routing, "samleng_mongodb_commands_total", command="insert") >= 1
    for name in handled:
        writes = sum(
            _sample(text[name], "samleng_mongodb_commands_total", command=command)
            for command in ("insert", "update", "findAndModify")
        )
        assert writes >= 1, name
    # each service counts only its own work (no shared registry)
    assert "routing.case-events" not in text["reporting"]
    for name in run.http:
        assert "samleng_escalations_fired" in text[name]
        assert "samleng_notification_failures" in text[name]
        assert "samleng_events_dead_lettered" in text[name]
    # probes and scrapes are not counted as traffic
    assert 'route="/metrics"' not in text["intake"]


async def test_logs_carry_trace_ids_and_nothing_the_citizen_sent(run: Run) -> None:
    logs = "\n".join(run.logs)
    assert run.logs, "the run logged nothing"
    assert MARK not in logs
    assert run.tracking_code not in logs
    assert run.tracking_code.replace("-", "") not in logs
    assert "python-httpx" not in logs and "testclient" not in logs
    assert not re.search(r"\b127\.0\.0\.1\b", logs.replace("127.0.0.1:5672", ""))
    trace_hex = f"{run.trace_id:032x}"
    request_lines = [line for line in run.logs if '"route": "/v1/complaints"' in line]
    assert request_lines and all(trace_hex in line for line in request_lines)


def _sample(exposition: str, name: str, **labels: str) -> float:
    """The value of one sample in Prometheus text, 0 when absent."""
    for line in exposition.splitlines():
        if not line.startswith(name + "{"):
            continue
        found = dict(re.findall(r'(\w+)="([^"]*)"', line[len(name) : line.rindex("}")]))
        if all(found.get(k) == v for k, v in labels.items()):
            return float(line.rsplit(" ", 1)[1])
    return 0.0
