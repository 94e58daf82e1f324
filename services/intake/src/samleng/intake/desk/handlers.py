"""Desk agents' use cases: file for a citizen, queue Page messages, file or dismiss them.

Each filing and each dismissal is written to the audit trail in the same transaction as
what it records (desk, agent, when). The tracking code leaves only in the answer to the
filing: intake keeps its keyed hash, as for every case, so nobody can show it again.
A Page message's arrival and its dismissal are announced (``desk.message_received``,
``desk.message_dismissed``: the desk, the time, a reason category; no text, no sender)
for the public desk figures.
"""

from __future__ import annotations

import asyncio
import logging
import uuid
from collections.abc import Callable, Coroutine
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from samleng.common.auth import Principal, Role
from samleng.common.events import (
    DeskMessageData,
    DeskMessageDismissed,
    DeskMessageDismissedData,
    DeskMessageReceived,
    DismissalReason,
    desk_message_subject,
)
from samleng.intake.citizen.handlers import submit_feedback
from samleng.intake.domain.audit import AuditRecord
from samleng.intake.domain.desks import Desk, Receipt, filing_detail, receipt
from samleng.intake.domain.model import Case, Reporter, Submission
from samleng.intake.domain.social import Incoming, QueuedMessage
from samleng.intake.ports import AlsoWrite, DeskMessages, DeskPorts, IntakePorts

log = logging.getLogger(__name__)


class FilingsExhausted(Exception):
    """The agent filed their share for this window; retry after ``retry_after`` s."""

    def __init__(self, retry_after: int) -> None:
        super().__init__(f"retry after {retry_after} s")
        self.retry_after = retry_after


class MessageNotFound(LookupError):
    """No waiting message of this desk has this id."""


@dataclass(frozen=True)
class Filed:
    """A case filed at a desk, and the receipt that shows its code once."""

    case: Case
    receipt: Receipt


def together(*writes: AlsoWrite) -> AlsoWrite:
    """Several writes as one ``also`` of a transaction, in order."""

    async def write_all(session: Any) -> None:
        for write in writes:
            await write(session)

    return write_all


def _entry(
    principal: Principal, desk: Desk, action: str, complaint_id: str | None, detail: str
) -> AuditRecord:
    return AuditRecord(
        at=datetime.now(UTC),
        subject=principal.subject,
        role=Role.DESK_AGENT.value,
        office_id=desk.office_id,
        action=action,
        complaint_id=complaint_id,
        detail=detail,
    )


def _desk_ports(ports: IntakePorts) -> DeskPorts:
    if ports.desk is None:
        raise RuntimeError("this intake runs without its desk ports")
    return ports.desk


async def file_for_citizen(
    submission: Submission,
    reporter: Reporter,
    desk: Desk,
    principal: Principal,
    ports: IntakePorts,
    *,
    also: Callable[[Case], AlsoWrite] | None = None,
) -> Filed:
    """File a case for the citizen at ``desk`` (audited with it); the receipt shows the code."""
    retry_after = await _desk_ports(ports).filings.for_client(f"agent:{principal.subject}").take()
    if retry_after is not None:
        raise FilingsExhausted(retry_after)
    audit = ports.officers.audit

    def with_case(case: Case) -> AlsoWrite:
        record = _entry(
            principal,
            desk,
            "case.filed_for_citizen",
            case.complaint_id,
            filing_detail(desk, submission.channel),
        )

        async def audited(session: Any) -> None:
            await audit.append(session, record)

        return together(*([also(case)] if also else []), audited)

    # the citizen's one contact (a number they gave, or the Page conversation) gets the code
    submitted = await submit_feedback(
        submission,
        ports.cases,
        ports.keys,
        reporter=reporter,
        also=with_case,
        receipt_to=0 if reporter.contacts else None,
    )
    ports.relay.wake()
    return Filed(submitted.case, receipt(desk, submission, str(submitted.code)))


async def receive_messages(items: list[Incoming], desk_id: str, ports: IntakePorts) -> int:
    """Queue Page messages for ``desk_id``: the sender only sealed and keyed; how many new."""
    keys, queue, queued = ports.keys, _desk_ports(ports).messages, 0
    for item in items:
        message_id = str(uuid.uuid4())
        message = QueuedMessage(
            message_id=message_id,
            desk_id=desk_id,
            kind=item.kind,
            text=item.text,
            received_at=item.at,
            sender_key=keys.fingerprint.of(b"facebook-sender:" + item.sender_id.encode()),
        )
        source = keys.fingerprint.of(b"facebook-item:" + item.source_id.encode())
        sealed = keys.records.seal(item.reply_to.encode(), message_id)
        announced = DeskMessageReceived.first(
            desk_message_subject(message_id),
            producer="intake",
            data=DeskMessageData(desk=desk_id),
            occurred_at=item.at,
        )
        queued += await queue.receive(message, source, sealed, announced)
    if queued:
        ports.relay.wake()
    return queued


async def _waiting(message_id: str, desk: Desk, ports: IntakePorts) -> tuple[QueuedMessage, bytes]:
    found = await _desk_ports(ports).messages.get(message_id)
    if found is None:
        raise MessageNotFound(message_id)
    message, sealed = found
    if message.desk_id != desk.desk_id or message.state != "waiting" or sealed is None:
        raise MessageNotFound(message_id)
    return message, sealed


async def waiting_text(message_id: str, desk: Desk, ports: IntakePorts) -> str:
    """The text of a message waiting in the desk's queue (MessageNotFound otherwise)."""
    message, _ = await _waiting(message_id, desk, ports)
    return message.text


async def file_message(
    message_id: str, submission: Submission, desk: Desk, principal: Principal, ports: IntakePorts
) -> Filed:
    """Turn a queued message into a case whose reply contact is the sender (sealed)."""
    _, sealed = await _waiting(message_id, desk, ports)
    reply_to = ports.keys.records.open(sealed, message_id).decode()
    queue = _desk_ports(ports).messages
    return await file_for_citizen(
        submission,
        # the sender wrote to the Page from this account: no confirmation code is needed
        Reporter(contacts=(("messenger", reply_to),), from_holder=True),
        desk,
        principal,
        ports,
        also=lambda case: queue.decision(
            message_id, "filed", datetime.now(UTC), complaint_id=case.complaint_id
        ),
    )


async def dismiss_message(
    message_id: str,
    reason: str,
    desk: Desk,
    principal: Principal,
    ports: IntakePorts,
    category: DismissalReason = DismissalReason.OTHER,
) -> None:
    """Dismiss a queued message with a reason (audited and announced in the same
    transaction; the announcement carries only the reason's category)."""
    await _waiting(message_id, desk, ports)
    queue, audit = _desk_ports(ports).messages, ports.officers.audit
    detail = f"message={message_id} category={category.value} reason={reason[:200]}"
    record = _entry(principal, desk, "desk_message.dismissed", None, detail)
    now = datetime.now(UTC)
    announced = DeskMessageDismissed.after(
        desk_message_subject(message_id),
        1,  # after its arrival
        producer="intake",
        data=DeskMessageDismissedData(desk=desk.desk_id, reason=category),
        correlation_id=desk_message_subject(message_id),
        occurred_at=now,
    )

    async def audited(session: Any) -> None:
        await audit.append(session, record)

    decision = queue.decision(message_id, "dismissed", now, reason=reason, announce=announced)
    await queue.decide(decision, audited)
    ports.relay.wake()


async def expire_messages(messages: DeskMessages, keep: timedelta, now: datetime) -> int:
    """Erase text and reply address of the messages nobody decided within ``keep``."""
    return await messages.expire(now - keep, now)


def expiry_job(
    messages: DeskMessages, keep: timedelta, every: timedelta
) -> Callable[[], Coroutine[Any, Any, None]]:
    """The background task: every ``every``, erase undecided messages older than ``keep``
    (one idempotent update: replicas may all run it)."""

    async def run_expiry() -> None:
        while True:
            try:
                if erased := await expire_messages(messages, keep, datetime.now(UTC)):
                    log.info("desk messages expired", extra={"count": erased})
            except Exception:  # MongoDB away: try again next period
                log.warning("desk message expiry failed; retrying next period", exc_info=True)
            await asyncio.sleep(every.total_seconds())

    return run_expiry
