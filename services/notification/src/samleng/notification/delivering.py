"""The courier of one channel: lease due deliveries, open their addresses, send, record.

Each channel has its own courier (and each replica its own couriers), so an outage of
one channel delays only that channel; a failed attempt is rescheduled in the delivery
queue with backoff, never slept on, so the next due delivery goes out meanwhile.

A courier leases up to ``batch`` due deliveries at once (one read, one update), sends
them concurrently (one recipient's in order), and records every outcome in one bulk
write: a slow provider costs a batch the time of its slowest send, not the sum of them.
A courier stopped mid-send gives its unfinished deliveries back; one killed mid-send
leaves them leased until the lease watch puts them back in line. Either way they go
again under the same delivery id, so the provider sees the same idempotency key.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import uuid
from collections.abc import Iterable
from datetime import timedelta

from samleng.notification.domain.consent import (
    CODE_SLOT,
    CONFIRMATION_KIND,
    ContactIndex,
    contact_of,
    shown,
)
from samleng.notification.domain.delivery import (
    Channel,
    Delivery,
    Failed,
    Lease,
    Outcome,
    Outgoing,
    Retry,
    RetryPolicy,
    SendFailed,
    Sent,
)
from samleng.notification.domain.receipts import RECEIPT_KIND, written_in
from samleng.notification.domain.retention import ADDRESS_ERASED
from samleng.notification.ports import ChannelAdapter, Clock, ContactOpener, DeliveryQueue

log = logging.getLogger(__name__)

#: How long a woken courier lets the moment's other plans land before it leases: under
#: load one lease (a read and a write) and one settlement then cover many deliveries.
GATHER_SECONDS = 0.01


class Courier:
    """Sends the due deliveries of one channel."""

    def __init__(
        self,
        deliveries: DeliveryQueue,
        adapter: ChannelAdapter,
        keyring: ContactOpener,
        policy: RetryPolicy,
        *,
        lease: timedelta,
        poll_seconds: float,
        clock: Clock,
        batch: int = 1,
        codes: ContactIndex | None = None,
    ) -> None:
        self._deliveries, self._adapter, self._keyring = deliveries, adapter, keyring
        self._codes = codes
        self._policy, self._lease, self._poll, self._clock = policy, lease, poll_seconds, clock
        self._batch = batch
        self._owner = f"{adapter.channel}-{uuid.uuid4().hex[:12]}"
        self._wake = asyncio.Event()

    @property
    def channel(self) -> Channel:
        """The channel this courier sends on."""
        return self._adapter.channel

    def wake(self) -> None:
        """Look for due deliveries now rather than at the next poll."""
        self._wake.set()

    async def deliver_due(self) -> int:
        """Send the due deliveries one lease takes; returns how many.

        Different recipients' messages go concurrently; one recipient's go one after the
        other in the order of their events, so a backlog does not reach anyone shuffled.
        """
        leases = await self._deliveries.lease_due(
            self.channel, self._owner, self._clock(), self._lease, self._batch
        )
        outcomes: dict[str, Outcome] = {}

        async def in_order(leased: list[Lease]) -> None:
            for lease in leased:
                outcomes[lease.id] = await self._send(lease)

        by_recipient: dict[str, list[Lease]] = {}
        for lease in sorted(leases, key=lambda lease: lease.delivery.occurred_at):
            by_recipient.setdefault(lease.delivery.recipient, []).append(lease)
        sends = [asyncio.create_task(in_order(leased)) for leased in by_recipient.values()]
        try:
            await asyncio.gather(*sends)
        except asyncio.CancelledError:
            await self._stopped_mid_send(leases, list(outcomes.values()))
            raise
        await self._deliveries.settle(list(outcomes.values()))
        return len(leases)

    async def _stopped_mid_send(self, leases: list[Lease], finished: list[Outcome]) -> None:
        """Record the sends that finished, and give the others back at once (not after
        the lease expires): they go again under the same id, so the same idempotency key."""
        done = {outcome.lease.id for outcome in finished}
        try:
            await self._deliveries.settle(finished)
            await self._deliveries.release(
                [lease for lease in leases if lease.id not in done], self._clock()
            )
        except Exception:  # the lease watch puts them back once their leases expire
            log.exception(f"{self.channel} courier could not give its deliveries back")

    async def _send(self, lease: Lease) -> Outcome:
        try:
            await self._adapter.send(self._outgoing(lease))
        except SendFailed as failure:
            return self._failure(lease, failure)
        except Exception as exc:  # an adapter bug must not stop the courier
            return self._failure(lease, SendFailed(f"unexpected {type(exc).__name__}"))
        log.info(f"{self.channel} delivery sent", extra=_context(lease, status="sent"))
        return Sent(lease, self._clock())

    def _outgoing(self, lease: Lease) -> Outgoing:
        delivery = lease.delivery
        target = delivery.target
        if target.sealed:
            # the only place a citizen's contact exists in clear: this call's memory
            address = self._keyring.open(target.ciphertext, target.key_id)
        elif target.address:
            address = target.address
        else:  # a citizen's address erased under the retention policy
            raise SendFailed(ADDRESS_ERASED, permanent=True)
        return Outgoing(
            delivery_id=delivery.id,
            event_id=delivery.event_id,
            complaint_id=delivery.complaint_id or "",
            address=address,
            language=delivery.language,
            subject=delivery.subject,
            text=self._text(delivery),
            created_at=delivery.occurred_at,
            title_en=delivery.title_en,
            title_km=delivery.title_km,
        )

    def _text(self, delivery: Delivery) -> str:
        """The text, with a confirmation or tracking code written in (never stored in clear)."""
        contact = contact_of(delivery.recipient)
        if delivery.kind == RECEIPT_KIND:
            return written_in(delivery.text, self._keyring.open)
        if delivery.kind != CONFIRMATION_KIND or contact is None:
            return delivery.text
        if self._codes is None:
            raise SendFailed("no contact index key to make confirmation codes", permanent=True)
        return delivery.text.replace(CODE_SLOT, shown(self._codes.code_for(*contact)))

    def _failure(self, lease: Lease, failure: SendFailed) -> Outcome:
        now = self._clock()
        due = self._policy.next_due(lease.attempt, failure, now)
        if due is None:
            log.warning(
                f"{self.channel} delivery failed for good",
                extra=_context(lease, status="failed", reason=failure.reason),
            )
            return Failed(lease, now, failure.reason)
        log.info(
            f"{self.channel} delivery will be retried",
            extra=_context(lease, status="retrying", reason=failure.reason),
        )
        return Retry(lease, due, failure.reason)

    async def run(self) -> None:
        """Send due deliveries until cancelled; errors of the queue itself are waited out."""
        while True:
            self._wake.clear()
            try:
                if await self.deliver_due():
                    continue
            except Exception:
                log.exception(f"{self.channel} courier could not reach the delivery queue")
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._wake.wait(), timeout=self._poll)
                await asyncio.sleep(GATHER_SECONDS)  # woken: let the moment's others land


class Couriers:
    """The couriers of this process; ``wake()`` tells every one there is work."""

    def __init__(self) -> None:
        self.members: list[Courier] = []

    def wake(self, channels: Iterable[Channel] | None = None) -> None:
        """The couriers of these channels (all when None) look for due deliveries now."""
        wanted = None if channels is None else set(channels)
        for courier in self.members:
            if wanted is None or courier.channel in wanted:
                courier.wake()


def _context(lease: Lease, **extra: object) -> dict[str, object]:
    delivery = lease.delivery
    return {
        "event_id": delivery.event_id,
        "event_type": delivery.event_type,
        "complaint_id": delivery.complaint_id,
        "office_id": delivery.office_id,
        "attempt": lease.attempt,
        **extra,
    }
