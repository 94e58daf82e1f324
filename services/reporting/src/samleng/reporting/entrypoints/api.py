"""Reporting's headline and analyst HTTP API."""

from __future__ import annotations

import hmac
from datetime import UTC, datetime
from typing import Annotated, Any

from fastapi import APIRouter, Header
from pydantic import BaseModel, SecretStr

from samleng.common.http import Problem
from samleng.reporting.adapters.case_records import CaseRecords
from samleng.reporting.adapters.headline import HeadlineCache
from samleng.reporting.domain.labels import label
from samleng.reporting.entrypoints.opendata import (
    DistrictParam,
    PeriodParam,
    ProvinceParam,
    area_of,
    period_of,
)
from samleng.reporting.handlers import detail

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


def make_router(
    records: CaseRecords, headline: HeadlineCache, analyst_token: SecretStr
) -> APIRouter:
    """Routes over the given case records."""
    router = APIRouter(prefix="/v1/stats", tags=["statistics"])

    @router.get("/summary", response_model=SummaryView)
    async def stats_summary() -> SummaryView:
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

    @router.get("/detail")
    async def full_detail(
        period: PeriodParam,
        province: ProvinceParam = None,
        district: DistrictParam = None,
        authorization: Annotated[str | None, Header()] = None,
    ) -> dict[str, Any]:
        """Every figure, unsuppressed, for analysts holding the bearer token."""
        _require_analyst(authorization, analyst_token)
        p, area = period_of(period), area_of(province, district)
        now = datetime.now(UTC)
        return {
            "period": p.label,
            "area": area.district or area.province,
            "as_of": now,
            "figures": await detail(records, area, p, now),
        }

    return router


def _require_analyst(authorization: str | None, token: SecretStr) -> None:
    expected = token.get_secret_value()
    if not expected:
        raise Problem(404, "detail-disabled", "Full detail is not enabled here; use /v1/open-data.")
    scheme, _, given = (authorization or "").partition(" ")
    if scheme.lower() != "bearer" or not hmac.compare_digest(given.encode(), expected.encode()):
        raise Problem(
            401,
            "analyst-token-required",
            "Send the analyst token as 'Authorization: Bearer <token>'.",
        )
