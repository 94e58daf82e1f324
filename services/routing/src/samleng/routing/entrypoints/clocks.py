"""The clock loop: every replica looks for due clocks; a lease makes each fire once.

Each pass claims due cases one at a time (atomically, with a lease), lets
:func:`~samleng.routing.handlers.on_clock` decide, saves the case and the events in one
update guarded by the case's ``version``, then publishes and clears the outbox. A case
whose outbox is older than ``STALE_OUTBOX`` (a crash between save and publish) is claimed
too and its events are published again (same ids: consumers dedupe).
"""

from __future__ import annotations

import asyncio
import logging
import uuid
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, timedelta

from samleng.common.broker import EventPublisher
from samleng.routing.adapters.cases import CaseRepository
from samleng.routing.clock import Clock
from samleng.routing.handlers import Context, on_clock

log = logging.getLogger(__name__)

STALE_OUTBOX = timedelta(seconds=30)
MAX_CASES_PER_PASS = 200


class ClockLoop:
    """One replica's share of firing clocks."""

    def __init__(
        self,
        cases: CaseRepository,
        publisher: EventPublisher,
        context: Callable[[], Awaitable[Context]],
        clock: Clock,
        *,
        poll_seconds: float,
        lease_seconds: float,
    ) -> None:
        self._cases = cases
        self._publisher = publisher
        self._context = context
        self._clock = clock
        self._poll = poll_seconds
        self._lease = timedelta(seconds=lease_seconds)
        self.owner = f"routing-{uuid.uuid4().hex[:12]}"
        self.passes = 0

    async def run(self) -> None:
        """Sweep forever (a background task of the app's lifespan)."""
        while True:
            try:
                await self.sweep()
            except Exception:
                log.exception("clock pass failed; retrying", extra={"service": "routing"})
            self.passes += 1
            await asyncio.sleep(self._poll)

    async def sweep(self) -> int:
        """Fire every clock due now; the number of cases handled."""
        handled = 0
        while handled < MAX_CASES_PER_PASS:
            wall = datetime.now(UTC)  # leases are about live processes: real time
            stored = await self._cases.claim_due(
                self._clock.now(), wall - STALE_OUTBOX, wall, self.owner, self._lease
            )
            if stored is None:
                return handled
            handled += 1
            ctx = await self._context()
            events = on_clock(stored.case, ctx)
            if not await self._cases.save(stored, events, wall, release=self.owner):
                await self._cases.release(stored.case.complaint_id, self.owner)
                continue  # a message changed the case meanwhile; the next pass sees it
            pending = [*stored.outbox, *events]
            for event in pending:
                await self._publisher.publish(event)
            if pending:
                await self._cases.published(stored.case.complaint_id, pending)
        return handled
