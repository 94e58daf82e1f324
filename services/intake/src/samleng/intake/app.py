"""Assemble the intake app: ``create_app(settings=None, **overrides)``."""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI

from samleng.common.auth import TokenVerifier
from samleng.common.http import RouteLogMiddleware, health_router, install_problem_handlers
from samleng.common.outbox import Outbox, OutboxRelay
from samleng.common.runtime import ServiceRuntime
from samleng.intake.adapters.attachments import AttachmentStore
from samleng.intake.adapters.budgets import Budget
from samleng.intake.adapters.cases import CaseRepository
from samleng.intake.adapters.crypto import ContactSealer, Fingerprint, SealedBox, derive_key
from samleng.intake.domain.tracking import TrackingCodeHasher
from samleng.intake.entrypoints import api, officer_api, open311, reference, subscribers
from samleng.intake.entrypoints.deps import Budgets
from samleng.intake.entrypoints.errors import BodySizeLimit, install_localised_handlers
from samleng.intake.handlers import Keys
from samleng.intake.officer_handlers import OfficerDesk
from samleng.intake.settings import IntakeSettings


def keys_from(settings: IntakeSettings) -> Keys:
    """Every key intake uses, derived from its configured secrets."""
    secret = settings.encryption_key.get_secret_value()
    return Keys(
        hasher=TrackingCodeHasher(settings.tracking_code_key.get_secret_value().encode()),
        records=SealedBox(derive_key(secret, "reporter-details")),
        codes=SealedBox(derive_key(secret, "idempotent-tracking-codes")),
        fingerprint=Fingerprint(derive_key(secret, "fingerprints")),
        contacts=ContactSealer(
            settings.contact_sealing_key_id, settings.contact_sealing_key.get_secret_value()
        ),
    )


def audit_key(settings: IntakeSettings) -> bytes:
    """The key of the audit trail's hash chain (kept out of the database it protects)."""
    return derive_key(settings.encryption_key.get_secret_value(), "audit-trail")


def budgets_from(settings: IntakeSettings, runtime: ServiceRuntime) -> Budgets:
    """The shared abuse budgets, as configured."""
    return Budgets(
        lookup_misses=Budget(
            runtime.db, "lookup-miss", settings.lookup_miss_limit, settings.lookup_window_seconds
        ),
        submissions=Budget(
            runtime.db, "submission", settings.submission_limit, settings.submission_window_seconds
        ),
    )


def create_app(settings: IntakeSettings | None = None, **overrides: Any) -> FastAPI:
    """The intake FastAPI app; nothing connects until its lifespan starts."""
    settings = settings or IntakeSettings(**overrides)
    runtime = ServiceRuntime(settings)
    cases = CaseRepository(runtime.db)
    desk = OfficerDesk.on(runtime.db, cases, audit_key(settings))
    relay = OutboxRelay(
        Outbox(runtime.db), runtime.publisher, poll_seconds=settings.relay_poll_seconds
    )
    budgets = budgets_from(settings, runtime)
    subscribers.subscribe(runtime.broker, cases, runtime.health)

    app = FastAPI(
        title="Samleng intake",
        summary="Citizen feedback on public services: submit and follow a case anonymously",
        version="0.1.0",
        lifespan=runtime.lifespan(
            on_start=[
                cases.create_indexes,
                budgets.lookup_misses.create_indexes,
                desk.create_indexes,
            ],
            background=[relay.run] if settings.relay_enabled else [],
        ),
    )
    app.state.settings = settings
    app.state.runtime = runtime
    app.state.cases = cases
    app.state.relay = relay
    app.state.keys = keys_from(settings)
    app.state.hasher = app.state.keys.hasher
    app.state.budgets = budgets
    app.state.attachments = AttachmentStore(runtime.db)
    app.state.officer_desk = desk
    # without OIDC settings intake serves citizens only; officer routes answer 503
    app.state.verifier = TokenVerifier.from_settings(settings) if settings.oidc_issuer else None
    install_problem_handlers(app)
    install_localised_handlers(app)
    open311.install(app)
    app.add_middleware(RouteLogMiddleware)
    app.add_middleware(
        BodySizeLimit,
        max_bytes=settings.max_request_bytes,
        max_upload_bytes=settings.max_attachment_bytes,
    )
    app.include_router(health_router(runtime.readiness))
    app.include_router(api.router)
    app.include_router(officer_api.router)
    app.include_router(reference.router)
    app.include_router(open311.router)
    return app


async def migrate(settings: IntakeSettings) -> None:
    """Create intake's indexes (idempotent)."""
    runtime = ServiceRuntime(settings)
    try:
        await CaseRepository(runtime.db).create_indexes()
        desk = OfficerDesk.on(runtime.db, CaseRepository(runtime.db), audit_key(settings))
        await desk.create_indexes()
        await budgets_from(settings, runtime).lookup_misses.create_indexes()
    finally:
        await runtime.mongo.close()
