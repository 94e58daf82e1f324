"""PyMongo async client factory (Motor is end-of-life; PyMongo's own async API is used).

client = make_mongo_client(settings)
db = client[settings.mongo_database]
await ping(client)

Each client carries its own :class:`~samleng.common.telemetry.MongoCommandSpans`
listener, so commands issued inside a trace appear as spans, once; given the service's
metrics, it also counts every command sent (``samleng_mongodb_commands``: round trips).
"""

from __future__ import annotations

from typing import Any

from pymongo import AsyncMongoClient

from samleng.common.metrics import ServiceMetrics
from samleng.common.settings import ServiceSettings
from samleng.common.telemetry import MongoCommandSpans

DocumentClient = AsyncMongoClient[dict[str, Any]]


def make_mongo_client(
    settings: ServiceSettings, metrics: ServiceMetrics | None = None
) -> DocumentClient:
    """A client with timezone-aware datetimes, standard UUIDs, majority writes and spans
    (and a count of its commands in ``metrics``)."""
    return AsyncMongoClient(
        settings.mongo_url.get_secret_value(),
        tz_aware=True,
        uuidRepresentation="standard",
        appname=f"samleng-{settings.service_name}",
        w="majority",
        serverSelectionTimeoutMS=settings.mongo_timeout_ms,
        event_listeners=[
            MongoCommandSpans(
                settings.service_name, metrics.mongodb_command if metrics is not None else None
            )
        ],
    )


async def ping(client: DocumentClient) -> bool:
    """True when the server answers a ping."""
    try:
        await client.admin.command("ping")
    except Exception:
        return False
    return True
