"""Intake's moves between the shared statuses (``samleng.common.events.CaseStatus``). Pure.

::

    submitted ─► assigned ─► acknowledged ─► resolved ─► closed
                   ▲  │ ▲        │  ▲           │  ▲         │
                   │  ▼ │        ▼  │           ▼  │         │
                   │ information_requested   reopened ◄──────┘ (appeal within the period)
                   └── forwarded / transferred / escalated keep a case "assigned"
    any open status ─► withdrawn (citizen) | rejected (office) ─► reopened (appeal)

Officer actions and citizen actions both go through :func:`can_move`, so a case never
reaches a status its history does not allow. The words (``CaseStatus``, ``OPEN``,
``ANSWERED``) are the vocabulary every service shares; the moves and the labels citizens
read are intake's own.
"""

from __future__ import annotations

from samleng.common.events import CaseStatus

_WORKING = frozenset(
    {
        CaseStatus.ASSIGNED,
        CaseStatus.ACKNOWLEDGED,
        CaseStatus.INFORMATION_REQUESTED,
        CaseStatus.RESOLVED,
        CaseStatus.REJECTED,
        CaseStatus.WITHDRAWN,
    }
)

ALLOWED: dict[CaseStatus, frozenset[CaseStatus]] = {
    CaseStatus.SUBMITTED: frozenset(
        {CaseStatus.ASSIGNED, CaseStatus.REJECTED, CaseStatus.WITHDRAWN}
    ),
    CaseStatus.ASSIGNED: _WORKING,
    CaseStatus.ACKNOWLEDGED: _WORKING,
    CaseStatus.INFORMATION_REQUESTED: _WORKING,
    CaseStatus.REOPENED: _WORKING,
    CaseStatus.RESOLVED: frozenset({CaseStatus.CLOSED, CaseStatus.REOPENED}),
    CaseStatus.REJECTED: frozenset({CaseStatus.REOPENED, CaseStatus.CLOSED}),
    CaseStatus.CLOSED: frozenset({CaseStatus.REOPENED}),
    CaseStatus.WITHDRAWN: frozenset(),
}


def can_move(current: CaseStatus, to: CaseStatus) -> bool:
    """Whether a case in ``current`` may move to ``to``."""
    return to in ALLOWED[current]


STATUS_LABELS: dict[CaseStatus, dict[str, str]] = {
    CaseStatus.SUBMITTED: {
        "en": "Received, being routed to the office that must act",
        "km": "បានទទួល កំពុងបញ្ជូនទៅការិយាល័យដែលត្រូវដោះស្រាយ",
    },
    CaseStatus.ASSIGNED: {
        "en": "Assigned to an office",
        "km": "បានប្រគល់ទៅការិយាល័យ",
    },
    CaseStatus.ACKNOWLEDGED: {
        "en": "The office is handling it",
        "km": "ការិយាល័យកំពុងដោះស្រាយ",
    },
    CaseStatus.INFORMATION_REQUESTED: {
        "en": "The office asked you a question: please answer it",
        "km": "ការិយាល័យបានសួរសំណួរអ្នក៖ សូមឆ្លើយ",
    },
    CaseStatus.RESOLVED: {
        "en": "Resolved by the office: confirm it, or appeal if it is not",
        "km": "ការិយាល័យបានដោះស្រាយ៖ សូមបញ្ជាក់ ឬប្តឹងឧទ្ធរណ៍ប្រសិនបើមិនទាន់ដោះស្រាយ",
    },
    CaseStatus.REOPENED: {
        "en": "Reopened: being handled again",
        "km": "បានបើកឡើងវិញ៖ កំពុងដោះស្រាយម្តងទៀត",
    },
    CaseStatus.REJECTED: {
        "en": "Not accepted by the office",
        "km": "ការិយាល័យមិនទទួលយក",
    },
    CaseStatus.CLOSED: {
        "en": "Closed",
        "km": "បានបិទ",
    },
    CaseStatus.WITHDRAWN: {
        "en": "Withdrawn by you",
        "km": "អ្នកបានដកវិញ",
    },
}
