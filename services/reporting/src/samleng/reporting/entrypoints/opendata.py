"""Public open data (no login): status by area, breakdowns and trend, JSON or CSV.

Every answer is a slice of the year's publication (``domain.publication``), built in the
background, so a request reads one stored table and never counts cases. It states its
period, its area, the suppression rule, when it was built (``as_of``) and the newest event
it includes (``last_updated``). CSV is UTF-8 with a byte-order mark so spreadsheets show
Khmer correctly.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Query
from fastapi.responses import JSONResponse, Response
from pydantic import BaseModel, ConfigDict, Field

from samleng.common.calendar import WorkingCalendar
from samleng.common.http import Problem
from samleng.reporting.adapters.gazetteer import area_names
from samleng.reporting.domain.desks import DESK_COLUMNS
from samleng.reporting.domain.figures import STATUS_COLUMNS, Area
from samleng.reporting.domain.labels import SUPPRESSION_RULE, label
from samleng.reporting.domain.periods import InvalidPeriod, Period, parse_period
from samleng.reporting.domain.publication import (
    GROUP_COLUMNS,
    NATIONAL,
    PUBLIC_DIMENSIONS,
    TREND_COLUMNS,
    table_id,
)
from samleng.reporting.domain.suppression import SuppressedTable
from samleng.reporting.entrypoints.deps import CalendarDep, PublicationsDep, SettingsDep
from samleng.reporting.ports import Edition, Publications

SUPPRESSED_MARK = "[c]"

PeriodParam = Annotated[
    str,
    Query(
        description="YYYY, YYYY-Qn or YYYY-MM (the deployment's local time)",
        # documented, not enforced by FastAPI: a bad period gets a 400 saying how to write one
        json_schema_extra={"pattern": r"^20\d{2}(-Q[1-4]|-(0[1-9]|1[0-2]))?$"},
    ),
]
ProvinceParam = Annotated[str | None, Query(pattern=r"^\d{2}$")]
DistrictParam = Annotated[str | None, Query(pattern=r"^\d{4}$")]
FormatParam = Annotated[Literal["json", "csv"], Query(alias="format")]


Names = dict[str, str]  # {"km": ..., "en": ...}


class PeriodView(BaseModel):
    """The period a table counts (local calendar days, both inclusive)."""

    model_config = ConfigDict(populate_by_name=True)
    label: str
    from_: date = Field(alias="from")
    until: date
    complete: bool = Field(description="false while the period is still running")


class AreaView(BaseModel):
    """The area a table covers (no code: the whole country)."""

    code: str | None
    name: Names


class SuppressionView(BaseModel):
    """The small-cell rule applied, in Khmer and English, and how many cells it hid."""

    threshold: int
    rule: Names
    suppressed_cells: int


class ColumnView(BaseModel):
    key: str
    label: Names


class RowView(BaseModel):
    key: str
    values: dict[str, float | None] = Field(
        description="column -> count (or median, 90th percentile, rate); null when suppressed"
    )
    name: Names


class OpenDataTable(BaseModel):
    """One published table with everything a reader needs to understand it."""

    period: PeriodView
    area: AreaView
    as_of: datetime
    last_updated: datetime | None
    suppression: SuppressionView
    columns: list[ColumnView]
    rows: list[RowView]


#: The 200 answer of an open-data route: the table as JSON, or as CSV with ``format=csv``.
TABLE_RESPONSES: dict[int | str, dict[str, Any]] = {
    200: {
        "description": "The table (JSON), or as CSV (UTF-8 with BOM) with format=csv",
        "content": {"text/csv": {"schema": {"type": "string"}}},
    },
    404: {"description": "No figures for this period: not begun, not released or not published"},
    503: {"description": "The tables are being published: try again (Retry-After)"},
}


def period_of(text: str, calendar: WorkingCalendar) -> Period:
    """The period, or a problem telling the caller how to write one."""
    try:
        return parse_period(text, calendar)
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


async def published(
    publications: Publications, period: Period, wanted: Mapping[str, Sequence[str]]
) -> tuple[dict[str, SuppressedTable], Edition]:
    """Published tables (name -> its columns) of one edition, never of two builds; a
    problem when there is none. A table absent from the build counted nothing: empty."""
    now = datetime.now(UTC)
    if period.start > now:
        raise Problem(404, "period-not-begun", f"{period.label} has not begun; nothing to count.")
    year = period.first_day.year
    for _ in range(3):  # a new build may replace the one just read: read again
        edition = await publications.edition(year)
        if edition is None:
            raise await _unpublished(publications, year)
        if period.start >= edition.built_at:
            as_of = period.calendar.local(edition.built_at).strftime("%Y-%m-%d %H:%M")
            raise Problem(
                404,
                "not-yet-released",
                f"{period.label} is not in the published figures yet: they are as of {as_of} "
                "(local time), and a period appears once figures are released after it "
                "begins.",
                detail_km=f"{period.label} មិនទាន់មានក្នុងតួលេខដែលបានផ្សព្វផ្សាយទេ (តួលេខគិតត្រឹម {as_of})។",
            )
        found = {name: await publications.table(edition, name) for name in wanted}
        complete = all(table is not None for table in found.values())
        if complete or await publications.edition(year) == edition:
            empty = frozenset[tuple[str, str]]()
            return {
                name: table or SuppressedTable((), tuple(wanted[name]), {}, empty, empty)
                for name, table in found.items()
            }, edition
    raise Problem(
        503,
        "publishing",
        "New tables are being published just now; try again.",
        headers={"Retry-After": "2"},
        detail_km="តារាងថ្មីកំពុងត្រូវបានផ្សព្វផ្សាយ។ សូមព្យាយាមម្តងទៀត។",
    )


async def _unpublished(publications: Publications, year: int) -> Problem:
    years = await publications.years()
    if not years or year > min(years):  # the publisher builds years oldest first
        return Problem(
            503,
            "not-yet-published",
            "The public tables are being prepared; try again shortly.",
            headers={"Retry-After": "10"},
            detail_km="តារាងសាធារណៈកំពុងត្រូវបានរៀបចំ។ សូមព្យាយាមម្តងទៀតបន្តិចទៀត។",
        )
    listed = ", ".join(str(y) for y in years)
    return Problem(
        404,
        "no-publication",
        f"No figures are published for {year}; published years: {listed}.",
        detail_km=f"មិនមានតួលេខសម្រាប់ឆ្នាំ {year} ទេ។ ឆ្នាំដែលមាន៖ {listed}។",
    )


@dataclass(frozen=True)
class OpenData:
    """What an open-data answer is read from: the published tables and the rule."""

    publications: Publications
    threshold: int
    calendar: WorkingCalendar

    def period(self, text: str) -> Period:
        """The period asked for, in the deployment's calendar (a problem when malformed)."""
        return period_of(text, self.calendar)

    async def answer(
        self, name: str, columns: Sequence[str], period: Period, area: Area, fmt: str, names: bool
    ) -> Response:
        """One published table of the period, as JSON or CSV."""
        tables, edition = await published(self.publications, period, {name: columns})
        document = describe(
            tables[name],
            period=period,
            area=area,
            now=edition.built_at,
            last_updated=edition.last_updated,
            threshold=self.threshold,
            names=names,
        )
        if fmt == "csv":
            return as_csv(document)
        return JSONResponse(_jsonable(document))


async def open_data(
    publications: PublicationsDep, settings: SettingsDep, calendar: CalendarDep
) -> OpenData:
    """The open data of this service."""
    return OpenData(publications, settings.small_cell_threshold, calendar)


OpenDataDep = Annotated[OpenData, Depends(open_data)]
router = APIRouter(prefix="/v1/open-data", tags=["open data"])


@router.get("/status", response_model=OpenDataTable, responses=TABLE_RESPONSES)
async def status_by_area(
    period: PeriodParam,
    source: OpenDataDep,
    province: ProvinceParam = None,
    district: DistrictParam = None,
    fmt: FormatParam = "json",
) -> Response:
    """Status of the cases received in the period, per province (or district), suppressed."""
    p, area = source.period(period), area_of(province, district)
    name = table_id("status", p.label, area.district or area.province or NATIONAL)
    return await source.answer(name, STATUS_COLUMNS, p, area, fmt, names=True)


@router.get("/breakdowns/{dimension}", response_model=OpenDataTable, responses=TABLE_RESPONSES)
async def breakdown_of(
    dimension: str,
    period: PeriodParam,
    source: OpenDataDep,
    province: ProvinceParam = None,
    district: DistrictParam = None,
    fmt: FormatParam = "json",
) -> Response:
    """The period's cases by one dimension (gender, service, channel...), suppressed."""
    if dimension not in PUBLIC_DIMENSIONS:
        raise Problem(
            404,
            "unknown-breakdown",
            f"no public breakdown {dimension!r}; use one of {', '.join(PUBLIC_DIMENSIONS)}"
            " (by province or district: /v1/open-data/status; by month: /v1/open-data/trend)",
        )
    if district is not None:
        raise Problem(
            400,
            "breakdown-by-district",
            "Public breakdowns go down to province; for a district use "
            "/v1/open-data/status or /v1/open-data/trend.",
            detail_km="ការបែងចែកសាធារណៈមានត្រឹមថ្នាក់ខេត្ត។ សម្រាប់ស្រុក សូមប្រើ /v1/open-data/status។",
        )
    p, area = source.period(period), area_of(province, None)
    if len(p.months()) == 1:
        raise Problem(
            400,
            "breakdown-by-month",
            f"Public breakdowns are by quarter or year; ask for {p.label[:4]}-Q"
            f"{(int(p.label[5:]) - 1) // 3 + 1} or {p.label[:4]} (by month: "
            "/v1/open-data/trend).",
            detail_km="ការបែងចែកសាធារណៈមានតាមត្រីមាស ឬឆ្នាំ។ តាមខែ សូមប្រើ /v1/open-data/trend។",
        )
    name = table_id("breakdown", p.label, area.province or NATIONAL, dimension)
    return await source.answer(name, GROUP_COLUMNS, p, area, fmt, names=False)


@router.get("/desks", response_model=OpenDataTable, responses=TABLE_RESPONSES)
async def desk_figures(
    period: PeriodParam, source: OpenDataDep, fmt: FormatParam = "json"
) -> Response:
    """Cases filed at the counters, the hotline and the social-media desk in the period
    (a month, quarter or year), how many are resolved or in progress, and the Page
    messages the social-media desk received and dismissed, suppressed."""
    p = source.period(period)
    return await source.answer(
        table_id("desks", p.label), DESK_COLUMNS, p, Area(), fmt, names=False
    )


@router.get("/trend", response_model=OpenDataTable, responses=TABLE_RESPONSES)
async def monthly_trend(
    period: PeriodParam,
    source: OpenDataDep,
    province: ProvinceParam = None,
    district: DistrictParam = None,
    fmt: FormatParam = "json",
) -> Response:
    """Cases received and first resolved in each month of the period, suppressed."""
    p, area = source.period(period), area_of(province, district)
    name = table_id("trend", p.label, area.district or area.province or NATIONAL)
    return await source.answer(name, TREND_COLUMNS, p, area, fmt, names=False)


def _jsonable(value: Any) -> Any:
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, dict):
        return {k: _jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_jsonable(v) for v in value]
    return value
