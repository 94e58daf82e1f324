"""What the public Open311 views may disclose about a case. Pure: no I/O.

The rules are those of reporting's open data, applied to individual requests:

- a complaint about the conduct of an office's own officials is never shown: even its
  existence and month would tell the accused office that someone complained;
- times are coarse: a request shows the *month* it was made and last changed
  (:func:`month_of`), never the day or the hour;
- a listing shows only *cells* of at least ``k`` requests (:func:`in_large_cells`): a cell
  is everything a public row shows but its id (office, service, status, months), so every
  listed request looks exactly like at least ``k - 1`` others, and the only case of a
  small commune in a month is not listed at all. ``k`` is reporting's small-cell
  threshold (``SAMLENG_SMALL_CELL_THRESHOLD``, one setting for both services).

Who may list at all is decided by :func:`registered` (a registered ``api_key``).
"""

from __future__ import annotations

import hashlib
import hmac
from collections import Counter
from collections.abc import Iterable, Sequence
from datetime import UTC, datetime

from samleng.common.events import CaseStatus
from samleng.intake.domain.model import Case

Cell = tuple[str | None, str | None, CaseStatus, datetime, datetime]


def month_of(moment: datetime) -> datetime:
    """The first instant (UTC) of the month of a moment: exact times help single people out."""
    return moment.astimezone(UTC).replace(day=1, hour=0, minute=0, second=0, microsecond=0)


def last_change(case: Case) -> datetime:
    """When the case last changed, as its timeline says."""
    return max((e.at for e in case.timeline), default=case.submitted_at)


def listable(case: Case) -> bool:
    """Whether a case may appear in any public view at all (never a conduct complaint)."""
    return not case.submission.about_office_conduct


def cell_of(case: Case) -> Cell:
    """What a public row tells about a case, apart from its id."""
    return (
        case.office.office_id if case.office else None,
        case.submission.service_code,
        case.status,
        month_of(case.submitted_at),
        month_of(last_change(case)),
    )


def in_large_cells(cases: Sequence[Case], k: int) -> list[Case]:
    """The listable cases whose cell holds at least ``k`` listable cases, in the same order.

    Counting within ``cases`` (a subset of all cases) can only make cells smaller, so a
    narrower query never shows more than the whole would.
    """
    shown = [case for case in cases if listable(case)]
    sizes = Counter(cell_of(case) for case in shown)
    return [case for case in shown if sizes[cell_of(case)] >= k]


def api_key_digest(api_key: str) -> str:
    """The SHA-256 (hex) under which an api_key is registered (the key itself is not kept)."""
    return hashlib.sha256(api_key.encode()).hexdigest()


def registered(api_key: str | None, digests: Iterable[str]) -> bool:
    """Whether an api_key is one of the registered ones (compared in constant time)."""
    if not api_key:
        return False
    digest = api_key_digest(api_key)
    return any(hmac.compare_digest(digest, known) for known in digests)
