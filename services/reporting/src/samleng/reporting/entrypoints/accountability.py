"""Open data on the promises made to citizens (``domain.accountability``): the overall
deadline by province, times and reopenings per office, and the monthly figures by level.

Like every open-data answer these are slices of the year's suppressed publication, as
JSON or as CSV (``format=csv``); medians, 90th percentiles and rates are shown only
beside shown counts (of at least *k* cases for the percentiles).
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query
from fastapi.responses import Response

from samleng.common.http import Problem
from samleng.reporting.domain.accountability import MONTHLY_COLUMNS
from samleng.reporting.domain.accountability_cells import OFFICES_TABLE, OVERALL_TABLE
from samleng.reporting.domain.periods import Period
from samleng.reporting.entrypoints.opendata import (
    TABLE_RESPONSES,
    FormatParam,
    OpenDataDep,
    OpenDataTable,
    PeriodParam,
    area_of,
)

router = APIRouter(prefix="/v1/open-data", tags=["open data"])

# documented, not enforced by FastAPI: another period gets a 400 saying what to ask for
QuarterOrYearParam = Annotated[
    str,
    Query(
        description="YYYY or YYYY-Qn (the deployment's local time)",
        json_schema_extra={"pattern": r"^20\d{2}(-Q[1-4])?$"},
    ),
]
MonthParam = Annotated[
    str,
    Query(
        description="YYYY-MM (the deployment's local time)",
        json_schema_extra={"pattern": r"^20\d{2}-(0[1-9]|1[0-2])$"},
    ),
]


def _is_month(period: Period) -> bool:
    return len(period.months()) == 1


@router.get("/overall", response_model=OpenDataTable, responses=TABLE_RESPONSES)
async def overall_deadline(
    period: PeriodParam, source: OpenDataDep, fmt: FormatParam = "json"
) -> Response:
    """Cases received in the period whose overall deadline came due, and how many were
    resolved within it; working days from submission to resolution (median, p90); the
    country and each province, suppressed."""
    p = source.period(period)
    return await source.answer(
        f"overall/{p.label}/national", OVERALL_TABLE, p, area_of(None, None), fmt, names=True
    )


@router.get("/offices", response_model=OpenDataTable, responses=TABLE_RESPONSES)
async def offices(
    period: QuarterOrYearParam, source: OpenDataDep, fmt: FormatParam = "json"
) -> Response:
    """Per office, for cases received in the quarter or year: cases it resolved, working
    days from submission to its resolution (median, p90), how many were reopened (and the
    rate), and its resolution deadlines met and missed; suppressed."""
    p = source.period(period)
    if _is_month(p):
        quarter = f"{p.label[:4]}-Q{(int(p.label[5:]) - 1) // 3 + 1}"
        raise Problem(
            400,
            "offices-by-month",
            f"Figures per office are by quarter or year; ask for {quarter} or {p.label[:4]}.",
            detail_km=f"តួលេខតាមការិយាល័យមានតាមត្រីមាស ឬឆ្នាំ។ សូមសួររក {quarter} ឬ {p.label[:4]}។",
        )
    return await source.answer(
        f"offices/{p.label}/national", OFFICES_TABLE, p, area_of(None, None), fmt, names=False
    )


@router.get("/monthly", response_model=OpenDataTable, responses=TABLE_RESPONSES)
async def monthly(
    period: MonthParam,
    source: OpenDataDep,
    fmt: FormatParam = "json",
) -> Response:
    """The month as the minister's team reports it, by level of the office holding the
    cases: resolved this month, still in progress at its end, of them received this year
    and carried over from earlier years; for the country, suppressed."""
    p = source.period(period)
    if not _is_month(p):
        raise Problem(
            400,
            "monthly-needs-a-month",
            f"Monthly figures are for one month; ask for a month such as {p.label[:4]}-01.",
            detail_km=f"តួលេខប្រចាំខែគឺសម្រាប់មួយខែ។ សូមសួររកខែមួយ ដូចជា {p.label[:4]}-01។",
        )
    name = f"monthly/{p.label}/national"
    return await source.answer(name, MONTHLY_COLUMNS, p, area_of(None, None), fmt, names=False)
