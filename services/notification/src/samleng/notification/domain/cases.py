"""What notification remembers of a case, and which waiting notices it can place. Pure.

A case's record holds the citizen's sealed contacts and language (from
complaint.submitted), the offices the case moved through (with each move's sequence),
every citizen notice (sent again to contacts that arrive late) and the office notices
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
