"""Telemetry helpers on their own: context propagation, spans that never change the host's
behaviour, trace ids in log lines, and per-service metrics."""

from __future__ import annotations

import json
import logging
import uuid
from collections.abc import Iterator

import pytest
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
from opentelemetry.trace import StatusCode

from samleng.common import telemetry
from samleng.common.logs import JsonFormatter
from samleng.common.metrics import ServiceMetrics
from tests.support import recorded_spans

pytestmark = pytest.mark.unit


@pytest.fixture
def spans() -> Iterator[InMemorySpanExporter]:
    with recorded_spans() as exporter:
        yield exporter


def test_a_context_injected_into_headers_is_continued_on_the_other_side(
    spans: InMemorySpanExporter,
) -> None:
    with telemetry.span("intake", "outer", kind=telemetry.SpanKind.PRODUCER):
        headers = telemetry.inject({"x-other": "kept"})
    assert headers["x-other"] == "kept" and headers["traceparent"].startswith("00-")
    with telemetry.span("routing", "inner", parent=telemetry.extract(headers)):
        pass
    outer, inner = sorted(spans.get_finished_spans(), key=lambda s: s.name != "outer")
    assert inner.context is not None and outer.context is not None
    assert inner.context.trace_id == outer.context.trace_id
    assert inner.parent is not None and inner.parent.span_id == outer.context.span_id
    assert (inner.attributes or {})[telemetry.SERVICE_ATTRIBUTE] == "routing"


def test_no_headers_means_no_parent() -> None:
    assert telemetry.extract(None) is None
    assert telemetry.extract({"content-type": "application/json"}) is None


def test_the_body_s_error_propagates_and_is_recorded_by_type_only(
    spans: InMemorySpanExporter,
) -> None:
    with (
        pytest.raises(ValueError, match="citizen text"),
        telemetry.span("intake", "failing"),
    ):
        raise ValueError("citizen text")
    [failed] = spans.get_finished_spans()
    assert failed.status.status_code is StatusCode.ERROR
    assert failed.status.description == "ValueError"
    assert not failed.events  # no exception event carrying the message


def test_a_telemetry_failure_is_swallowed_and_logged_once(
    caplog: pytest.LogCaptureFixture,
) -> None:
    place = f"test-{uuid.uuid4()}"
    with caplog.at_level(logging.WARNING, logger="samleng.common.telemetry"):
        for _ in range(3):
            with telemetry.guarded(place):
                raise RuntimeError("exporter down")
    warnings = [r for r in caplog.records if "telemetry failed" in r.getMessage()]
    assert len(warnings) == 1


def test_a_broken_command_event_never_reaches_the_database_caller() -> None:
    listener = telemetry.MongoCommandSpans("intake")
    broken = object()  # not a command event: every attribute access fails
    with telemetry.span("intake", "request"):
        listener.started(broken)  # type: ignore[arg-type]
        listener.succeeded(broken)  # type: ignore[arg-type]
        listener.failed(broken)  # type: ignore[arg-type]


def test_log_lines_carry_the_trace_and_span_ids_inside_a_span(
    spans: InMemorySpanExporter,
) -> None:
    formatter = JsonFormatter("intake")

    def line() -> dict[str, str]:
        record = logging.LogRecord("samleng.test", logging.INFO, __file__, 1, "hi", None, None)
        return dict(json.loads(formatter.format(record)))

    assert "trace_id" not in line()
    with telemetry.span("intake", "request") as current:
        inside = line()
    assert current is not None
    assert inside["trace_id"] == f"{current.get_span_context().trace_id:032x}"
    assert inside["span_id"] == f"{current.get_span_context().span_id:016x}"


def test_each_service_counts_in_its_own_registry() -> None:
    notification, reporting = ServiceMetrics("notification"), ServiceMetrics("reporting")
    notification.notification_failed(channel="sms", reason="gateway-timeout")
    notification.notification_failed(channel="sms", reason="gateway-timeout")
    exposed = notification.exposition().decode()
    assert (
        'samleng_notification_failures_total{channel="sms",reason="gateway-timeout"} 2.0' in exposed
    )
    assert "gateway-timeout" not in reporting.exposition().decode()


def test_the_standard_otlp_variables_name_the_exporter_endpoint(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.delenv("OTEL_EXPORTER_OTLP_TRACES_ENDPOINT", raising=False)
    monkeypatch.setenv("OTEL_EXPORTER_OTLP_ENDPOINT", "http://collector:4318")
    assert telemetry._standard_endpoint() == "http://collector:4318"
    assert telemetry.exporter_url("http://collector:4318") == "http://collector:4318/v1/traces"
    monkeypatch.setenv("OTEL_EXPORTER_OTLP_TRACES_ENDPOINT", "http://tempo:4318/otlp/traces")
    assert telemetry._standard_endpoint() == "http://tempo:4318/otlp/traces"
    # a signal-specific endpoint is the full URL, taken as given
    assert telemetry.exporter_url("http://tempo:4318/otlp/traces") == (
        "http://tempo:4318/otlp/traces"
    )


def test_command_spans_are_made_only_when_spans_go_somewhere(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    provider = TracerProvider()
    monkeypatch.setattr(telemetry.trace, "get_tracer_provider", lambda: provider)
    assert not telemetry.spans_kept()  # trace ids only: no command span is worth making
    provider.add_span_processor(SimpleSpanProcessor(InMemorySpanExporter()))
    assert telemetry.spans_kept()


def test_while_no_span_goes_anywhere_spans_only_carry_the_trace_on(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    provider = TracerProvider()
    monkeypatch.setattr(telemetry.trace, "get_tracer_provider", lambda: provider)
    sender = "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01"
    with telemetry.span(
        "routing", "consume", parent=telemetry.extract({"traceparent": sender})
    ) as s:
        assert s is not None and not s.is_recording()
        headers = telemetry.trace_headers()
        with telemetry.span("routing", "publish") as inner:
            assert inner is not None
            inner_ids = inner.get_span_context()
    _, trace_id, span_id, flags = headers["traceparent"].split("-")
    assert trace_id == "0af7651916cd43dd8448eb211c80319c" and flags == "01"
    assert span_id != "b7ad6b7169203331"  # a span id of its own
    assert f"{inner_ids.trace_id:032x}" == trace_id and f"{inner_ids.span_id:016x}" != span_id
    with telemetry.span("intake", "POST /v1/complaints"):  # no parent: a new trace
        fresh = telemetry.trace_headers()["traceparent"].split("-")
    assert fresh[1] != trace_id and int(fresh[1], 16) != 0 and fresh[3] == "01"
