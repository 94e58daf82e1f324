"""What notification remembers of a case, and which waiting notices it can place. Pure.

A case's record holds the citizen's sealed contacts and language (from
complaint.submitted), which of them confirmed they want messages (``domain/consent.py``),
the offices the case moved through (with each move's sequence),
every citizen notice (sent to contacts that arrive or confirm late) and the office notices
that wait for the office in charge to be known (an answer that overtook the assignment).
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from samleng.common.events import Event, SealedContact
from samleng.notification.domain.notices import Notice, office_in_charge, office_of


@dataclass(frozen=True)
class Move:
    """The case went to ``office_id`` with event number ``sequence``."""

    sequence: int
    office_id: str


def move_of(event: Event) -> Move | None:
    """The move this event makes, if it names the office now responsible for the case."""
    office_id = office_of(event)
    return Move(event.sequence, office_id) if office_id else None


@dataclass(frozen=True)
class CaseRecord:
    """What notification knows of one case (nothing yet, by default)."""

    contacts_known: bool = False
    language: str = "km"
    contacts: tuple[SealedContact, ...] = ()
    notices: tuple[Notice, ...] = ()  # citizen notices, kept for contacts that come late
    office_notices: tuple[Notice, ...] = ()  # office notices waiting for their office
    moves: tuple[Move, ...] = ()
    confirmed: frozenset[int] = frozenset()  # contacts whose holder confirmed (by index)
    contacts_erased: bool = False  # by the retention policy (domain/retention.py)

    @property
    def awaiting_consent(self) -> bool:
        """True while some contact has not confirmed (its notices are kept until it does)."""
        return not self.contacts_known or len(self.confirmed) < len(self.contacts)

    def placeable(self) -> list[Notice]:
        """The waiting office notices whose office is known now, with that office filled in.

        The office is the one the case was with just before the notice's event, by
        sequence, never by arrival order.
        """
        moves = [(m.sequence, m.office_id) for m in self.moves]
        placed = []
        for notice in self.office_notices:
            office = office_in_charge(moves, notice.sequence)
            if office:
                placed.append(replace(notice, office_id=office))
        return placed
