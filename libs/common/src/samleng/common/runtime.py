"""One service process: its broker and Mongo connections, lifespan, readiness and serving.

Every service is a FastAPI app whose lifespan connects a FastStream RabbitBroker, starts
the inboxes registered on it (the consumers) and a PyMongo async client, and stops them
gracefully on SIGTERM::

    runtime = ServiceRuntime(settings)
    subscribe_table(runtime.broker, HANDLERS, ports, health=runtime.health)
    app = FastAPI(lifespan=runtime.lifespan(on_start=[...], background=[...]))
    serve(app, settings)        # uvicorn, JSON logs, no access log

The runtime also owns the process's telemetry: it configures tracing
(:mod:`samleng.common.telemetry`), keeps the service's Prometheus metrics
(``runtime.metrics``, served on ``/metrics`` by ``health_router``) and attaches them to
its broker, so the publisher and every inbox count into them.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator, Awaitable, Callable, Coroutine, Sequence
from typing import Any

import uvicorn
from fastapi import FastAPI
from pymongo.asynchronous.database import AsyncDatabase

from samleng.common import metrics as service_metrics
from samleng.common import telemetry
from samleng.common.broker import EventPublisher, inboxes_of, make_broker, with_heartbeat
from samleng.common.health import DependencyHealth
from samleng.common.logs import configure_logging
from samleng.common.mongo import make_mongo_client, ping
from samleng.common.settings import ServiceSettings
from samleng.common.topology import declare_topology

log = logging.getLogger(__name__)

StartHook = Callable[[], Awaitable[None]]
BackgroundTask = Callable[[], Coroutine[Any, Any, None]]


class ServiceRuntime:
    """The connections of one service process; nothing connects until ``lifespan`` runs."""

    def __init__(self, settings: ServiceSettings) -> None:
        self.settings = settings
        telemetry.configure(settings)
        self.metrics = service_metrics.ServiceMetrics(settings.service_name)
        self.broker = make_broker(settings)
        service_metrics.attach(self.broker, self.metrics)
        self.mongo = make_mongo_client(settings, self.metrics)
        self.db: AsyncDatabase[dict[str, Any]] = self.mongo[settings.mongo_database]
        self.publisher = EventPublisher(
            self.broker,
            self.metrics,
            amqp_url=with_heartbeat(
                settings.amqp_url.get_secret_value(), settings.amqp_heartbeat_seconds
            ),
        )
        #: dependencies the service's own work found down (a held message, a failed write)
        self.health = DependencyHealth()
        self._started = False

    async def readiness(self) -> dict[str, bool]:
        """Whether the broker and MongoDB answer right now, and nothing else was found down."""
        broker_ok, mongo_ok = await asyncio.gather(
            self._broker_ready(), ping(self.mongo), return_exceptions=False
        )
        if mongo_ok:
            self.health.up("mongodb")
        return {**self.health.snapshot(), "broker": broker_ok, "mongodb": mongo_ok}

    async def _broker_ready(self) -> bool:
        if not self._started:
            return False
        try:
            consuming = all(inbox.is_consuming() for inbox in inboxes_of(self.broker))
            return consuming and self.publisher.is_open() and await self.broker.ping(timeout=2.0)
        except Exception:
            return False

    def lifespan(
        self,
        *,
        on_start: Sequence[StartHook] = (),
        background: Sequence[BackgroundTask] = (),
    ) -> Callable[[FastAPI], contextlib.AbstractAsyncContextManager[None]]:
        """A FastAPI lifespan: connect, declare topology, run hooks, start consumers."""

        @contextlib.asynccontextmanager
        async def run(app: FastAPI) -> AsyncIterator[None]:
            # The HTTP edge (middleware, /metrics) finds the service's metrics here.
            app.state.samleng_metrics = self.metrics
            telemetry.disable_native_http_telemetry(app)
            await self.broker.connect()
            await declare_topology(self.broker)
            await self.publisher.start()
            for hook in on_start:
                await hook()
            await self.broker.start()
            inboxes = inboxes_of(self.broker)
            for inbox in inboxes:
                await inbox.start(prefetch_count=self.settings.prefetch_count)
            self._started = True
            tasks: list[asyncio.Task[None]] = [
                asyncio.create_task(job(), name=job.__name__) for job in background
            ]
            log.info("service started", extra={"service": self.settings.service_name})
            try:
                yield
            finally:
                self._started = False
                for task in tasks:
                    task.cancel()
                await asyncio.gather(*tasks, return_exceptions=True)
                await asyncio.gather(
                    *(
                        inbox.stop(timeout=self.settings.shutdown_timeout_seconds)
                        for inbox in inboxes
                    )
                )
                await _bounded(self.broker.stop(), "closing the broker connection")
                await _bounded(self.publisher.close(), "closing the publisher")
                await _bounded(self.mongo.close(), "closing the MongoDB client")
                log.info("service stopped", extra={"service": self.settings.service_name})

        return run


#: How long each step of a stop may take once the consumers are stopped.
STOP_STEP_SECONDS = 10.0


async def _bounded(step: Awaitable[Any], what: str) -> None:
    """Run one step of a stop; a step that fails or hangs is logged and the stop goes on
    (a process that never exits would hold its port and its messages)."""
    try:
        await asyncio.wait_for(step, STOP_STEP_SECONDS)
    except Exception as exc:
        log.warning("a step of the stop failed", extra={"step": what, "error": type(exc).__name__})


def serve(app: FastAPI, settings: ServiceSettings) -> None:
    """Run the app under uvicorn with JSON logs and graceful shutdown on SIGTERM.

    The loop is uvloop and the HTTP parser httptools: every message and request is a few
    socket reads and writes (MongoDB, RabbitMQ, HTTP), and uvloop's transports and
    httptools' parser do that work in C, where asyncio's selector loop and h11 do it in
    Python (issue #19: a profile showed the loop's own bookkeeping and h11 in every path).
    """
    configure_logging(settings.service_name, settings.log_level)
    uvicorn.run(
        app,
        loop="uvloop",
        http="httptools",
        host=settings.http_host,
        port=settings.http_port,
        log_config=None,
        access_log=False,
        server_header=False,
        proxy_headers=False,
        timeout_graceful_shutdown=int(settings.shutdown_timeout_seconds),
    )
