"""Reporting's public HTTP API."""

from __future__ import annotations

from datetime import datetime

from fastapi import APIRouter
from pydantic import BaseModel

from samleng.reporting.adapters.projections import ComplaintProjections
from samleng.reporting.domain.stats import FIGURE_LABELS
from samleng.reporting.handlers import summary


class SummaryView(BaseModel):
    """Headline figures, with their labels in English and Khmer."""

    received: int
    awaiting_routing: int
    in_progress: int
    resolved: int
    last_updated: datetime | None
    labels: dict[str, dict[str, str]]


def make_router(projections: ComplaintProjections) -> APIRouter:
    """Routes over the given projections."""
    router = APIRouter(prefix="/v1/stats", tags=["statistics"])

    @router.get("/summary", response_model=SummaryView)
    async def stats_summary() -> SummaryView:
        """How many cases were received, are in progress and are resolved."""
        s = await summary(projections)
        return SummaryView(
            received=s.received,
            awaiting_routing=s.awaiting_routing,
            in_progress=s.in_progress,
            resolved=s.resolved,
            last_updated=s.last_event_at,
            labels={str(k): v for k, v in FIGURE_LABELS.items()},
        )

    return router
