"""Citizens' use cases: submit feedback, follow and act on a case with its tracking code.

No HTTP here: the citizen API and Open311 decode requests and call these with the ports
(:mod:`samleng.intake.ports`) they need.
"""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from samleng.common.events import Event
from samleng.intake.domain import citizen
from samleng.intake.domain.model import Case, Reporter, Submission, open_case
from samleng.intake.domain.tracking import TrackingCode, TrackingCodeHasher
from samleng.intake.ports import (
    MAX_SAVE_ATTEMPTS,
    Allowance,
    AlsoWrite,
    Attachments,
    Cases,
    DuplicateCase,
    DuplicateSubmission,
    Keys,
    StaleCase,
)


class CaseNotFound(LookupError):
    """No case has this tracking code."""


class LookupsExhausted(Exception):
    """The client's look-up share (or the ceiling) is spent; retry after ``retry_after`` s."""

    def __init__(self, retry_after: int) -> None:
        super().__init__(f"retry after {retry_after} s")
        self.retry_after = retry_after


class IdempotencyConflict(Exception):
    """The Idempotency-Key was already used for a different submission."""


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
    cases: Cases,
    keys: Keys,
    *,
    reporter: Reporter | None = None,
    retry: Retry | None = None,
    also: Callable[[Case], AlsoWrite] | None = None,
    receipt_to: int | None = None,
) -> Submitted:
    """Store a new case with its submitted event (outbox); return its tracking code.

    With ``retry``, a second call with the same key answers the first call's code;
    ``also(case)`` is one more write committed with the case (an assisted filing's audit);
    ``receipt_to`` names the contact notification sends the code to (a desk's filing).
    """
    key_hash = keys.fingerprint.of(b"idempotency-key:" + retry.key.encode()) if retry else None
    if retry and key_hash:
        earlier = await _replay(key_hash, retry, cases, keys)
        if earlier is not None:
            return earlier
    reporter = reporter or Reporter()
    sealed = tuple(
        keys.contacts.seal(channel, address).model_copy(update={"from_holder": True})
        if reporter.from_holder
        else keys.contacts.seal(channel, address)
        for channel, address in reporter.contacts
    )
    for _ in range(3):
        code = TrackingCode.generate()
        now = datetime.now(UTC)
        receipt = None if receipt_to is None else keys.contacts.seal_receipt(str(code), receipt_to)
        case, event = open_case(
            submission,
            keys.hasher.hash(code),
            now,
            reporter=reporter,
            sealed_contacts=sealed,
            receipt=receipt,
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
                also=also(case) if also else None,
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


async def _replay(key_hash: str, retry: Retry, cases: Cases, keys: Keys) -> Submitted | None:
    record = await cases.idempotency_record(key_hash)
    if record is None:
        return None
    if record["request"] != keys.fingerprint.of(retry.request):
        raise IdempotencyConflict(key_hash)
    code = TrackingCode.parse(keys.codes.open(bytes(record["code"]), key_hash).decode())
    case = await cases.get(record["complaint_id"])
    assert case is not None  # written in the same transaction as the record
    return Submitted(code, case, replayed=True)


async def find_case(
    code: TrackingCode, cases: Cases, hasher: TrackingCodeHasher, misses: Allowance
) -> Case:
    """The case a code opens, counting a miss in the client's share when it opens none.

    A unit is taken before the look-up and given back when the code opens a case, so
    concurrent look-ups never slip past a spent share; while the share is spent, even a
    good code waits (answering it would tell a guesser a hit from a miss).
    """
    retry_after = await misses.take()
    if retry_after is not None:
        raise LookupsExhausted(retry_after)
    try:
        case = await cases.by_code_hash(hasher.hash(code))
    except BaseException:
        await misses.give_back()  # the store failed: that was no miss
        raise
    if case is None:
        raise CaseNotFound(str(code))
    await misses.give_back()
    return case


Command = Callable[[Case], tuple[Case, Event]]


async def act_on_case(
    code: TrackingCode,
    cases: Cases,
    hasher: TrackingCodeHasher,
    misses: Allowance,
    command: Command,
) -> Case:
    """Run a citizen command on the case a code opens; store it with its event (outbox)."""
    return await act_on_found(lambda: find_case(code, cases, hasher, misses), cases, command)


async def act_on_found(load: Callable[[], Awaitable[Case]], cases: Cases, command: Command) -> Case:
    """Run a citizen command on the case ``load`` reads, again on fresh state if it changed
    meanwhile; store it with its event (outbox)."""
    for _ in range(MAX_SAVE_ATTEMPTS):
        case = await load()
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
    cases: Cases,
    hasher: TrackingCodeHasher,
    misses: Allowance,
    store: Attachments,
    max_count: int,
) -> Case:
    """Clean and store a file, then record it on the case (the file is removed if that fails).

    The case must be open and below ``max_count`` files before the file is even looked at.
    """
    case = await find_case(code, cases, hasher, misses)
    citizen.may_attach(case, max_count)
    stored = await store.put(case.complaint_id, data, datetime.now(UTC))
    try:
        return await act_on_case(
            code, cases, hasher, misses, lambda c: citizen.attach(c, stored, max_count)
        )
    except BaseException:
        await store.delete(stored.attachment_id)
        raise
