"""Retention use cases: learn from events when a case became final, and erase what is due,
once or periodically on the replica holding the lease. No MongoDB here: the store is a port
(:class:`samleng.notification.ports.CaseRetention`)::

    await record_finality(event, ports)                    # closed, rejected, withdrawn, reopened
    await apply_retention(ports.retention, policy, datetime.now(UTC), dry_run=True)   # a count
"""

from __future__ import annotations

from collections.abc import Callable, Coroutine
from datetime import datetime, timedelta
from typing import Any

from samleng.common.events import Event
from samleng.common.leases import on_one_replica
from samleng.notification.domain.retention import ContactRetention, finality_of
from samleng.notification.ports import CaseRetention, NotificationPorts


async def record_finality(event: Event, ports: NotificationPorts) -> None:
    """Keep on the case record when it became final (or that it was reopened), so its
    contacts are erased on schedule; older or repeated news changes nothing."""
    finality = finality_of(event)
    if finality is not None:
        await ports.retention.record(event.complaint_id, finality)


async def apply_retention(
    store: CaseRetention, policy: ContactRetention, now: datetime, *, dry_run: bool = False
) -> int:
    """Erase what is due (or, dry, only count it); how many cases."""
    if dry_run:
        return await store.count_due(policy.cutoff(now))
    return await store.erase_due(policy.cutoff(now), now)


def retention_job(
    store: CaseRetention, policy: ContactRetention, every: timedelta
) -> Callable[[], Coroutine[Any, Any, None]]:
    """The background task: every ``every``, the replica holding the lease erases what is
    due (the lease lasts two periods, so another replica takes over if it stops)."""

    async def apply_now(now: datetime) -> int:
        return await apply_retention(store, policy, now)

    return on_one_replica(store.lease, every, apply_now, "retention applied")
