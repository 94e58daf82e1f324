"""One vocabulary for where a case stands, shared by every service.

Each service keeps its own allowed moves next to its own model (intake's citizen and
officer actions, routing's clocks, reporting's counting), but they all speak these words,
so a status means the same thing in a case view, a routing decision and a statistic::

    if status in CaseStatus.open_statuses(): ...
    STATUS_GROUP[CaseStatus.ACKNOWLEDGED] is StatusGroup.IN_PROGRESS
"""

from __future__ import annotations

from enum import StrEnum


class CaseStatus(StrEnum):
    """Where a case stands, from the citizen's point of view."""

    SUBMITTED = "submitted"
    ASSIGNED = "assigned"
    ACKNOWLEDGED = "acknowledged"
    INFORMATION_REQUESTED = "information_requested"
    RESOLVED = "resolved"
    REOPENED = "reopened"
    REJECTED = "rejected"
    CLOSED = "closed"
    WITHDRAWN = "withdrawn"


class StatusGroup(StrEnum):
    """The coarse stages published statistics count by."""

    AWAITING_ROUTING = "awaiting_routing"
    IN_PROGRESS = "in_progress"
    RESOLVED = "resolved"  # answered by the office, not yet confirmed or auto-closed
    CLOSED = "closed"
    REJECTED = "rejected"
    WITHDRAWN = "withdrawn"


#: The office is still working on these (the citizen may add information or withdraw).
OPEN = frozenset(
    {
        CaseStatus.SUBMITTED,
        CaseStatus.ASSIGNED,
        CaseStatus.ACKNOWLEDGED,
        CaseStatus.INFORMATION_REQUESTED,
        CaseStatus.REOPENED,
    }
)

#: The office has given its answer: the citizen may rate the handling.
ANSWERED = frozenset({CaseStatus.RESOLVED, CaseStatus.REJECTED, CaseStatus.CLOSED})

#: No office acts on these any more (an appeal or reopening starts a new round).
FINAL = frozenset({CaseStatus.CLOSED, CaseStatus.REJECTED, CaseStatus.WITHDRAWN})

#: Each status and the stage statistics count it in.
STATUS_GROUP: dict[CaseStatus, StatusGroup] = {
    CaseStatus.SUBMITTED: StatusGroup.AWAITING_ROUTING,
    CaseStatus.ASSIGNED: StatusGroup.IN_PROGRESS,
    CaseStatus.ACKNOWLEDGED: StatusGroup.IN_PROGRESS,
    CaseStatus.INFORMATION_REQUESTED: StatusGroup.IN_PROGRESS,
    CaseStatus.REOPENED: StatusGroup.IN_PROGRESS,
    CaseStatus.RESOLVED: StatusGroup.RESOLVED,
    CaseStatus.CLOSED: StatusGroup.CLOSED,
    CaseStatus.REJECTED: StatusGroup.REJECTED,
    CaseStatus.WITHDRAWN: StatusGroup.WITHDRAWN,
}
