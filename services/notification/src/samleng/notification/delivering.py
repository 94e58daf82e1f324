"""The courier of one channel: claim a due delivery, open its address, send, record.

Each channel has its own courier (and each replica its own couriers), so an outage of
one channel delays only that channel; a failed attempt is rescheduled in MongoDB with
backoff, never slept on, so the next due delivery goes out meanwhile.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import uuid
from collections.abc import Callable
from datetime import datetime, timedelta

from samleng.notification.adapters.channels.base import ChannelAdapter, Outgoing
from samleng.notification.adapters.outbox import Claim, DeliveryOutbox
from samleng.notification.adapters.sealing import ContactKeyring
from samleng.notification.domain.delivery import RetryPolicy, SendFailed

log = logging.getLogger(__name__)


class Courier:
    """Sends the due deliveries of one channel."""

    def __init__(
        self,
        outbox: DeliveryOutbox,
        adapter: ChannelAdapter,
        keyring: ContactKeyring,
        policy: RetryPolicy,
        *,
        lease: timedelta,
        poll_seconds: float,
        now: Callable[[], datetime],
    ) -> None:
        self._outbox, self._adapter, self._keyring = outbox, adapter, keyring
        self._policy, self._lease, self._poll, self._now = policy, lease, poll_seconds, now
        self._owner = f"{adapter.channel}-{uuid.uuid4().hex[:12]}"
        self._wake = asyncio.Event()

    @property
    def channel(self) -> str:
        """The channel this courier sends on."""
        return self._adapter.channel

    def wake(self) -> None:
        """Look for due deliveries now rather than at the next poll."""
        self._wake.set()

    async def deliver_next(self) -> bool:
        """Send one due delivery, if there is one; True if there was."""
        claim = await self._outbox.claim(self.channel, self._owner, self._now(), self._lease)
        if claim is None:
            return False
        try:
            await self._adapter.send(self._outgoing(claim))
        except SendFailed as failure:
            await self._record_failure(claim, failure)
        except Exception as exc:  # an adapter bug must not stop the courier
            await self._record_failure(claim, SendFailed(f"unexpected {type(exc).__name__}"))
        else:
            await self._outbox.sent(claim, self._now())
            log.info(
                f"{self.channel} delivery sent",
                extra=_context(claim, status="sent"),
            )
        return True

    def _outgoing(self, claim: Claim) -> Outgoing:
        doc = claim.doc
        target = doc["target"]
        if "sealed" in target:
            # the only place a citizen's contact exists in clear: this call's memory
            address = self._keyring.open(target["sealed"]["ciphertext"], target["sealed"]["key_id"])
        else:
            address = target["address"]
        return Outgoing(
            delivery_id=claim.id,
            event_id=doc["event_id"],
            complaint_id=doc.get("complaint_id") or "",
            address=address,
            language=doc["language"],
            subject=doc["subject"],
            text=doc["text"],
            created_at=doc["occurred_at"],
            title_en=doc.get("title_en", ""),
            title_km=doc.get("title_km", ""),
        )

    async def _record_failure(self, claim: Claim, failure: SendFailed) -> None:
        now = self._now()
        due = self._policy.next_due(claim.attempt, failure, now)
        if due is None:
            await self._outbox.failed(claim, now, failure.reason)
            log.warning(
                f"{self.channel} delivery failed for good",
                extra=_context(claim, status="failed", reason=failure.reason),
            )
        else:
            await self._outbox.retry_at(claim, due, failure.reason)
            log.info(
                f"{self.channel} delivery will be retried",
                extra=_context(claim, status="retrying", reason=failure.reason),
            )

    async def run(self) -> None:
        """Send due deliveries until cancelled; errors of MongoDB itself are waited out."""
        while True:
            self._wake.clear()
            try:
                if await self.deliver_next():
                    continue
            except Exception:
                log.exception(f"{self.channel} courier could not reach the outbox")
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._wake.wait(), timeout=self._poll)


def _context(claim: Claim, **extra: object) -> dict[str, object]:
    doc = claim.doc
    return {
        "event_id": doc["event_id"],
        "event_type": doc.get("event_type"),
        "complaint_id": doc.get("complaint_id"),
        "office_id": doc.get("office_id"),
        "attempt": claim.attempt,
        **extra,
    }
