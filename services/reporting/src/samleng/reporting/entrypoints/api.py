"""Reporting's headline and full-detail HTTP API.

Full detail (every figure, unsuppressed) is for signed-in officers: national analysts see
any area, officials the areas of their offices (``samleng.reporting.domain.scope``).
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated, Any

from fastapi import APIRouter, Query
from pydantic import BaseModel, Field

from samleng.common.auth import Principal
from samleng.common.http import Problem
from samleng.common.officers import CurrentOfficer, SignedInFirst
from samleng.reporting.adapters.gazetteer import area_names
from samleng.reporting.domain.disclosure import disclosure_for
from samleng.reporting.domain.figures import Area
from samleng.reporting.domain.labels import label
from samleng.reporting.domain.scope import (
    AreaRequired,
    InvalidArea,
    NoAreaToShow,
    OutsideScope,
    area_label,
    query_of,
    requested_area,
    scope_of,
)
from samleng.reporting.entrypoints.deps import CalendarDep, HeadlineDep, RecordsDep, SettingsDep
from samleng.reporting.entrypoints.opendata import (
    DistrictParam,
    PeriodParam,
    ProvinceParam,
    period_of,
)
from samleng.reporting.handlers import detail

CommuneParam = Annotated[str | None, Query(pattern=r"^\d{6}$")]

HEADLINE = (
    "received",
    "open",
    "awaiting_routing",
    "in_progress",
    "resolved",
    "closed_confirmed",
    "closed_auto",
    "rejected",
    "withdrawn",
)


class SummaryView(BaseModel):
    """National headline counts of every case ever received, by current status."""

    received: int
    open: int
    awaiting_routing: int
    in_progress: int
    resolved: int
    closed_confirmed: int
    closed_auto: int
    rejected: int
    withdrawn: int
    last_updated: datetime | None
    labels: dict[str, dict[str, str]]


class DetailView(BaseModel):
    """Every figure of one period and area, as the signed-in officer may see it."""

    period: str
    area: str | None = Field(description="the area's code; null: the whole country")
    as_of: datetime
    figures: dict[str, Any] = Field(
        description="status, by ministry and level, backlog by year, trend, time in working "
        "days, SLA by office and province, satisfaction, extra fees, breakdowns"
    )


router = APIRouter(prefix="/v1/stats", tags=["statistics"], route_class=SignedInFirst)


@router.get("/summary", response_model=SummaryView)
async def stats_summary(headline: HeadlineDep) -> SummaryView:
    """National totals, all time: received, open, in progress, resolved, closed..."""
    counts, latest = await headline.get()
    closed = counts.get("closed_confirmed", 0) + counts.get("closed_auto", 0)
    return SummaryView(
        received=sum(counts.values()),
        open=counts.get("awaiting_routing", 0) + counts.get("in_progress", 0),
        awaiting_routing=counts.get("awaiting_routing", 0),
        in_progress=counts.get("in_progress", 0),
        resolved=counts.get("resolved", 0) + closed,
        closed_confirmed=counts.get("closed_confirmed", 0),
        closed_auto=counts.get("closed_auto", 0),
        rejected=counts.get("rejected", 0),
        withdrawn=counts.get("withdrawn", 0),
        last_updated=latest,
        labels={key: label(key) for key in HEADLINE},
    )


@router.get("/detail", response_model=DetailView)
async def full_detail(
    officer: CurrentOfficer,
    records: RecordsDep,
    settings: SettingsDep,
    calendar: CalendarDep,
    period: PeriodParam,
    province: ProvinceParam = None,
    district: DistrictParam = None,
    commune: CommuneParam = None,
) -> DetailView:
    """Every figure for an area within the signed-in officer's scope (their own area when
    they have one and ask for none): never a complaint about their own office's conduct,
    and for officials a person's gender and age band only in cells that single nobody out."""
    p = period_of(period, calendar)
    area = _area_for(officer, province, district, commune)
    now = datetime.now(UTC)
    figures = await detail(
        records, area, p, now, disclosure_for(officer, settings.small_cell_threshold)
    )
    return DetailView(period=p.label, area=area.code, as_of=now, figures=figures)


def _area_for(
    officer: Principal, province: str | None, district: str | None, commune: str | None
) -> Area:
    """The area to show this officer, or the problem that says what they may ask for."""
    try:
        return scope_of(officer).choose(requested_area(province, district, commune))
    except InvalidArea as error:
        (inner, inner_code), (outer, outer_code) = error.inner, error.outer
        km_level = {"province": "ខេត្ត/រាជធានី", "district": "ស្រុក/ខណ្ឌ", "commune": "ឃុំ/សង្កាត់"}
        raise Problem(
            400,
            "invalid-area",
            f"{inner} {inner_code} is not in {outer} {outer_code}; drop one of them.",
            detail_km=(
                f"{km_level[inner]} {inner_code} មិនស្ថិតនៅក្នុង{km_level[outer]} {outer_code} ទេ។"
                " សូមដកមួយចេញ។"
            ),
        ) from None
    except NoAreaToShow:
        raise Problem(
            403,
            "detail-is-by-area",
            "Full detail is given by area: to national analysts, and to officials of a "
            "commune, district, provincial or national office for its area. Your roles and "
            "offices have no area (a ministry, an administrator): use the public open data "
            "(/v1/open-data) or ask a national analyst.",
            detail_km=(
                "ព័ត៌មានលម្អិតពេញលេញផ្ដល់ជូនតាមតំបន់៖ ដល់អ្នកវិភាគថ្នាក់ជាតិ និងដល់មន្ត្រីនៃការិយាល័យ"
                "ឃុំ/សង្កាត់ ស្រុក/ខណ្ឌ ខេត្ត/រាជធានី ឬថ្នាក់ជាតិ សម្រាប់តំបន់របស់ការិយាល័យនោះ។ "
                "តួនាទី និងការិយាល័យរបស់អ្នកមិនមានតំបន់ទេ (ក្រសួង ឬអ្នកគ្រប់គ្រងប្រព័ន្ធ)៖ "
                "សូមប្រើទិន្នន័យបើកចំហ (/v1/open-data) ឬសួរអ្នកវិភាគថ្នាក់ជាតិ។"
            ),
            allowed=[],
        ) from None
    except AreaRequired as error:
        en, km = _listed(error.allowed)
        raise Problem(
            400,
            "area-required",
            f"Your offices cover several areas; choose one with province=, district= or "
            f"commune=: {en}.",
            detail_km=(
                f"ការិយាល័យរបស់អ្នកគ្របដណ្ដប់លើតំបន់ច្រើន។ សូមជ្រើសរើសតំបន់មួយ ដោយប្រើ "
                f"province= district= ឬ commune=៖ {km}។"
            ),
            allowed=[query_of(area) for area in error.allowed],
        ) from None
    except OutsideScope as error:
        en, km = _listed(error.allowed)
        raise Problem(
            403,
            "outside-your-area",
            f"You may see full detail only of {en}, and of anything inside "
            f"{'it' if len(error.allowed) == 1 else 'them'}.",
            detail_km=f"អ្នកអាចមើលព័ត៌មានលម្អិតពេញលេញបានតែរបស់ {km} និងតំបន់ទាំងឡាយដែលស្ថិតនៅក្នុងនោះប៉ុណ្ណោះ។",
            allowed=[query_of(area) for area in error.allowed],
        ) from None


def _listed(areas: tuple[Area, ...]) -> tuple[str, str]:
    names = area_names()
    labels = [area_label(area, names) for area in areas]
    return "; ".join(x["en"] for x in labels), "; ".join(x["km"] for x in labels)
