"""Open311's use cases beyond the citizen's own: the public listing of requests.

Who sees what (the reasons are in ``docs/api.md``, "Open311 GeoReport v2"):

- a request named by its ``service_request_id`` (a random id only its submitter and the
  offices handling it know) is shown to anyone, unless it is a conduct complaint;
- a *listing* (no ids) is only for callers with a registered ``api_key``, and even they
  get only cells of at least ``k`` requests (:mod:`samleng.intake.open311.disclosure`);
- every view shows months, not days, and no description, location or identity.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from samleng.common.events import CaseStatus
from samleng.intake.domain.model import Case
from samleng.intake.open311.disclosure import in_large_cells, listable, month_of
from samleng.intake.ports import Cases

MAX_LISTED = 1000


class RequestNotListed(LookupError):
    """No request with this id may be shown (it may not exist at all)."""


class ListingNeedsApiKey(PermissionError):
    """A listing was asked for without a registered api_key."""


@dataclass(frozen=True)
class RequestQuery:
    """What a GET requests call asks for (times already bounded and in UTC)."""

    since: datetime
    until: datetime
    service_code: str | None = None
    statuses: tuple[CaseStatus, ...] = ()
    ids: tuple[str, ...] = ()


def _next_month(moment: datetime) -> datetime:
    start = month_of(moment)
    return (
        start.replace(year=start.year + 1, month=1)
        if start.month == 12
        else (start.replace(month=start.month + 1))
    )


async def public_requests(
    cases: Cases, query: RequestQuery, *, registered: bool, k: int
) -> list[Case]:
    """The requests a caller may see, newest first.

    With ids: those that are listable. Without: ListingNeedsApiKey unless ``registered``;
    then the listable requests of the whole months the period touches (a finer period
    would tell finer times by difference), only in cells of at least ``k``.
    """
    if query.ids:
        found = await cases.recent(
            since=query.since,
            until=query.until,
            ids=query.ids[:MAX_LISTED],
            service_code=query.service_code,
            statuses=query.statuses,
            limit=MAX_LISTED,
        )
        return [case for case in found if listable(case)]
    if not registered:
        raise ListingNeedsApiKey()
    found = await cases.recent(
        since=month_of(query.since),
        until=_next_month(query.until),
        service_code=query.service_code,
        statuses=query.statuses,
        limit=MAX_LISTED,
    )
    return in_large_cells(found, k)


async def public_request(cases: Cases, service_request_id: str) -> Case:
    """One listable request; RequestNotListed if there is none with this id."""
    case = await cases.get(service_request_id) if len(service_request_id) <= 64 else None
    if case is None or not listable(case):
        raise RequestNotListed(service_request_id)
    return case
