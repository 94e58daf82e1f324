"""Retention use cases: apply the policy once, or periodically on the replica holding
the lease. No MongoDB here: the store is a port (:class:`samleng.intake.ports.RetentionStore`)::

    report = await apply_retention(store, policy, datetime.now(UTC), dry_run=True)
    report[Erasure.CONTACTS]   # how many cases' contacts are (or would be) erased
"""

from __future__ import annotations

from collections.abc import Callable, Coroutine
from datetime import datetime, timedelta
from typing import Any

from samleng.common.leases import on_one_replica
from samleng.intake.domain.retention import Erasure, RetentionPolicy
from samleng.intake.ports import RetentionStore


async def apply_retention(
    store: RetentionStore, policy: RetentionPolicy, now: datetime, *, dry_run: bool = False
) -> dict[Erasure, int]:
    """Erase what is due (or, dry, only count it); how many cases each erasure touched."""
    report: dict[Erasure, int] = {}
    for erasure, cutoff in policy.cutoffs(now).items():
        due = await store.due(erasure, cutoff)
        if not dry_run:
            for complaint_id in due:
                await store.erase(complaint_id, erasure, now)
        report[erasure] = len(due)
    return report


def retention_job(
    store: RetentionStore, policy: RetentionPolicy, every: timedelta
) -> Callable[[], Coroutine[Any, Any, None]]:
    """The background task: every ``every``, the replica holding the lease applies the
    policy (the lease lasts two periods, so another replica takes over if it stops)."""

    async def apply_now(now: datetime) -> int:
        return sum((await apply_retention(store, policy, now)).values())

    return on_one_replica(store.lease, every, apply_now, "retention applied")
