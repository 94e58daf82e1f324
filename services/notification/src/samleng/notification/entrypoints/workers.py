"""Background work of a notification process: couriers, the lease watch, daily digests."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Coroutine
from datetime import datetime, timedelta
from typing import Any

from samleng.notification.adapters.outbox import DeliveryOutbox
from samleng.notification.adapters.recipients import RecipientDirectory
from samleng.notification.delivering import Courier
from samleng.notification.handlers import send_digests

log = logging.getLogger(__name__)

Job = Callable[[], Coroutine[Any, Any, None]]


class Workers:
    """Everything that runs beside the consumer, each job in its own task."""

    def __init__(
        self,
        couriers: list[Courier],
        outbox: DeliveryOutbox,
        recipients: RecipientDirectory,
        *,
        lease: timedelta,
        digest_hour_utc: int,
        now: Callable[[], datetime],
    ) -> None:
        self.couriers = couriers
        self._outbox, self._recipients = outbox, recipients
        self._lease, self._digest_hour = lease, digest_hour_utc
        self.now = now

    def wake(self) -> None:
        """New deliveries were planned: every courier looks now."""
        for courier in self.couriers:
            courier.wake()

    def jobs(self) -> list[Job]:
        """The coroutines to run for the life of the process."""
        return [*(courier.run for courier in self.couriers), self.watch_leases, self.digests]

    async def watch_leases(self) -> None:
        """Fail deliveries whose sender died mid-send (see DeliveryOutbox.fail_interrupted)."""
        while True:
            await asyncio.sleep(self._lease.total_seconds() / 2)
            try:
                count = await self._outbox.fail_interrupted(self.now())
            except Exception:
                log.exception("lease watch could not reach the outbox")
                continue
            if count:
                log.warning("deliveries interrupted mid-send were failed", extra={"count": count})

    async def send_digests_now(self) -> int:
        """Gather held alerts into digests and wake the couriers; returns how many digests."""
        made = await send_digests(self._outbox, self._recipients, self.now())
        self.wake()
        return made

    async def digests(self) -> None:
        """Send the daily digests at the configured hour (every replica; digests dedupe)."""
        while True:
            now = self.now()
            due = now.replace(hour=self._digest_hour, minute=0, second=0, microsecond=0)
            if due <= now:
                due += timedelta(days=1)
            await asyncio.sleep((due - now).total_seconds())
            try:
                made = await self.send_digests_now()
            except Exception:
                log.exception("daily digests could not be planned; trying again tomorrow")
            else:
                log.info("daily digests planned", extra={"count": made})
