"""Assemble the notification app: ``create_app(settings=None, **overrides)``."""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI

from samleng.common.http import RouteLogMiddleware, health_router, install_problem_handlers
from samleng.common.runtime import ServiceRuntime
from samleng.notification.adapters.feed import AlertFeed
from samleng.notification.entrypoints import subscribers
from samleng.notification.entrypoints.api import make_router
from samleng.notification.settings import NotificationSettings


def create_app(settings: NotificationSettings | None = None, **overrides: Any) -> FastAPI:
    """The notification app; nothing connects until its lifespan starts."""
    settings = settings or NotificationSettings(**overrides)
    runtime = ServiceRuntime(settings)
    feed = AlertFeed(runtime.db)
    subscribers.subscribe(runtime.broker, feed)
    app = FastAPI(
        title="Samleng notification",
        version="0.1.0",
        lifespan=runtime.lifespan(on_start=[feed.create_indexes]),
    )
    app.state.runtime = runtime
    install_problem_handlers(app)
    app.add_middleware(RouteLogMiddleware)
    app.include_router(health_router(runtime.readiness))
    app.include_router(make_router(feed))
    return app


async def migrate(settings: NotificationSettings) -> None:
    """Create notification's indexes (idempotent)."""
    runtime = ServiceRuntime(settings)
    try:
        await AlertFeed(runtime.db).create_indexes()
    finally:
        await runtime.mongo.close()
