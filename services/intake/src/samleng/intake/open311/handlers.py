"""Open311's use cases beyond the citizen's own: the public listing of requests.

A public request shows no description, location or identity (see the API's ``_public``);
a complaint about the conduct of an office's own officials is never listed at all.
"""

from __future__ import annotations

from datetime import datetime

from samleng.common.events import CaseStatus
from samleng.intake.domain.model import Case
from samleng.intake.ports import Cases

MAX_LISTED = 1000


class RequestNotListed(LookupError):
    """No request with this id may be shown (it may not exist at all)."""


def listable(case: Case) -> bool:
    """Whether a case may appear in the public listing at all.

    A complaint about the conduct of an office's own officials is never listed: even its
    existence and date would tell the accused office that someone complained.
    """
    return not case.submission.about_office_conduct


async def public_requests(
    cases: Cases,
    *,
    since: datetime,
    until: datetime,
    service_code: str | None,
    statuses: tuple[CaseStatus, ...],
    ids: tuple[str, ...],
) -> list[Case]:
    """The listable requests of a period (or with these ids), newest first."""
    found = await cases.recent(
        since=since,
        until=until,
        service_code=service_code,
        statuses=statuses,
        ids=ids[:MAX_LISTED],
        limit=MAX_LISTED,
    )
    return [case for case in found if listable(case)]


async def public_request(cases: Cases, service_request_id: str) -> Case:
    """One listable request; RequestNotListed if there is none with this id."""
    case = await cases.get(service_request_id) if len(service_request_id) <= 64 else None
    if case is None or not listable(case):
        raise RequestNotListed(service_request_id)
    return case
