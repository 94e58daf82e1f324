"""Prometheus metrics of one service process, served on ``/metrics``.

Each ``ServiceRuntime`` owns one :class:`ServiceMetrics` with a registry of its own (so
services run side by side in one test process never mix their numbers). The broker
helpers find it through the broker (:func:`of`), the HTTP edge through the app state::

    metrics = ServiceMetrics("notification")
    metrics.notification_failed(channel="sms", reason="provider-timeout")

Names and labels are documented in ``docs/observability.md``. Labels only ever hold
bounded, non-personal values: queues, event types, route templates, status codes.
"""

from __future__ import annotations

import weakref
from typing import Any

from prometheus_client import CollectorRegistry, Counter, Histogram, generate_latest
from prometheus_client.exposition import CONTENT_TYPE_LATEST

__all__ = ["CONTENT_TYPE", "ServiceMetrics", "attach", "of"]

CONTENT_TYPE = CONTENT_TYPE_LATEST

# Handlers are quick database writes; the top buckets catch retries and slow disks.
_LATENCY_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0)
# Outbox lag spans a healthy few milliseconds to hours of a broker outage.
_LAG_BUCKETS = (0.01, 0.05, 0.1, 0.5, 1.0, 5.0, 15.0, 60.0, 300.0, 1800.0, 3600.0, 21600.0)


class ServiceMetrics:
    """The counters and histograms of one service (see ``docs/observability.md``)."""

    def __init__(self, service: str) -> None:
        self.service = service
        self.registry = CollectorRegistry(auto_describe=True)
        r = self.registry
        self.http_requests = Counter(
            "samleng_http_requests",
            "HTTP requests answered, by route template and status code.",
            ["method", "route", "status"],
            registry=r,
        )
        self.http_duration = Histogram(
            "samleng_http_request_duration_seconds",
            "Time to answer an HTTP request.",
            ["method", "route"],
            buckets=_LATENCY_BUCKETS,
            registry=r,
        )
        self.events_consumed = Counter(
            "samleng_events_consumed",
            "Messages taken from a queue, by outcome: handled, dead_lettered or retried.",
            ["queue", "event_type", "outcome"],
            registry=r,
        )
        self.events_dead_lettered = Counter(
            "samleng_events_dead_lettered",
            "Messages this service sent to a queue's dead-letter queue.",
            ["queue"],
            registry=r,
        )
        self.handler_duration = Histogram(
            "samleng_event_handler_duration_seconds",
            "Time the service's handler took for one message (whatever the outcome).",
            ["queue", "event_type"],
            buckets=_LATENCY_BUCKETS,
            registry=r,
        )
        self.events_published = Counter(
            "samleng_events_published",
            "Events the broker confirmed, by routing key.",
            ["routing_key"],
            registry=r,
        )
        self.outbox_lag = Histogram(
            "samleng_outbox_lag_seconds",
            "Seconds from an event's occurred_at to the broker's confirm of it "
            "(for intake: the time the event waited in the outbox).",
            ["routing_key"],
            buckets=_LAG_BUCKETS,
            registry=r,
        )
        self.escalations = Counter(
            "samleng_escalations_fired",
            "complaint.escalated events published, by trigger.",
            ["trigger"],
            registry=r,
        )
        self.notification_failures = Counter(
            "samleng_notification_failures",
            "Alerts or messages that could not be delivered, by channel and reason.",
            ["channel", "reason"],
            registry=r,
        )
        self.mongodb_commands = Counter(
            "samleng_mongodb_commands",
            "Commands this service sent to MongoDB (round trips), by command name.",
            ["command"],
            registry=r,
        )
        self._command_counters: dict[str, Any] = {}

    def mongodb_command(self, command: str) -> None:
        """Count one command sent to MongoDB (a round trip)."""
        counter = self._command_counters.get(command)
        if counter is None:
            counter = self._command_counters[command] = self.mongodb_commands.labels(command)
        counter.inc()

    def notification_failed(self, *, channel: str, reason: str) -> None:
        """Count one undeliverable notification; ``reason`` is a short fixed code."""
        self.notification_failures.labels(channel=channel, reason=reason).inc()

    def exposition(self) -> bytes:
        """Every metric in the Prometheus text format."""
        return generate_latest(self.registry)


_by_broker: weakref.WeakKeyDictionary[Any, ServiceMetrics] = weakref.WeakKeyDictionary()


def attach(broker: Any, metrics: ServiceMetrics) -> None:
    """Make ``metrics`` the ones counted by everything that uses ``broker``."""
    _by_broker[broker] = metrics


def of(broker: Any) -> ServiceMetrics:
    """The metrics attached to ``broker`` (a private set if none was attached)."""
    found = _by_broker.get(broker)
    if found is None:
        found = ServiceMetrics("unknown")
        _by_broker[broker] = found
    return found
