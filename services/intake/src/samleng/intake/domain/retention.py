"""How long intake keeps what could identify a citizen after their case is closed. Pure.

A case is closed when it reaches a final status (closed, rejected, withdrawn); it stays
closed from the time of that last change. ``contacts_days`` after it, the sealed reporter
details (contact channels, self-declared gender and age band) are erased; after
``attachments_days``, the files the citizen attached. The case record itself (status,
area, service, dates, timeline) stays: it is what the public statistics are made of.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from samleng.common.events.status import FINAL
from samleng.intake.domain.audit import AuditRecord
from samleng.intake.domain.model import Case

#: The actor of erasures in the audit trail (no person: the retention policy).
RETENTION_SUBJECT = "retention-policy"


class Erasure(StrEnum):
    """What the retention policy erases, in the order it falls due."""

    CONTACTS = "contacts"
    ATTACHMENTS = "attachments"


@dataclass(frozen=True)
class RetentionPolicy:
    """Days after closure until each erasure."""

    contacts_days: int
    attachments_days: int

    def cutoffs(self, now: datetime) -> dict[Erasure, datetime]:
        """For each erasure: cases closed before this instant are due."""
        return {
            Erasure.CONTACTS: now - timedelta(days=self.contacts_days),
            Erasure.ATTACHMENTS: now - timedelta(days=self.attachments_days),
        }


def closed_at(case: Case) -> datetime | None:
    """When the case reached the final status it is in; None while it is not final."""
    if case.status not in FINAL:
        return None
    # the latest step into that status (a case reopened and closed again counts anew)
    into = [entry.at for entry in case.timeline if entry.status is case.status]
    return max(into, default=case.submitted_at)


def erasure_record(complaint_id: str, erasure: Erasure, count: int, now: datetime) -> AuditRecord:
    """The audit entry of one erasure: what kind and how many items, nothing they held."""
    return AuditRecord(
        at=now,
        subject=RETENTION_SUBJECT,
        role="system",
        office_id=None,
        action=f"retention.erase-{erasure.value}",
        complaint_id=complaint_id,
        detail=f"{count} erased",
    )
