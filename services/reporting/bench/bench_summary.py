"""Benchmark: the public summary on a long history (default 1,000,000 case records).

    uv run python services/reporting/bench/bench_summary.py [--cases N] [--requests R] [--keep]

Needs the dev stack's RabbitMQ and MongoDB (``make infra``). Writes generated case
records straight into a scratch database (``samleng_bench_reporting``), starts reporting
in-process on it and times ``GET /v1/stats/summary`` while the publisher builds every
year's public tables, how long those take, and then open-data tables as served;
drops the database afterwards unless ``--keep``.
"""

from __future__ import annotations

import argparse
import asyncio
import random
import statistics
import time
from collections.abc import Callable
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
        "category": rng.choice(["delay", "extra_fee", "conduct"]),
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
    began = time.perf_counter()
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://bench") as http:
            first = time.perf_counter()
            (await http.get("/v1/stats/summary")).raise_for_status()
            cold = time.perf_counter() - first
            # the publisher builds every year meanwhile (in a worker process)
            summary = await _timed(http, requests, lambda: ("/v1/stats/summary", {}))
            published = await _published(http, began)
            tables = [
                ("/v1/open-data/status", {"period": "2026-Q1"}),
                ("/v1/open-data/status", {"period": "2026", "province": "12"}),
                ("/v1/open-data/status", {"period": "2026-03", "district": "1203"}),
                ("/v1/open-data/breakdowns/kind", {"period": "2026", "province": "12"}),
                ("/v1/open-data/trend", {"period": "2026"}),
            ]
            cycle = iter(tables * requests)
            open_data = await _timed(http, requests, lambda: next(cycle))
    return {
        "summary_first_ms": cold * 1000,
        "summary_p50_ms (while publishing)": summary[0],
        "summary_p95_ms (while publishing)": summary[1],
        "all_years_published_s": published,
        "open_data_p50_ms": open_data[0],
        "open_data_p95_ms": open_data[1],
    }


async def _timed(
    http: httpx.AsyncClient, requests: int, route: Callable[[], tuple[str, dict[str, str]]]
) -> tuple[float, float]:
    """p50 and p95 in milliseconds of ``requests`` requests spread over time."""
    timings = []
    for _ in range(requests):
        path, params = route()
        started = time.perf_counter()
        (await http.get(path, params=params)).raise_for_status()
        timings.append(time.perf_counter() - started)
        await asyncio.sleep(0.005)  # requests spread over time, refreshes included
    timings.sort()
    return statistics.median(timings) * 1000, timings[int(0.95 * len(timings)) - 1] * 1000


async def _published(http: httpx.AsyncClient, began: float) -> float:
    """Seconds from the app's start until this year's tables are served."""
    while True:
        answer = await http.get("/v1/open-data/status", params={"period": "2026"})
        if answer.status_code == 200:
            return time.perf_counter() - began
        await asyncio.sleep(1)


async def main() -> None:
    """Fill, measure, print, clean up."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--cases", type=int, default=1_000_000)
    parser.add_argument("--requests", type=int, default=1000)
    parser.add_argument("--keep", action="store_true")
    args = parser.parse_args()
    settings = ReportingSettings(
        environment="development", mongo_database=DATABASE, publish_interval_seconds=1
    )
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
