"""A case as routing sees it: where it is, its status and its running clocks. Pure.

Statuses are the common :class:`~samleng.common.events.CaseStatus` words. Routing's own
moves between them (in :mod:`samleng.routing.domain.decisions`):

- ``assigned`` when routed or moved to another office; ``acknowledged`` when that office
  acknowledges; ``resolved`` when it resolves;
- ``rejected``, ``withdrawn``, ``closed`` (``FINAL``): no clock runs, no move is possible;
- a reopening or appeal of a case in ``REOPENABLE`` starts a new round (``acknowledged``
  at the same office, or ``assigned`` one level up on appeal).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from samleng.common.events import FINAL, CaseStatus, Category, FeedbackKind
from samleng.routing.domain.model import Office
from samleng.routing.domain.rules import MoveRefused
from samleng.routing.domain.sla import PausedClock, Timer

#: Statuses a reopening or an appeal starts a new round from: the office's answer
#: (a resolution or a rejection) and a closed case, as intake lets the citizen appeal them.
REOPENABLE = frozenset({CaseStatus.RESOLVED, CaseStatus.REJECTED, CaseStatus.CLOSED})
#: How many processed event ids a case remembers for deduplication.
SEEN_LIMIT = 500


#: The moves that hand a case on to another office (the move limit counts them).
HAND_OFFS = frozenset({"transfer-on-request", "forward-to-ministry"})


class CaseClosed(MoveRefused):
    """The case is closed, rejected or withdrawn: nothing can move it any more."""


@dataclass
class Case:
    """Routing's record of one case."""

    complaint_id: str
    correlation_id: str
    kind: FeedbackKind
    category: Category
    province_code: str
    district_code: str
    commune_code: str
    office: Office
    directory_version: str
    # the office whose own officials the complaint is about: it must never get the case
    accused_office_id: str | None = None
    service_code: str | None = None
    # the overall deadline: from submission (or the last reopening), moves do not restart it
    overall_by: datetime | None = None
    status: CaseStatus = CaseStatus.ASSIGNED
    last_sequence: int = 1
    timers: list[Timer] = field(default_factory=list)
    # the office's clocks stopped while a question waits for the citizen
    paused: list[PausedClock] = field(default_factory=list)
    moves: list[dict[str, str]] = field(default_factory=list)
    seen: list[str] = field(default_factory=list)

    @property
    def is_final(self) -> bool:
        """True once closed, rejected or withdrawn."""
        return self.status in FINAL

    @property
    def next_due_at(self) -> datetime | None:
        """When a clock of this case next needs attention (None: no clock runs)."""
        return min((t.next_at for t in self.timers), default=None)

    def remember(self, event_id: str, sequence: int) -> None:
        """Note an event as handled and its sequence as seen."""
        self.seen = [*self.seen, event_id][-SEEN_LIMIT:]
        self.last_sequence = max(self.last_sequence, sequence)

    def has_seen(self, event_id: str) -> bool:
        """Whether this event was already handled."""
        return event_id in self.seen

    @property
    def hand_offs(self) -> int:
        """How many times the case was transferred or forwarded."""
        return sum(1 for m in self.moves if m.get("rule") in HAND_OFFS)

    @property
    def waits_for_citizen(self) -> bool:
        """Whether the office's clocks are paused for a question to the citizen."""
        return bool(self.paused) or any(t.deadline == "reply" for t in self.timers)

    def stop(self, *deadlines: str) -> None:
        """Stop the clocks (running or paused) of these deadlines."""
        self.timers = [t for t in self.timers if t.deadline not in deadlines]
        self.paused = [p for p in self.paused if p.deadline not in deadlines]

    def stop_all(self) -> None:
        """Stop every clock, running or paused."""
        self.timers, self.paused = [], []

    def ensure_open(self) -> None:
        """Refuse to act on a final case."""
        if self.is_final:
            raise CaseClosed(
                f"the case is {self.status}; it cannot be moved",
                f"ករណីនេះត្រូវបានបិទ បដិសេធ ឬដកវិញហើយ ({self.status}) មិនអាចផ្ទេរបានទេ",
            )
