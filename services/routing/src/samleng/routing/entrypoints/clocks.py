"""The clock loop: every replica looks for due clocks; a lease makes each fire once.

Each pass claims due cases one at a time (atomically, with a lease) and hands each to
:func:`~samleng.routing.handlers.fire_clocks`, which decides and stores the case with its
events in one write guarded by the case's ``version``; the outbox relay publishes them.
"""

from __future__ import annotations

import asyncio
import logging
import uuid
from datetime import UTC, datetime, timedelta

from samleng.routing.handlers import fire_clocks
from samleng.routing.ports import RoutingPorts

log = logging.getLogger(__name__)

MAX_CASES_PER_PASS = 200


class ClockLoop:
    """One replica's share of firing clocks."""

    def __init__(self, ports: RoutingPorts, *, poll_seconds: float, lease_seconds: float) -> None:
        self._ports = ports
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
            _stop_if_cancelled()
            self.passes += 1
            await asyncio.sleep(self._poll)

    async def sweep(self) -> int:
        """Fire every clock due now; the number of cases handled."""
        cases = self._ports.cases
        handled = 0
        while handled < MAX_CASES_PER_PASS:
            wall = datetime.now(UTC)  # leases are about live processes: real time
            claimed = await cases.claim_due(self._ports.clock.now(), wall, self.owner, self._lease)
            if claimed is None:
                return handled
            handled += 1
            if not await fire_clocks(claimed, self._ports):
                await cases.release(claimed.case.complaint_id, self.owner)
        return handled


def _stop_if_cancelled() -> None:
    # A cancellation that reaches PyMongo mid-command can be absorbed there (the command
    # completes or fails with PyMongo's own error); the task still knows it was cancelled.
    current = asyncio.current_task()
    if current is not None and current.cancelling():
        raise asyncio.CancelledError
