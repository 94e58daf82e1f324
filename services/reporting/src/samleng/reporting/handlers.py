"""Reporting's use cases: fold an event into the statistics; read the summary."""

from __future__ import annotations

from samleng.common.events import Event
from samleng.reporting.adapters.projections import ComplaintProjections
from samleng.reporting.domain.stats import Summary, projection_update, summarise


async def on_event(event: Event, projections: ComplaintProjections) -> None:
    """Apply the event to its complaint's projection (idempotent, order-tolerant)."""
    update = projection_update(event)
    if update is not None:
        await projections.apply(update, event.occurred_at)


async def summary(projections: ComplaintProjections) -> Summary:
    """Headline figures over every complaint."""
    counts, latest = await projections.counts_by_status()
    return summarise(counts, latest)
