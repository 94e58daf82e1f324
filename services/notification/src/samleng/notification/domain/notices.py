"""Which notices an event causes, and for whom. Pure: no I/O.

A notice is "tell this audience this kind of news about this case". Officers of an office
hear about cases that arrive at, leave or wait in their office; the citizen who left a
contact hears about their own case, never its content.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import asdict, dataclass
from datetime import datetime
from enum import StrEnum
from typing import Any, Literal

from samleng.common.events import (
    ComplaintAssigned,
    ComplaintClosed,
    ComplaintEscalated,
    ComplaintForwarded,
    ComplaintLinked,
    ComplaintResolved,
    ComplaintTransferred,
    DeadlineApproaching,
    DeadlinePassed,
    Event,
    InformationProvided,
    InformationRequested,
    MoveRequestRefused,
    OfficeRef,
)

Audience = Literal["office", "citizen"]


class NoticeKind(StrEnum):
    """The news a notice carries; each kind has its own Khmer and English template."""

    # to the officers of an office
    ASSIGNED = "assigned"
    TRANSFERRED_IN = "transferred_in"
    FORWARDED_IN = "forwarded_in"
    ESCALATED_IN = "escalated_in"
    ESCALATED_AWAY = "escalated_away"
    CITIZEN_ANSWERED = "citizen_answered"
    DEADLINE_APPROACHING = "deadline_approaching"
    DEADLINE_PASSED = "deadline_passed"
    MOVE_REFUSED = "move_refused"
    # to the citizen who left a contact
    CASE_ASSIGNED = "case_assigned"
    QUESTION_ASKED = "question_asked"
    CASE_RESOLVED = "case_resolved"
    CASE_ESCALATED = "case_escalated"
    CASE_FORWARDED = "case_forwarded"
    CASE_CLOSED = "case_closed"
    CASE_CLOSED_NO_REPLY = "case_closed_no_reply"
    CASE_CLOSED_WITH_OTHERS = "case_closed_with_others"
    CASE_LINKED = "case_linked"


@dataclass(frozen=True)
class Notice:
    """One piece of news about one case for one audience, caused by one event."""

    kind: NoticeKind
    audience: Audience
    event_id: str
    event_type: str
    complaint_id: str
    occurred_at: datetime
    office_id: str | None = None  # the office whose officers are told (audience "office")
    sequence: int = 0  # the causing event's place in the case's history
    # what the templates may say; never the description, a note or a contact
    params: tuple[tuple[str, str], ...] = ()

    def param(self, name: str) -> str:
        """One template parameter ("" if absent)."""
        return dict(self.params).get(name, "")

    def to_document(self) -> dict[str, Any]:
        """A plain dict to keep while the citizen's contacts are not known yet."""
        doc = asdict(self)
        doc["params"] = [list(pair) for pair in self.params]
        return doc

    @classmethod
    def from_document(cls, doc: dict[str, Any]) -> Notice:
        """The notice kept by :meth:`to_document`."""
        return cls(
            kind=NoticeKind(doc["kind"]),
            audience=doc["audience"],
            event_id=doc["event_id"],
            event_type=doc["event_type"],
            complaint_id=doc["complaint_id"],
            occurred_at=doc["occurred_at"],
            office_id=doc.get("office_id"),
            sequence=int(doc.get("sequence", 0)),
            params=tuple((str(k), str(v)) for k, v in doc.get("params", ())),
        )


def _office_params(office: OfficeRef, prefix: str = "office") -> tuple[tuple[str, str], ...]:
    return ((f"{prefix}_en", office.name_en), (f"{prefix}_km", office.name_km))


def notices_for(event: Event) -> list[Notice]:
    """The notices an event causes.

    An office notice without ``office_id`` is for whichever office is in charge of the
    case (the event did not say); the handler finds it.
    """

    def notice(
        kind: NoticeKind,
        audience: Audience,
        office_id: str | None = None,
        params: tuple[tuple[str, str], ...] = (),
    ) -> Notice:
        return Notice(
            kind=kind,
            audience=audience,
            event_id=str(event.event_id),
            event_type=event.type,
            complaint_id=event.complaint_id,
            occurred_at=event.occurred_at,
            office_id=office_id,
            sequence=event.sequence,
            params=params,
        )

    if isinstance(event, ComplaintAssigned):
        office = event.data.office
        return [
            notice(NoticeKind.ASSIGNED, "office", office.office_id, _office_params(office)),
            notice(NoticeKind.CASE_ASSIGNED, "citizen"),
        ]
    if isinstance(event, ComplaintEscalated):
        old, new = event.data.from_office, event.data.to_office
        moved = _office_params(old, "from") + _office_params(new, "to")
        trigger = (("trigger", event.data.trigger),)
        return [
            notice(NoticeKind.ESCALATED_IN, "office", new.office_id, moved + trigger),
            notice(NoticeKind.ESCALATED_AWAY, "office", old.office_id, moved + trigger),
            notice(NoticeKind.CASE_ESCALATED, "citizen"),
        ]
    if isinstance(event, ComplaintForwarded):
        new = event.data.to_office
        return [
            notice(NoticeKind.FORWARDED_IN, "office", new.office_id, _office_params(new)),
            notice(NoticeKind.CASE_FORWARDED, "citizen"),
        ]
    if isinstance(event, ComplaintTransferred):
        new = event.data.to_office
        return [notice(NoticeKind.TRANSFERRED_IN, "office", new.office_id, _office_params(new))]
    if isinstance(event, DeadlineApproaching | DeadlinePassed):
        kind = (
            NoticeKind.DEADLINE_APPROACHING
            if isinstance(event, DeadlineApproaching)
            else NoticeKind.DEADLINE_PASSED
        )
        data = event.data
        params = (
            *_office_params(data.office),
            ("deadline", data.deadline),
            ("due_at", data.due_at.strftime("%Y-%m-%d %H:%M")),
        )
        return [notice(kind, "office", data.office.office_id, params)]
    if isinstance(event, InformationProvided):
        return [notice(NoticeKind.CITIZEN_ANSWERED, "office", event.data.office_id)]
    if isinstance(event, InformationRequested):
        return [notice(NoticeKind.QUESTION_ASKED, "citizen")]
    if isinstance(event, ComplaintResolved):
        return [notice(NoticeKind.CASE_RESOLVED, "citizen")]
    if isinstance(event, ComplaintLinked):  # never which case: only that there are others
        return [notice(NoticeKind.CASE_LINKED, "citizen")]
    if isinstance(event, ComplaintClosed):
        return _closed(event, notice)
    if isinstance(event, MoveRequestRefused):
        refusal = event.data
        params = (
            ("request", refusal.request),
            ("asked", refusal.to_office_id or refusal.to_ministry or ""),
            ("reason_en", refusal.reason_en),
            ("reason_km", refusal.reason_km),
        )
        return [notice(NoticeKind.MOVE_REFUSED, "office", refusal.office_id, params)]
    return []


def _closed(event: ComplaintClosed, notice: Callable[..., Notice]) -> list[Notice]:
    """A closure the citizen did not make themselves: the period ran out, or their answer
    to the office's question never came (``no_reply``). A citizen who confirmed the
    resolution closed it on the tracking page and is not told what they just did."""
    if event.data.how != "auto_closed":
        return []
    if event.data.reason == "no_reply":
        return [notice(NoticeKind.CASE_CLOSED_NO_REPLY, "citizen")]
    if event.data.follows is not None:  # never which case: only that there were others
        return [notice(NoticeKind.CASE_CLOSED_WITH_OTHERS, "citizen")]
    return [notice(NoticeKind.CASE_CLOSED, "citizen")]


def office_of(event: Event) -> str | None:
    """The office responsible for the case after this event, if the event says so."""
    if isinstance(event, ComplaintAssigned):
        return event.data.office.office_id
    if isinstance(event, ComplaintEscalated | ComplaintForwarded | ComplaintTransferred):
        return event.data.to_office.office_id
    return None


def office_in_charge(moves: list[tuple[int, str]], sequence: int) -> str | None:
    """The office a case was with just before event ``sequence``, from its known moves.

    ``moves`` are (sequence, office id) of assignments, transfers, forwards and
    escalations, in any order: events may arrive late, so the answer depends only on
    sequences, never on arrival order. None while no earlier move is known.
    """
    earlier = [move for move in moves if move[0] < sequence]
    return max(earlier)[1] if earlier else None
