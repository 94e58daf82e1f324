"""OpenTelemetry tracing: one trace per complaint, across HTTP, the outbox and the broker.

Every service gets an SDK tracer provider from :func:`configure` (called by
``ServiceRuntime``; idempotent), so trace ids exist, propagate and appear in the logs even
when nothing is exported. Spans are exported by OTLP/HTTP only when
``SAMLENG_OTEL_EXPORTER_OTLP_ENDPOINT`` is set (e.g. ``http://otel-collector:4318``)::

    configure(settings)
    with span("intake", "POST /v1/complaints", kind=SpanKind.SERVER, parent=extract(headers)):
        headers = trace_headers()     # W3C traceparent of the current span, to store or send

How one complaint becomes one trace: the HTTP middleware opens the server span; intake
stores :func:`trace_headers` beside the outbox entry; the relay passes them back to
``EventPublisher.publish``, which opens a producer span under them and injects its own
``traceparent`` into the message headers; the inbox (``samleng.common.inbox``) extracts
it and opens the consumer span, under which the handler's writes
(:class:`MongoCommandSpans`) and publishes happen, and so on down the chain.

Telemetry never breaks the host: a failure inside this module is swallowed and logged
once per place. Spans carry no personal data: no request paths, no bodies, no command
documents, and errors are recorded by exception type only.
"""

from __future__ import annotations

import contextlib
import functools
import logging
import os
import threading
from collections.abc import Callable, Iterator, Mapping
from typing import Any

from opentelemetry import context as otel_context
from opentelemetry import trace
from opentelemetry.sdk.resources import Resource
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import BatchSpanProcessor
from opentelemetry.sdk.trace.id_generator import RandomIdGenerator
from opentelemetry.trace import (
    NonRecordingSpan,
    Span,
    SpanContext,
    SpanKind,
    Status,
    StatusCode,
    TraceFlags,
)
from opentelemetry.trace.propagation.tracecontext import TraceContextTextMapPropagator
from pymongo import monitoring

from samleng.common.settings import ServiceSettings

log = logging.getLogger(__name__)

SERVICE_ATTRIBUTE = "samleng.service"
TRACEPARENT = "traceparent"
TRACESTATE = "tracestate"

_propagator = TraceContextTextMapPropagator()
_ids = RandomIdGenerator()
_lock = threading.Lock()
_exporting_to: set[str] = set()
_reported: set[str] = set()

__all__ = [
    "SERVICE_ATTRIBUTE",
    "MongoCommandSpans",
    "SpanKind",
    "configure",
    "disable_native_http_telemetry",
    "extract",
    "guarded",
    "inject",
    "span",
    "spans_kept",
    "trace_headers",
    "tracer",
]


@contextlib.contextmanager
def guarded(where: str) -> Iterator[None]:
    """Swallow a telemetry failure, logging it once per ``where``; the host goes on."""
    try:
        yield
    except Exception:
        if where not in _reported:
            _reported.add(where)
            log.warning("telemetry failed; going on without it", exc_info=True)


def configure(settings: ServiceSettings) -> None:
    """Install the SDK tracer provider (once per process) and OTLP export if configured."""
    with guarded("configure"), _lock:
        provider = trace.get_tracer_provider()
        if not isinstance(provider, TracerProvider):
            name = os.environ.get("OTEL_SERVICE_NAME") or f"samleng-{settings.service_name}"
            provider = TracerProvider(resource=Resource.create({"service.name": name}))
            trace.set_tracer_provider(provider)
        endpoint = settings.otel_exporter_otlp_endpoint.strip() or _standard_endpoint()
        if endpoint and endpoint not in _exporting_to:
            provider.add_span_processor(BatchSpanProcessor(_otlp_exporter(endpoint)))
            _exporting_to.add(endpoint)
            log.info("exporting traces by OTLP", extra={"service": settings.service_name})


def _standard_endpoint() -> str:
    """The OpenTelemetry standard variables, when SAMLENG_OTEL_EXPORTER_OTLP_ENDPOINT is unset."""
    traces = os.environ.get("OTEL_EXPORTER_OTLP_TRACES_ENDPOINT", "").strip()
    if traces:
        return traces  # a signal-specific endpoint is used as given
    return os.environ.get("OTEL_EXPORTER_OTLP_ENDPOINT", "").strip()


def _otlp_exporter(endpoint: str) -> Any:
    # Imported here so a process that never exports never loads protobuf.
    from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter

    return OTLPSpanExporter(endpoint=exporter_url(endpoint))


def exporter_url(endpoint: str) -> str:
    """The traces URL of an OTLP/HTTP endpoint (``/v1/traces`` added to a base address)."""
    if endpoint == os.environ.get("OTEL_EXPORTER_OTLP_TRACES_ENDPOINT", "").strip():
        return endpoint
    url = endpoint.rstrip("/")
    return url if url.endswith("/v1/traces") else url + "/v1/traces"


def disable_native_http_telemetry(app: Any) -> None:
    """Switch off FastAPI's own request telemetry (``FastAPI(telemetry=...)``) for ``app``.

    FastAPI >= 0.16x traces every request by itself once an SDK provider exists; its
    spans record ``url.path`` (which can hold a tracking code) and it would be a second
    layer beside ``RouteLogMiddleware``, which names spans by route template only.
    """
    with guarded("fastapi-telemetry"):
        config = getattr(app, "_telemetry", None)
        if isinstance(config, dict):
            for signal in ("tracing", "metrics", "logs", "operation_spans"):
                config[signal] = False


@functools.cache
def tracer(service: str) -> trace.Tracer:
    """The tracer of one service (its instrumentation scope is ``samleng.<service>``).

    Made once per service: a tracer got before :func:`configure` is a proxy that follows
    the provider installed later, and making one per span cost as much as the span.
    """
    return trace.get_tracer(f"samleng.{service}")


def spans_kept() -> bool:
    """Whether a finished span goes anywhere: an exporter, or a test's span processor.

    Without one, the SDK provider still makes the spans that carry trace ids into logs and
    messages, but a span that only a processor would ever see is not worth its cost.
    """
    provider = trace.get_tracer_provider()
    processors = getattr(
        getattr(provider, "_active_span_processor", None), "_span_processors", None
    )
    return processors is None or bool(processors)


def extract(carrier: Mapping[str, Any] | None) -> otel_context.Context | None:
    """The trace context carried by message or request headers, if any."""
    if not carrier:
        return None
    with guarded("extract"):
        values = {k: str(v) for k, v in carrier.items() if k in (TRACEPARENT, TRACESTATE)}
        if values:
            return _propagator.extract(values)
    return None


def inject(headers: dict[str, Any]) -> dict[str, Any]:
    """Add the current span's ``traceparent`` (and ``tracestate``) to ``headers``."""
    with guarded("inject"):
        carrier: dict[str, str] = {}
        _propagator.inject(carrier)
        headers.update(carrier)
    return headers


def trace_headers() -> dict[str, str]:
    """The current trace context as W3C headers, to store beside work done later."""
    return {k: str(v) for k, v in inject({}).items()}


@contextlib.contextmanager
def span(
    service: str,
    name: str,
    *,
    kind: SpanKind = SpanKind.INTERNAL,
    parent: otel_context.Context | None = None,
    attributes: Mapping[str, str | int | float | bool] | None = None,
) -> Iterator[Span | None]:
    """Run the body inside a new current span; its errors propagate, telemetry's never do.

    While no span goes anywhere (:func:`spans_kept`), the span is a non-recording one that
    only carries ids: the trace id of ``parent`` (or a new one) and a span id of its own,
    so logs and outgoing messages still name the trace, at a fraction of a recorded
    span's cost (issue #19: recorded spans nobody received were 7% of routing's CPU).
    """
    opened: Span | None = None
    token: object | None = None
    with guarded("span-start"):
        if spans_kept():
            opened = tracer(service).start_span(
                name,
                context=parent,
                kind=kind,
                attributes={SERVICE_ATTRIBUTE: service, **(attributes or {})},
            )
        else:
            opened = _carrier_span(parent)
        token = otel_context.attach(trace.set_span_in_context(opened))
    try:
        yield opened
    except BaseException as exc:
        if opened is not None:
            with guarded("span-error"):
                # The type only: a message could quote what a citizen wrote.
                opened.set_status(Status(StatusCode.ERROR, type(exc).__name__))
        raise
    finally:
        with guarded("span-end"):
            if token is not None:
                otel_context.detach(token)
            if opened is not None:
                opened.end()


def _carrier_span(parent: otel_context.Context | None) -> Span:
    """A span that records nothing and carries the trace on: ``parent``'s trace (or the
    current one, or a new one), its sampling flag, and a span id of its own."""
    above = trace.get_current_span(parent).get_span_context()
    if above.is_valid:
        trace_id, flags = above.trace_id, above.trace_flags
    else:
        trace_id, flags = _ids.generate_trace_id(), TraceFlags(TraceFlags.SAMPLED)
    return NonRecordingSpan(
        SpanContext(trace_id, _ids.generate_span_id(), is_remote=False, trace_flags=flags)
    )


#: Commands that only check the connection; tracing them would bury the real work.
_UNTRACED_COMMANDS = frozenset({"hello", "ismaster", "isMaster", "ping", "endSessions"})


class MongoCommandSpans(monitoring.CommandListener):
    """PyMongo command monitoring as client spans, only inside an existing trace.

    Registered on each service's own client (``make_mongo_client``) and nowhere else, so
    a command is never traced twice. The span names the command and collection; the
    command document, which may hold a case, is never recorded. Nothing is traced while
    no span goes anywhere (:func:`spans_kept`): a command span has no trace id to log.
    """

    def __init__(self, service: str, count: Callable[[str], None] | None = None) -> None:
        self._service = service
        self._count = count
        self._open: dict[tuple[int, Any], Span] = {}

    def started(self, event: monitoring.CommandStartedEvent) -> None:
        """Count the command (``count``, the service's metric of round trips) and open a
        span for it if it was issued under a recording span."""
        with guarded("mongo-started"):
            if self._count is not None:
                self._count(event.command_name)
            if event.command_name in _UNTRACED_COMMANDS or not spans_kept():
                return
            if not trace.get_current_span().get_span_context().is_valid:
                return
            target = event.command.get(event.command_name)
            attributes: dict[str, str] = {
                SERVICE_ATTRIBUTE: self._service,
                "db.system": "mongodb",
                "db.name": event.database_name,
                "db.operation": event.command_name,
            }
            if isinstance(target, str):
                attributes["db.mongodb.collection"] = target
            opened = tracer(self._service).start_span(
                f"mongodb {event.command_name}", kind=SpanKind.CLIENT, attributes=attributes
            )
            self._open[(event.request_id, event.connection_id)] = opened

    def succeeded(self, event: monitoring.CommandSucceededEvent) -> None:
        """Close the command's span."""
        with guarded("mongo-succeeded"):
            opened = self._open.pop((event.request_id, event.connection_id), None)
            if opened is not None:
                opened.end()

    def failed(self, event: monitoring.CommandFailedEvent) -> None:
        """Close the command's span as failed (with the server's code name, not message)."""
        with guarded("mongo-failed"):
            opened = self._open.pop((event.request_id, event.connection_id), None)
            if opened is not None:
                code = getattr(event.failure, "get", lambda *_: None)("codeName")
                opened.set_status(Status(StatusCode.ERROR, str(code or "command failed")))
                opened.end()
