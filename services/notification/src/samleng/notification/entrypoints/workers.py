"""Background work of a notification process: couriers, the lease watch, daily digests."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Coroutine, Sequence
from datetime import timedelta
from typing import Any

from samleng.notification.delivering import Courier
from samleng.notification.handlers import send_digests
from samleng.notification.ports import NotificationPorts

log = logging.getLogger(__name__)

Job = Callable[[], Coroutine[Any, Any, None]]


class Workers:
    """Everything that runs beside the consumer, each job in its own task."""

    def __init__(
        self,
        ports: NotificationPorts,
        couriers: Sequence[Courier],
        *,
        lease: timedelta,
        max_attempts: int,
        digest_hour_utc: int,
    ) -> None:
        self._ports, self._couriers = ports, couriers
        self._lease, self._max_attempts, self._digest_hour = lease, max_attempts, digest_hour_utc

    def jobs(self) -> list[Job]:
        """The coroutines to run for the life of the process."""
        return [*(courier.run for courier in self._couriers), self.watch_leases, self.digests]

    async def watch_leases(self) -> None:
        """Put back in line the deliveries whose courier died mid-send (their lease
        expired), at start-up and then every half lease (DeliveryQueue.requeue_interrupted)."""
        while True:
            try:
                count = await self._ports.deliveries.requeue_interrupted(
                    self._ports.clock(), self._max_attempts
                )
            except Exception:
                log.exception("lease watch could not reach the delivery queue")
            else:
                if count:
                    log.warning(
                        "deliveries interrupted mid-send will be sent again",
                        extra={"count": count},
                    )
                    self._ports.couriers.wake()
            await asyncio.sleep(self._lease.total_seconds() / 2)

    async def digests(self) -> None:
        """Send the daily digests at the configured hour (every replica; digests dedupe)."""
        while True:
            now = self._ports.clock()
            due = now.replace(hour=self._digest_hour, minute=0, second=0, microsecond=0)
            if due <= now:
                due += timedelta(days=1)
            await asyncio.sleep((due - now).total_seconds())
            try:
                made = await send_digests(self._ports, self._ports.clock())
            except Exception:
                log.exception("daily digests could not be planned; trying again tomorrow")
            else:
                log.info("daily digests planned", extra={"count": made})
