"""The ceiling: one FastAPI request doing one MongoDB transaction (a case and an outbox entry).

    SAMLENG_BENCH_MONGO_URL=... SAMLENG_BENCH_DATABASE=... \
        uvicorn --factory samleng.devstack.bench.ceiling_app:create_app

``POST /cases`` takes a complaint like intake's, stores a case document of about the size
intake stores and its ``complaint.submitted`` outbox entry in one transaction with
w:majority, and answers 202. Nothing else: no validation beyond JSON, no middleware, no
relay. Whatever the whole flow achieves is compared with this, on the same machine in the
same run.
"""

from __future__ import annotations

import os
import secrets
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import UTC, datetime
from typing import Any

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse
from pymongo import AsyncMongoClient, WriteConcern

MAJORITY = WriteConcern("majority")


def case_and_event(complaint: dict[str, Any]) -> tuple[dict[str, Any], dict[str, Any]]:
    """A case document and its outbox entry, shaped like intake's."""
    now = datetime.now(UTC)
    case_id, event_id = str(uuid.uuid4()), str(uuid.uuid4())
    case = {
        "_id": case_id,
        "code_hash": secrets.token_hex(32),
        **complaint,
        "submitted_at": now,
        "status": "submitted",
        "status_sequence": 1,
        "timeline": [
            {
                "event_id": event_id,
                "sequence": 1,
                "at": now,
                "status": "submitted",
                "text_en": "Your feedback was received.",
                "text_km": "មតិរបស់អ្នកត្រូវបានទទួល។",
            }
        ],
        "questions": [],
        "notes": [],
        "attachments": [],
        "version": 0,
    }
    event = {
        "_id": event_id,
        "routing_key": "complaint.submitted.v1",
        "complaint_id": case_id,
        "sequence": 1,
        "body": {
            "event_id": event_id,
            "type": "complaint.submitted",
            "version": 1,
            "occurred_at": now.isoformat(),
            "complaint_id": case_id,
            "sequence": 1,
            "correlation_id": case_id,
            "producer": "intake",
            "data": complaint,
        },
        "created_at": now,
        "published_at": None,
        "claim": None,
    }
    return case, event


def create_app() -> FastAPI:
    """The ceiling app, configured from SAMLENG_BENCH_MONGO_URL and SAMLENG_BENCH_DATABASE."""
    client: AsyncMongoClient[dict[str, Any]] = AsyncMongoClient(
        os.environ["SAMLENG_BENCH_MONGO_URL"]
    )
    db = client[os.environ["SAMLENG_BENCH_DATABASE"]]

    @asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        await db["cases"].create_index("code_hash", unique=True)
        await db["outbox"].create_index([("published_at", 1), ("created_at", 1)])
        yield
        await client.close()

    app = FastAPI(lifespan=lifespan)

    @app.get("/readyz")
    async def ready() -> dict[str, str]:
        return {"status": "ready"}

    @app.post("/cases", status_code=202)
    async def submit(request: Request) -> JSONResponse:
        case, event = case_and_event(await request.json())
        async with client.start_session() as session:  # noqa: SIM117 - the transaction needs it
            async with await session.start_transaction(write_concern=MAJORITY):
                await db["cases"].insert_one(case, session=session)
                await db["outbox"].insert_one(event, session=session)
        return JSONResponse({"id": case["_id"]}, status_code=202)

    return app
