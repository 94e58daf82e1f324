"""Benchmark: the public summary on a long history (default 1,000,000 case records).

    uv run python services/reporting/bench/bench_summary.py [--cases N] [--requests R] [--keep]

Needs the dev stack's RabbitMQ and MongoDB (``make infra``). Writes generated case
records straight into a scratch database (``samleng_bench_reporting``), starts reporting
in-process on it and times ``GET /v1/stats/summary`` (and, once, one open-data table);
drops the database afterwards unless ``--keep``.
"""

from __future__ import annotations

import argparse
import asyncio
import random
import statistics
import time
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
from pymongo import AsyncMongoClient

from samleng.reporting.app import create_app, migrate
from samleng.reporting.settings import ReportingSettings

DATABASE = "samleng_bench_reporting"
STATUSES = ("awaiting_routing", "in_progress", "resolved", "closed", "rejected", "withdrawn")


def _record(i: int, rng: random.Random) -> dict[str, Any]:
    received = datetime(2020, 1, 1, tzinfo=UTC) + timedelta(minutes=rng.randrange(3_500_000))
    status = rng.choice(STATUSES)
    province = f"{rng.randint(1, 25):02d}"
    district = f"{province}{rng.randint(1, 9):02d}"
    return {
        "_id": f"bench-{i}",
        "n_events": 3,
        "received_at": received,
        "status": status,
        "closed_how": rng.choice(["confirmed_by_citizen", "auto_closed"]),
        "province": province,
        "district": district,
        "commune": f"{district}01",
        "kind": "complaint",
        "category": "delay",
        "transitions": [[received, "awaiting_routing"], [received + timedelta(hours=1), status]],
        "resolutions": [],
        "forwards": [],
        "escalations": [],
        "reopenings": [],
        "ratings": [],
        "last_event_at": received + timedelta(hours=1),
    }


async def _fill(settings: ReportingSettings, cases: int) -> None:
    client: AsyncMongoClient[dict[str, Any]] = AsyncMongoClient(
        settings.mongo_url.get_secret_value(), tz_aware=True
    )
    try:
        collection = client[DATABASE]["cases"]
        await collection.drop()
        rng = random.Random(1)  # noqa: S311 - reproducible benchmark data
        batch = 20_000
        for start in range(0, cases, batch):
            docs = [_record(i, rng) for i in range(start, min(cases, start + batch))]
            await collection.insert_many(docs, ordered=False)
    finally:
        await client.close()


async def _measure(settings: ReportingSettings, requests: int) -> dict[str, float]:
    app = create_app(settings)
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://bench") as http:
            first = time.perf_counter()
            (await http.get("/v1/stats/summary")).raise_for_status()
            cold = time.perf_counter() - first
            timings = []
            for _ in range(requests):
                started = time.perf_counter()
                (await http.get("/v1/stats/summary")).raise_for_status()
                timings.append(time.perf_counter() - started)
                await asyncio.sleep(0.005)  # requests spread over time, refreshes included
            started = time.perf_counter()
            (
                await http.get("/v1/open-data/status", params={"period": "2026-Q1"})
            ).raise_for_status()
            table = time.perf_counter() - started
    timings.sort()
    return {
        "summary_first_ms": cold * 1000,
        "summary_p50_ms": statistics.median(timings) * 1000,
        "summary_p95_ms": timings[int(0.95 * len(timings)) - 1] * 1000,
        "status_table_quarter_ms": table * 1000,
    }


async def main() -> None:
    """Fill, measure, print, clean up."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--cases", type=int, default=1_000_000)
    parser.add_argument("--requests", type=int, default=1000)
    parser.add_argument("--keep", action="store_true")
    args = parser.parse_args()
    settings = ReportingSettings(environment="development", mongo_database=DATABASE)
    began = time.perf_counter()
    await _fill(settings, args.cases)
    await migrate(settings)
    print(f"inserted {args.cases:,} case records in {time.perf_counter() - began:.0f} s")
    try:
        for name, value in (await _measure(settings, args.requests)).items():
            print(f"{name}: {value:.1f}")
    finally:
        if not args.keep:
            client: AsyncMongoClient[dict[str, Any]] = AsyncMongoClient(
                settings.mongo_url.get_secret_value()
            )
            await client.drop_database(DATABASE)
            await client.close()


if __name__ == "__main__":
    asyncio.run(main())
