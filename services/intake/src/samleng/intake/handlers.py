"""Intake's use cases: submit feedback, follow and act on a case by code, follow events.

No HTTP and no broker here: the entrypoints decode requests and messages and call these.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from samleng.common.broker import PoisonMessage
from samleng.common.events import (
    ComplaintAssigned,
    ComplaintClosed,
    ComplaintEscalated,
    ComplaintForwarded,
    ComplaintTransferred,
    Event,
)
from samleng.common.handling import HandlerTable
from samleng.intake.adapters.attachments import AttachmentStore, clean_upload
from samleng.intake.adapters.budgets import Budget
from samleng.intake.adapters.cases import (
    CaseRepository,
    DuplicateCase,
    DuplicateSubmission,
    StaleCase,
)
from samleng.intake.adapters.crypto import ContactSealer, Fingerprint, SealedBox
from samleng.intake.domain import citizen
from samleng.intake.domain.model import (
    Case,
    Reporter,
    Submission,
    apply_change,
    change_for,
    open_case,
)
from samleng.intake.domain.tracking import TrackingCode, TrackingCodeHasher

MAX_SAVE_ATTEMPTS = 5


class UnknownCase(PoisonMessage):
    """An event names a complaint intake does not hold: it can never apply, so it is poison.

    Intake writes every case before its first event is published, so this is never a race.
    """


class CaseNotFound(LookupError):
    """No case has this tracking code."""


class LookupsExhausted(Exception):
    """The shared look-up budget is spent; try again after ``retry_after`` seconds."""

    def __init__(self, retry_after: int) -> None:
        super().__init__(f"retry after {retry_after} s")
        self.retry_after = retry_after


class IdempotencyConflict(Exception):
    """The Idempotency-Key was already used for a different submission."""


@dataclass(frozen=True)
class Keys:
    """Everything intake hashes, encrypts or seals with."""

    hasher: TrackingCodeHasher
    records: SealedBox  # reporter details at rest
    codes: SealedBox  # tracking codes kept only to answer a retried submission
    fingerprint: Fingerprint
    contacts: ContactSealer


@dataclass(frozen=True)
class Retry:
    """An Idempotency-Key, the canonical request it came with, and how long it is kept."""

    key: str
    request: bytes
    keep_for: timedelta


@dataclass(frozen=True)
class Submitted:
    """The outcome of a submission; ``replayed`` when a retry returned an earlier case."""

    code: TrackingCode
    case: Case
    replayed: bool = False


def _reporter_bytes(reporter: Reporter) -> bytes:
    return json.dumps(
        {
            "contacts": [list(c) for c in reporter.contacts],
            "gender": reporter.gender,
            "age_band": reporter.age_band,
        }
    ).encode()


async def submit_feedback(
    submission: Submission,
    cases: CaseRepository,
    keys: Keys,
    *,
    reporter: Reporter | None = None,
    retry: Retry | None = None,
) -> Submitted:
    """Store a new case with its submitted event (outbox); return its tracking code.

    With ``retry``, a second call with the same key answers the first call's code.
    """
    key_hash = keys.fingerprint.of(b"idempotency-key:" + retry.key.encode()) if retry else None
    if retry and key_hash:
        earlier = await _replay(key_hash, retry, cases, keys)
        if earlier is not None:
            return earlier
    reporter = reporter or Reporter()
    sealed = tuple(keys.contacts.seal(channel, address) for channel, address in reporter.contacts)
    for _ in range(3):
        code = TrackingCode.generate()
        now = datetime.now(UTC)
        case, event = open_case(
            submission, keys.hasher.hash(code), now, reporter=reporter, sealed_contacts=sealed
        )
        idempotency = None
        if retry and key_hash:
            idempotency = {
                "_id": key_hash,
                "request": keys.fingerprint.of(retry.request),
                "code": keys.codes.seal(str(code).encode(), key_hash),
                "complaint_id": case.complaint_id,
                "expires_at": now + retry.keep_for,
            }
        try:
            await cases.add(
                case,
                event,
                sealed_reporter=(
                    None
                    if reporter.empty
                    else keys.records.seal(_reporter_bytes(reporter), case.complaint_id)
                ),
                idempotency=idempotency,
            )
        except DuplicateCase:
            continue  # a code collision: 80 random bits make this all but impossible
        except DuplicateSubmission:
            assert retry and key_hash  # only a keyed submission can collide
            earlier = await _replay(key_hash, retry, cases, keys)
            if earlier is None:
                raise  # the record expired in between: let the client retry
            return earlier
        return Submitted(code, case)
    raise RuntimeError("could not store the case under a fresh tracking code")


async def _replay(
    key_hash: str, retry: Retry, cases: CaseRepository, keys: Keys
) -> Submitted | None:
    record = await cases.idempotency_record(key_hash)
    if record is None:
        return None
    if record["request"] != keys.fingerprint.of(retry.request):
        raise IdempotencyConflict(key_hash)
    code = TrackingCode.parse(keys.codes.open(bytes(record["code"]), key_hash).decode())
    case = await cases.get(record["complaint_id"])
    assert case is not None  # written in the same transaction as the record
    return Submitted(code, case, replayed=True)


async def case_by_code(
    code: TrackingCode, cases: CaseRepository, hasher: TrackingCodeHasher
) -> Case | None:
    """The case a tracking code opens, if any."""
    return await cases.by_code_hash(hasher.hash(code))


async def find_case(
    code: TrackingCode, cases: CaseRepository, hasher: TrackingCodeHasher, misses: Budget
) -> Case:
    """The case a code opens, spending the shared miss budget on codes that open none."""
    retry_after = await misses.exhausted()
    if retry_after is not None:
        raise LookupsExhausted(retry_after)
    case = await case_by_code(code, cases, hasher)
    if case is None:
        await misses.spend()
        raise CaseNotFound(str(code))
    return case


Command = Callable[[Case], tuple[Case, Event]]


async def act_on_case(
    code: TrackingCode,
    cases: CaseRepository,
    hasher: TrackingCodeHasher,
    misses: Budget,
    command: Command,
) -> Case:
    """Run a citizen command on the case a code opens; store it with its event (outbox)."""
    for _ in range(MAX_SAVE_ATTEMPTS):
        case = await find_case(code, cases, hasher, misses)
        updated, event = command(case)
        try:
            await cases.save_with_event(updated, event)
        except StaleCase:
            continue  # an event from routing landed meanwhile: decide again on fresh state
        return updated
    raise StaleCase("case kept changing; try again")


async def attach_file(
    code: TrackingCode,
    data: bytes,
    cases: CaseRepository,
    hasher: TrackingCodeHasher,
    misses: Budget,
    store: AttachmentStore,
    max_count: int,
) -> Case:
    """Clean and store a file, then record it on the case (the file is removed if that fails)."""
    case = await find_case(code, cases, hasher, misses)
    file = clean_upload(data)
    stored = await store.put(case.complaint_id, file, datetime.now(UTC))
    try:
        return await act_on_case(
            code, cases, hasher, misses, lambda c: citizen.attach(c, stored, max_count)
        )
    except BaseException:
        await store.delete(stored.attachment_id)
        raise


async def ask_citizen(complaint_id: str, text: str, office_id: str, cases: CaseRepository) -> Case:
    """An office asks the citizen a question (the officer API of issue 5 calls this)."""
    for _ in range(MAX_SAVE_ATTEMPTS):
        case = await cases.get(complaint_id)
        if case is None:
            raise CaseNotFound(complaint_id)
        updated, event = citizen.ask_question(case, text, office_id, datetime.now(UTC))
        try:
            await cases.save_with_event(updated, event)
        except StaleCase:
            continue
        return updated
    raise StaleCase(complaint_id)


async def on_case_event(event: Event, cases: CaseRepository) -> None:
    """Fold an event from routing (or another service) into the case it concerns."""
    change = change_for(event)
    if change is None:
        return
    for _ in range(MAX_SAVE_ATTEMPTS):
        case = await cases.get(event.complaint_id)
        if case is None:
            raise UnknownCase(f"no case {event.complaint_id} for event {event.event_id}")
        updated = apply_change(case, change)
        if updated == case:
            return  # already applied: a redelivery changes nothing
        try:
            await cases.save(updated)
        except StaleCase:
            continue
        return
    raise StaleCase(event.complaint_id)


@dataclass(frozen=True)
class CaseUpdatePorts:
    """What following other services' events needs: the case store."""

    cases: CaseRepository


async def on_routing_decision(event: Event, ports: CaseUpdatePorts) -> None:
    """A routing decision about a case: where it now is, or that it is closed."""
    await on_case_event(event, ports.cases)


HANDLERS: HandlerTable[CaseUpdatePorts] = HandlerTable(
    service="intake",
    queue="intake.case-updates",
    handlers={
        ComplaintAssigned: on_routing_decision,
        ComplaintForwarded: on_routing_decision,
        ComplaintTransferred: on_routing_decision,
        ComplaintEscalated: on_routing_decision,
        ComplaintClosed: on_routing_decision,
    },
)
