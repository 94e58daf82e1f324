"""Helpers of intake's citizen-side real-tier tests (fixtures are imported by the tests)."""

from __future__ import annotations

import contextlib
import io
import json
import logging
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

import aio_pika
from pymongo import AsyncMongoClient

from samleng.common.events import (
    AssignedData,
    ComplaintAssigned,
    Event,
    parse_event,
)
from samleng.common.logs import JsonFormatter
from samleng.intake.domain import citizen, officer
from samleng.intake.ports import Cases
from samleng.intake.settings import IntakeSettings
from services.intake.tests.integration.shared import OFFICE
from tests.support import next_message


async def database_dump(settings: IntakeSettings, exclude: tuple[str, ...] = ()) -> str:
    """Every document of every collection of intake's database, as one text."""
    client: AsyncMongoClient[dict[str, Any]] = AsyncMongoClient(
        settings.mongo_url.get_secret_value()
    )
    try:
        db = client[settings.mongo_database]
        parts = []
        for name in await db.list_collection_names():
            if name in exclude:
                continue
            docs = await db[name].find().to_list()
            parts.append(json.dumps(docs, default=repr, ensure_ascii=False))
        return "\n".join(parts)
    finally:
        await client.close()


async def collection(settings: IntakeSettings, name: str) -> list[dict[str, Any]]:
    """The documents of one collection of intake's database."""
    client: AsyncMongoClient[dict[str, Any]] = AsyncMongoClient(
        settings.mongo_url.get_secret_value()
    )
    try:
        return await client[settings.mongo_database][name].find().to_list()
    finally:
        await client.close()


async def next_event(queue: aio_pika.abc.AbstractQueue, complaint_id: str) -> Event:
    """The next event of one complaint on a tap (skipping other complaints' events)."""
    while True:
        message = await next_message(queue)
        event = parse_event(message.body)
        if event.complaint_id == complaint_id:
            return event


def assigned_after(cause_sequence: int, complaint_id: str) -> ComplaintAssigned:
    """What routing would publish after the submitted event."""
    return ComplaintAssigned(
        event_id=uuid.uuid4(),
        type="complaint.assigned",
        version=1,
        occurred_at=datetime.now(UTC),
        complaint_id=complaint_id,
        sequence=cause_sequence + 1,
        correlation_id=complaint_id,
        producer="routing",
        data=AssignedData(
            office=OFFICE,
            rule="commune-office",
            explanation_en="The commune office handles civil registration.",
            explanation_km="រដ្ឋបាលឃុំដោះស្រាយការចុះបញ្ជីអត្រានុកូលដ្ឋាន។",
            directory_version="test",
        ),
    )


async def resolve(cases: Cases, complaint_id: str, *, at: datetime | None = None) -> None:
    """The case's office resolves it, as the officer API would (at ``at``, default now)."""
    case = await cases.get(complaint_id)
    assert case is not None and case.office is not None
    actor = officer.Actor(role="officer", office_id=case.office.office_id)
    resolved, event = officer.resolve(case, "Paid back.", actor, at or datetime.now(UTC))
    await cases.save_with_event(resolved, event)


async def ask(cases: Cases, complaint_id: str, text: str) -> None:
    """The case's office asks the citizen a question, as the officer API would."""
    case = await cases.get(complaint_id)
    assert case is not None and case.office is not None
    asked, event = citizen.ask_question(case, text, case.office.office_id, datetime.now(UTC))
    await cases.save_with_event(asked, event)


@contextlib.contextmanager
def service_log_lines() -> Iterator[io.StringIO]:
    """Every line intake's loggers write meanwhile, formatted as in production (JSON).

    Other tests may have disabled or silenced loggers (e.g. a ``dictConfig``), so the
    ``samleng`` loggers are switched on for the duration and restored afterwards.
    """
    lines = io.StringIO()
    handler = logging.StreamHandler(lines)
    handler.setFormatter(JsonFormatter("intake"))
    # the test's own HTTP client logs the URLs it calls; that is not the service talking
    handler.addFilter(lambda record: not record.name.startswith(("httpx", "httpcore")))
    root = logging.getLogger()
    loggers = [root] + [
        logger
        for name, logger in logging.root.manager.loggerDict.items()
        if name.startswith("samleng") and isinstance(logger, logging.Logger)
    ]
    saved = [(lg, lg.level, lg.disabled, lg.propagate) for lg in loggers]
    for logger in loggers[1:]:
        logger.disabled, logger.propagate = False, True
        logger.setLevel(logging.NOTSET)
    root.setLevel(logging.DEBUG)
    root.addHandler(handler)
    try:
        yield lines
    finally:
        root.removeHandler(handler)
        for logger, level, disabled, propagate in saved:
            logger.setLevel(level)
            logger.disabled, logger.propagate = disabled, propagate
