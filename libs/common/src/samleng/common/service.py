"""One assembled service: ``bootstrap(settings, **ports) -> Service``, the same in all four.

Every service's ``app.py`` reads alike (after cosmicpython's ``bootstrap.py``)::

    def bootstrap(settings: RoutingSettings | None = None, **ports: Any) -> Service[RoutingPorts]:
        settings = settings or RoutingSettings()
        runtime = ServiceRuntime(settings)
        wired = RoutingPorts.real(runtime, settings).replace(**ports)   # fakes win
        app = web_app(runtime, title="Samleng routing", on_start=[...], background=[...])
        subscribe_table(runtime.broker, HANDLERS, wired, health=runtime.health)
        app.include_router(directory_router)
        return Service(settings, runtime, wired, app).installed()

    def create_app(settings=None, **overrides) -> FastAPI:
        return bootstrap(settings, **overrides).app

Requests reach the ports through one dependency, :func:`service_of`, which each service's
``entrypoints/deps.py`` narrows into ``Annotated`` aliases (``CasesDep``, ``SettingsDep``);
tests swap any of them with ``app.dependency_overrides``.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from fastapi import FastAPI, Request
from fastapi_offline import FastAPIOffline
from pydantic import SecretStr

from samleng.common.auth import TokenVerifier
from samleng.common.guards import AdminGate, BodySizeLimit
from samleng.common.http import (
    RouteLogMiddleware,
    SecurityHeaders,
    describe_problems_in_openapi,
    health_router,
    install_problem_handlers,
)
from samleng.common.runtime import BackgroundTask, ServiceRuntime, StartHook
from samleng.common.settings import Environment, ServiceSettings

P = TypeVar("P")

#: Request bodies above this get 413 unless a service sets its own limit.
DEFAULT_MAX_BODY_BYTES = 64 * 1024


@dataclass(frozen=True)
class Service(Generic[P]):
    """A service as ``bootstrap`` assembled it: settings, connections, ports and app."""

    settings: ServiceSettings
    runtime: ServiceRuntime
    ports: P
    app: FastAPI
    #: checks officers' tokens (:mod:`samleng.common.officers`); None without OIDC settings
    verifier: TokenVerifier | None = None

    def installed(self) -> Service[P]:
        """Make this service what :func:`service_of` finds for the app's requests."""
        self.app.state.service = self
        return self


def service_of(request: Request) -> Service[Any]:
    """The service whose app serves this request (the root of every dependency)."""
    service = getattr(request.app.state, "service", None)
    if not isinstance(service, Service):
        raise RuntimeError("the app was not assembled by bootstrap(): no service installed")
    return service


def token_verifier(settings: ServiceSettings) -> TokenVerifier | None:
    """The officers' token verifier, or None when ``SAMLENG_OIDC_*`` is not configured."""
    return TokenVerifier.from_settings(settings) if settings.oidc_issuer else None


def web_app(
    runtime: ServiceRuntime,
    *,
    title: str,
    version: str = "0.2.0",
    summary: str | None = None,
    on_start: Sequence[StartHook] = (),
    background: Sequence[BackgroundTask] = (),
    max_body_bytes: int = DEFAULT_MAX_BODY_BYTES,
    max_upload_bytes: int = 0,
    admin_token: SecretStr | None = None,
) -> FastAPI:
    """The service's FastAPI app with the shared edge: lifespan, problems, logs, security
    headers (:class:`~samleng.common.http.SecurityHeaders`), probes, a body size limit and,
    given ``admin_token``, the gate of ``/v1/admin`` (:mod:`samleng.common.guards`)."""
    app = FastAPIOffline(  # Swagger UI and ReDoc served from our own origin, not a CDN
        title=title,
        version=version,
        summary=summary,
        lifespan=runtime.lifespan(on_start=on_start, background=background),
        # operationIds are the handlers' own names (submit_complaint), not generated ones
        generate_unique_id_function=lambda route: route.name,
        static_url="/docs/static",
    )
    install_problem_handlers(app)
    describe_problems_in_openapi(app)
    app.add_middleware(RouteLogMiddleware)
    production = runtime.settings.environment == Environment.PRODUCTION
    app.add_middleware(SecurityHeaders, hsts=production)
    if admin_token is not None:
        app.add_middleware(AdminGate, token=admin_token)
    app.add_middleware(BodySizeLimit, max_bytes=max_body_bytes, max_upload_bytes=max_upload_bytes)
    app.include_router(health_router(runtime.readiness))
    return app
