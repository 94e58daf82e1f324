"""PyMongo async client factory (Motor is end-of-life; PyMongo's own async API is used).

client = make_mongo_client(settings)
db = client[settings.mongo_database]
await ping(client)
"""

from __future__ import annotations

from typing import Any

from pymongo import AsyncMongoClient

from samleng.common.settings import ServiceSettings

DocumentClient = AsyncMongoClient[dict[str, Any]]


def make_mongo_client(settings: ServiceSettings) -> DocumentClient:
    """A client with timezone-aware datetimes, standard UUIDs and majority writes."""
    return AsyncMongoClient(
        settings.mongo_url.get_secret_value(),
        tz_aware=True,
        uuidRepresentation="standard",
        appname=f"samleng-{settings.service_name}",
        w="majority",
        serverSelectionTimeoutMS=10_000,
    )


async def ping(client: DocumentClient) -> bool:
    """True when the server answers a ping."""
    try:
        await client.admin.command("ping")
    except Exception:
        return False
    return True
