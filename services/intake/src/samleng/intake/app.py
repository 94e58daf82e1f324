"""Assemble intake: ``bootstrap(settings=None, **ports) -> Service[IntakePorts]``.

Real MongoDB adapters are built for every port not passed in, so a test replaces only
what it needs (``bootstrap(settings, cases=InMemoryCases())``); ``create_app`` is the
app of that service, and ``migrate`` creates the indexes.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import Any, TypeVar, cast

from fastapi import FastAPI

from samleng.common.broker import subscribe_table
from samleng.common.outbox import Outbox, OutboxRelay
from samleng.common.runtime import BackgroundTask, ServiceRuntime, StartHook
from samleng.common.service import Service, token_verifier, web_app
from samleng.intake.adapters.attachments import AttachmentStore, FileCleaner
from samleng.intake.adapters.audit import AuditTrail
from samleng.intake.adapters.budgets import Budget, ClientPseudonyms, budget_flusher
from samleng.intake.adapters.cases import CaseRepository
from samleng.intake.adapters.crypto import ContactSealer, Fingerprint, SealedBox, derive_key
from samleng.intake.adapters.desk_messages import DeskMessageQueue
from samleng.intake.adapters.duplicates import DuplicateStore
from samleng.intake.adapters.gazetteer import warm_gazetteer
from samleng.intake.adapters.inbox import Inbox
from samleng.intake.adapters.internal_notes import InternalNotes
from samleng.intake.adapters.retention import MongoRetention
from samleng.intake.citizen.entrypoints import api as citizen_api
from samleng.intake.conversations.ports import (
    ConversationDesk,
    ConversationKeys,
    ConversationStore,
)
from samleng.intake.conversations.sms import api as sms_api
from samleng.intake.conversations.store import MongoConversations
from samleng.intake.conversations.telegram import api as telegram_api
from samleng.intake.desk.entrypoints import api as desk_api
from samleng.intake.desk.entrypoints import webhook as desk_webhook
from samleng.intake.desk.handlers import expiry_job
from samleng.intake.domain.duplicates import DuplicateRule
from samleng.intake.domain.retention import RetentionPolicy
from samleng.intake.domain.tracking import TrackingCodeHasher
from samleng.intake.entrypoints import reference
from samleng.intake.entrypoints.problems import install_localised_problems
from samleng.intake.handlers import HANDLERS
from samleng.intake.officer.entrypoints import api as officer_api
from samleng.intake.officer.entrypoints import links as officer_links
from samleng.intake.open311.entrypoints import api as open311_api
from samleng.intake.ports import Budgets, DeskPorts, IntakePorts, Keys, OfficerDesk
from samleng.intake.retention.handlers import retention_job
from samleng.intake.settings import IntakeSettings

T = TypeVar("T")


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


def conversation_desk(settings: IntakeSettings, store: ConversationStore) -> ConversationDesk:
    """The conversation desk over a store, with keys derived from the configured secret."""
    secret = settings.encryption_key.get_secret_value()
    return ConversationDesk(
        store=store,
        keys=ConversationKeys(
            senders=Fingerprint(derive_key(secret, "conversation-senders")),
            drafts=SealedBox(derive_key(secret, "conversation-drafts")),
        ),
        lifetime=timedelta(hours=settings.conversation_hours),
        follow_for=timedelta(days=settings.conversation_follow_days),
        messages_per_hour=settings.conversation_messages_per_hour,
    )


def file_cleaner(settings: IntakeSettings) -> FileCleaner:
    """The worker processes that clean attachments, as the settings size them."""
    return FileCleaner(
        workers=settings.attachment_workers,
        queue=settings.attachment_queue,
        max_pixels=settings.max_image_pixels,
    )


def retention_policy(settings: IntakeSettings) -> RetentionPolicy:
    """The retention policy the settings give."""
    return RetentionPolicy(settings.retention_contacts_days, settings.retention_attachments_days)


def audit_key(settings: IntakeSettings) -> bytes:
    """The key of the audit trail's hash chain (kept out of the database it protects)."""
    return derive_key(settings.encryption_key.get_secret_value(), "audit-trail")


def _real_ports(
    runtime: ServiceRuntime, settings: IntakeSettings, given: dict[str, Any]
) -> tuple[IntakePorts, list[StartHook], list[BackgroundTask]]:
    """The ports, real unless given; the index builds and background jobs of the real ones."""
    db, indexes, jobs = runtime.db, list[StartHook](), list[BackgroundTask]()

    def real(name: str, build: Callable[[], T], *index: str) -> T:
        if name in given:
            return cast(T, given.pop(name))
        port = build()
        indexes.extend(getattr(port, method) for method in index)
        return port

    cases = real("cases", lambda: CaseRepository(db), "create_indexes")
    attachments = real("attachments", lambda: AttachmentStore(db, file_cleaner(settings)))
    if isinstance(attachments, AttachmentStore):
        jobs.append(attachments.cleaner.serve)  # the workers live as long as the service
    pseudonyms = ClientPseudonyms()  # one daily key for both budgets, in memory only
    budgets = real(
        "budgets",
        lambda: Budgets(
            lookup_misses=Budget(
                db,
                "lookup-miss",
                settings.lookup_miss_limit,
                settings.lookup_window_seconds,
                per_client=settings.lookup_miss_limit_per_client,
                pseudonyms=pseudonyms,
            ),
            submissions=Budget(
                db,
                "submission",
                settings.submission_limit,
                settings.submission_window_seconds,
                per_client=settings.submission_limit_per_client,
                pseudonyms=pseudonyms,
            ),
        ),
    )
    officers = real(
        "officers",
        lambda: OfficerDesk(
            cases=cases,
            inbox=real("inbox", lambda: Inbox(db), "create_indexes"),
            notes=real("notes", lambda: InternalNotes(db), "create_indexes"),
            audit=real("audit", lambda: AuditTrail(db, audit_key(settings)), "create_indexes"),
            attachments=attachments,
            duplicates=real("duplicates", lambda: DuplicateStore(db), "create_indexes"),
            duplicate_rule=DuplicateRule(
                settings.duplicate_threshold, settings.duplicate_window_days
            ),
            partner_notes=real(
                "partner_notes", lambda: InternalNotes(db, "partner_notes"), "create_indexes"
            ),
        ),
    )
    conversations = real(
        "conversations",
        lambda: conversation_desk(settings, MongoConversations(db)),
    )
    if isinstance(conversations.store, MongoConversations):
        indexes.append(conversations.store.create_indexes)
    ports = IntakePorts(
        settings=settings,
        cases=cases,
        keys=real("keys", lambda: keys_from(settings)),
        budgets=budgets,
        attachments=attachments,
        relay=real(
            "relay",
            lambda: OutboxRelay(
                Outbox(db), runtime.publisher, poll_seconds=settings.relay_poll_seconds
            ),
        ),
        officers=officers,
        # without OIDC settings intake serves citizens only; officer routes answer 503
        verifier=real(
            "verifier",
            lambda: token_verifier(settings),
        ),
        retention=(
            given.pop("retention")
            if "retention" in given
            else _retention(db, officers.audit, indexes)
        ),
        desk=real(
            "desk",
            lambda: DeskPorts(
                messages=real("messages", lambda: DeskMessageQueue(db), "create_indexes"),
                filings=Budget(
                    db,
                    "desk-filing",
                    settings.desk_filing_limit,
                    settings.desk_filing_window_seconds,
                    per_client=settings.desk_filing_limit_per_agent,
                    pseudonyms=pseudonyms,
                ),
            ),
        ),
        conversations=conversations,
    )
    if given:
        raise TypeError(f"intake has no port(s) {sorted(given)}")
    limits = (
        budgets.lookup_misses,
        budgets.submissions,
        *([ports.desk.filings] if ports.desk else []),
    )
    counted = [b for b in limits if isinstance(b, Budget)]
    if counted:
        indexes.append(counted[0].create_indexes)  # all budgets share one collection
        jobs.append(budget_flusher(counted, settings.budget_flush_seconds))
    if settings.relay_enabled:
        jobs.append(ports.relay.run)
    if settings.retention_enabled and ports.retention is not None:
        every = timedelta(seconds=settings.retention_interval_seconds)
        jobs.append(retention_job(ports.retention, retention_policy(settings), every))
    if settings.retention_enabled and ports.desk is not None:
        every = timedelta(seconds=settings.retention_interval_seconds)
        keep = timedelta(days=settings.desk_message_days)
        jobs.append(expiry_job(ports.desk.messages, keep, every))
    return ports, indexes, jobs


def _retention(db: Any, audit: object, indexes: list[StartHook]) -> MongoRetention | None:
    """The retention store, when erasures can be counted in the real audit trail."""
    if not isinstance(audit, AuditTrail):
        return None  # a test's own audit log: it runs no retention
    store = MongoRetention(db, audit)
    indexes.append(store.create_indexes)
    return store


def bootstrap(settings: IntakeSettings | None = None, **ports: Any) -> Service[IntakePorts]:
    """The intake service: its ports (real unless given), app and inbox subscription.

    ``ports`` are fields of :class:`IntakePorts` (``cases=InMemoryCases()``), the
    officer desk's ``inbox``, ``notes``, ``partner_notes``, ``audit`` and ``duplicates``, or
    the desk queue's ``messages``; any other name is refused.
    """
    settings = settings or IntakeSettings()
    runtime = ServiceRuntime(settings)
    wired, indexes, jobs = _real_ports(runtime, settings, dict(ports))
    app = web_app(
        runtime,
        title="Samleng intake",
        summary="Citizen feedback on public services: submit and follow a case anonymously",
        on_start=[*indexes, warm_gazetteer],
        background=jobs,
        max_body_bytes=settings.max_request_bytes,
        max_upload_bytes=settings.max_attachment_bytes,
    )
    subscribe_table(runtime.broker, HANDLERS, wired, health=runtime.health)
    install_localised_problems(app)
    open311_api.install(app)
    app.include_router(citizen_api.router)
    app.include_router(officer_api.router)
    app.include_router(desk_api.router)
    app.include_router(desk_webhook.router)
    app.include_router(officer_links.router)
    app.include_router(reference.router)
    app.include_router(open311_api.router)
    app.include_router(sms_api.router)
    app.include_router(telegram_api.router)
    # samleng.common.officers (the one officer sign-in of every service) reads it here
    return Service(settings, runtime, wired, app, verifier=wired.verifier).installed()


def create_app(settings: IntakeSettings | None = None, **overrides: Any) -> FastAPI:
    """The intake FastAPI app; nothing connects until its lifespan starts."""
    return bootstrap(settings, **overrides).app


async def migrate(settings: IntakeSettings) -> None:
    """Create intake's indexes (idempotent)."""
    runtime = ServiceRuntime(settings)
    try:
        _, indexes, _ = _real_ports(runtime, settings, {})
        for create in indexes:
            await create()
    finally:
        await runtime.mongo.close()
