"""Public open data (no login): status by area, breakdowns and trend, JSON or CSV.

Every answer states its period, its area, the suppression rule and when the data was last
updated. CSV is UTF-8 with a byte-order mark so spreadsheets show Khmer correctly.
"""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Query
from fastapi.responses import JSONResponse, Response

from samleng.common.http import Problem
from samleng.reporting.adapters.case_records import CaseRecords
from samleng.reporting.adapters.gazetteer import area_names
from samleng.reporting.domain.figures import BREAKDOWNS, Area
from samleng.reporting.domain.labels import SUPPRESSION_RULE, label
from samleng.reporting.domain.periods import InvalidPeriod, Period, parse_period
from samleng.reporting.domain.publication import breakdown_table, status_table, trend_table
from samleng.reporting.domain.suppression import SuppressedTable

SUPPRESSED_MARK = "[c]"
# down to district only: commune rows, and office rows (a commune office is a commune),
# stay with authenticated analysts
PUBLIC_BREAKDOWNS = tuple(d for d in BREAKDOWNS if d not in ("commune", "office"))

PeriodParam = Annotated[str, Query(description="YYYY, YYYY-Qn or YYYY-MM (Phnom Penh time)")]
ProvinceParam = Annotated[str | None, Query(pattern=r"^\d{2}$")]
DistrictParam = Annotated[str | None, Query(pattern=r"^\d{4}$")]
FormatParam = Annotated[Literal["json", "csv"], Query(alias="format")]


def period_of(text: str) -> Period:
    """The period, or a problem telling the caller how to write one."""
    try:
        return parse_period(text)
    except InvalidPeriod as error:
        raise Problem(400, "invalid-period", str(error)) from None


def area_of(province: str | None, district: str | None) -> Area:
    """The area, or a problem when the district is not in the province."""
    if district is not None:
        if province is not None and not district.startswith(province):
            raise Problem(
                400,
                "invalid-area",
                f"district {district} is not in province {province}; drop one of them",
            )
        return Area(province=district[:2], district=district)
    return Area(province=province)


def describe(
    table: SuppressedTable,
    *,
    period: Period,
    area: Area,
    now: datetime,
    last_updated: datetime | None,
    threshold: int,
    names: bool,
) -> dict[str, Any]:
    """A published table with everything a reader needs to understand it."""
    known = area_names()
    rows = []
    for key in table.rows:
        row: dict[str, Any] = {"key": key, "values": table.row(key)}
        row["name"] = known.get(key, label(key)) if names else label(key)
        rows.append(row)
    code = area.district or area.province
    rule = {lang: text.format(k_minus_1=threshold - 1) for lang, text in SUPPRESSION_RULE.items()}
    return {
        "period": {
            "label": period.label,
            "from": period.first_day.isoformat(),
            "until": period.end_day.isoformat(),
            "complete": now >= period.end,
        },
        "area": {"code": code, "name": known.get(code or "", label("total"))},
        "as_of": now,
        "last_updated": last_updated,
        "suppression": {
            "threshold": threshold,
            "rule": rule,
            "suppressed_cells": len(table.primary) + len(table.complementary),
        },
        "columns": [{"key": c, "label": label(c)} for c in table.columns],
        "rows": rows,
    }


def as_csv(document: dict[str, Any]) -> Response:
    """The table as CSV (UTF-8 with BOM); period, rule and last update in columns/headers."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    columns = [c["key"] for c in document["columns"]]
    writer.writerow(["period", "key", "name_km", "name_en", *columns, "last_updated"])
    updated = document["last_updated"].isoformat() if document["last_updated"] else ""
    for row in document["rows"]:
        values = [
            SUPPRESSED_MARK if row["values"][c] is None else row["values"][c] for c in columns
        ]
        writer.writerow(
            [
                document["period"]["label"],
                row["key"],
                row["name"]["km"],
                row["name"]["en"],
                *values,
                updated,
            ]
        )
    rule = document["suppression"]["rule"]["en"]
    label_ = document["period"]["label"]
    return Response(
        "\ufeff" + buffer.getvalue(),
        media_type="text/csv; charset=utf-8",
        headers={
            "Content-Disposition": f'attachment; filename="samleng-{label_}.csv"',
            "X-Samleng-Period": document["period"]["label"],
            "X-Samleng-Suppression": f"{SUPPRESSED_MARK} = suppressed. {rule}",
            "X-Samleng-Last-Updated": updated,
        },
    )


def make_open_data_router(records: CaseRecords, threshold: int) -> APIRouter:
    """The public open-data routes."""
    router = APIRouter(prefix="/v1/open-data", tags=["open data"])

    async def answer(build: Any, period: Period, area: Area, fmt: str, names: bool) -> Response:
        now = datetime.now(UTC)
        cases = await records.relevant(area, period.start, period.end)
        _, last_updated = await records.status_counts()
        table = build(cases, period, now)
        document = describe(
            table,
            period=period,
            area=area,
            now=now,
            last_updated=last_updated,
            threshold=threshold,
            names=names,
        )
        if fmt == "csv":
            return as_csv(document)
        return JSONResponse(_jsonable(document))

    @router.get("/status")
    async def status_by_area(
        period: PeriodParam,
        province: ProvinceParam = None,
        district: DistrictParam = None,
        fmt: FormatParam = "json",
    ) -> Response:
        """Status of the cases received in the period, per province (or district), suppressed."""
        p, area = period_of(period), area_of(province, district)

        def build(cases: Any, per: Period, now: datetime) -> SuppressedTable:
            return status_table(cases, area, per, now, threshold)

        return await answer(build, p, area, fmt, names=True)

    @router.get("/breakdowns/{dimension}")
    async def breakdown_of(
        dimension: str,
        period: PeriodParam,
        province: ProvinceParam = None,
        district: DistrictParam = None,
        fmt: FormatParam = "json",
    ) -> Response:
        """The period's cases by one dimension (gender, service, channel...), suppressed."""
        if dimension not in PUBLIC_BREAKDOWNS:
            raise Problem(
                404,
                "unknown-breakdown",
                f"no public breakdown {dimension!r}; use one of {', '.join(PUBLIC_BREAKDOWNS)}",
            )
        p, area = period_of(period), area_of(province, district)

        def build(cases: Any, per: Period, now: datetime) -> SuppressedTable:
            return breakdown_table(cases, area, dimension, per, now, threshold)

        names = dimension in ("province", "district")
        return await answer(build, p, area, fmt, names=names)

    @router.get("/trend")
    async def monthly_trend(
        period: PeriodParam,
        province: ProvinceParam = None,
        district: DistrictParam = None,
        fmt: FormatParam = "json",
    ) -> Response:
        """Cases received and first resolved in each month of the period, suppressed."""
        p, area = period_of(period), area_of(province, district)

        def build(cases: Any, per: Period, now: datetime) -> SuppressedTable:
            return trend_table(cases, area, per, now, threshold)

        return await answer(build, p, area, fmt, names=False)

    return router


def _jsonable(value: Any) -> Any:
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, dict):
        return {k: _jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_jsonable(v) for v in value]
    return value
