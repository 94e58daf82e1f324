"""The audit trail: who read or did what to which case, in a hash chain. Pure: no I/O.

Each entry carries its position (``seq``), the hash of the entry before it and its own
hash over a canonical encoding of everything it says. Changing any entry breaks its own
hash; removing or reordering entries breaks the links; truncating the tail is caught by
comparing with the chain head kept beside the log. :func:`verify_chain` reports every
break it finds.

The hashes are HMAC-SHA-256 under a key derived from intake's configured secret, which
is not in the database: someone who can write to MongoDB cannot recompute a consistent
chain after changing an entry.
"""

from __future__ import annotations

import hashlib
import hmac
import json
from collections.abc import Iterable
from dataclasses import asdict, dataclass
from datetime import UTC, datetime

GENESIS = "0" * 64


@dataclass(frozen=True)
class AuditRecord:
    """What happened: the actor (pseudonymous subject, role, office), the action, the case."""

    at: datetime
    subject: str
    role: str
    office_id: str | None
    action: str
    complaint_id: str | None
    detail: str = ""


@dataclass(frozen=True)
class AuditEntry:
    """A record in its place in the chain."""

    seq: int
    record: AuditRecord
    prev_hash: str
    hash: str


def canonical(seq: int, record: AuditRecord, prev_hash: str) -> bytes:
    """The exact bytes an entry's hash covers (stable key order, UTC ISO timestamps)."""
    body = asdict(record)
    # milliseconds in UTC: exactly what survives a round trip through BSON
    body["at"] = record.at.astimezone(UTC).isoformat(timespec="milliseconds")
    return json.dumps(
        {"seq": seq, "prev": prev_hash, "record": body},
        sort_keys=True,
        ensure_ascii=False,
        separators=(",", ":"),
    ).encode()


def chain(seq: int, record: AuditRecord, prev_hash: str, key: bytes) -> AuditEntry:
    """The entry that appends ``record`` after an entry whose hash is ``prev_hash``."""
    digest = hmac.new(key, canonical(seq, record, prev_hash), hashlib.sha256).hexdigest()
    return AuditEntry(seq=seq, record=record, prev_hash=prev_hash, hash=digest)


@dataclass(frozen=True)
class ChainBreak:
    """One place where the trail was changed, removed or cut."""

    seq: int
    problem: str


def verify_chain(
    entries: Iterable[AuditEntry], head: tuple[int, str] | None, key: bytes
) -> list[ChainBreak]:
    """Every break in a trail read in ``seq`` order; an empty list means it is intact."""
    breaks: list[ChainBreak] = []
    expected_seq, prev_hash = 1, GENESIS
    for entry in entries:
        if entry.seq != expected_seq:
            breaks.append(
                ChainBreak(entry.seq, f"expected entry {expected_seq}: entries were removed")
            )
        if entry.prev_hash != prev_hash:
            breaks.append(ChainBreak(entry.seq, "does not link to the entry before it"))
        if not hmac.compare_digest(
            chain(entry.seq, entry.record, entry.prev_hash, key).hash, entry.hash
        ):
            breaks.append(ChainBreak(entry.seq, "content changed after it was written"))
        expected_seq, prev_hash = entry.seq + 1, entry.hash
    last_seq = expected_seq - 1
    if head is not None and (head[0], head[1]) != (last_seq, prev_hash):
        breaks.append(
            ChainBreak(last_seq, f"the trail ends at {last_seq} but its head says {head[0]}")
        )
    return breaks
