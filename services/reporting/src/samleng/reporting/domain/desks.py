"""The desks' public figures: cases filed at each desk, and the social-media desk's
messages received and dismissed. Pure.

Cases come from the channel breakdown (``publication``). Messages are not cases: intake
announces each one's arrival and dismissal (``desk.message_received``,
``desk.message_dismissed``), reporting keeps one :class:`DeskCount` per event, and the
publication counts them by period in rows ``<period>|national|messages:<desk kind>``,
inside the year's suppression (a quarter's messages are its months', the year's its
quarters'). The desks table then shows both, a row per desk kind::

    desks/2026-05/national: received, in_progress, resolved, ended_otherwise,
                            messages_received, messages_dismissed
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Literal

from samleng.common.events import DeskMessageDismissed, DeskMessageReceived, Event
from samleng.reporting.domain.periods import Period
from samleng.reporting.domain.suppression import Cell, SuppressedTable, Suppression, table_of

#: Columns of a messages row, as counted.
MESSAGE_COLUMNS = ("received", "dismissed")
#: The messages row's columns as the desks table shows them.
SHOWN_MESSAGE_COLUMNS = ("messages_received", "messages_dismissed")
#: The case columns of the desks table ("open" shown as "in_progress", as the ministry's
#: team reports it), then the messages'.
CASE_COLUMNS = ("received", "in_progress", "resolved", "ended_otherwise")
DESK_COLUMNS = (*CASE_COLUMNS, *SHOWN_MESSAGE_COLUMNS)

Happening = Literal["received", "dismissed"]


@dataclass(frozen=True)
class DeskCount:
    """One message's arrival or dismissal at a kind of desk (``social_media``), and when."""

    event_id: str
    desk_kind: str
    happened: Happening
    at: datetime
    #: a dismissal's category (``not_feedback``, ``spam``…); None for an arrival
    reason: str | None = None


def count_of(event: Event) -> DeskCount | None:
    """What a desk event counts for (None for any other event)."""
    happened: Happening
    if isinstance(event, DeskMessageReceived):
        kind, happened, reason = event.data.desk, "received", None
    elif isinstance(event, DeskMessageDismissed):
        kind, happened, reason = event.data.desk, "dismissed", event.data.reason.value
    else:
        return None
    return DeskCount(
        str(event.event_id), kind.split(":", 1)[0], happened, event.occurred_at, reason
    )


def messages_row(period: str, area: str, desk_kind: str) -> str:
    """The publication's row of one desk kind's messages in a period."""
    return f"{period}|{area}|messages:{desk_kind}"


def count_messages(
    add: Callable[[str, tuple[str, ...], str], None],
    counts: Iterable[DeskCount],
    periods: Iterable[Period],
    now: datetime,
    area: str,
) -> None:
    """Add each arrival and dismissal to the rows of the periods it happened in."""
    periods = list(periods)
    for count in counts:
        for period in periods:
            if period.start <= count.at < min(period.end, now):
                row = messages_row(period.label, area, count.desk_kind)
                add(row, MESSAGE_COLUMNS, count.happened)


def desk_table(
    members: Mapping[str, tuple[str | None, str | None]],
    group_columns: tuple[str, ...],
    values: Mapping[Cell, int],
    done: Suppression,
) -> SuppressedTable:
    """The desks table of a period: per desk kind (its cases' row, its messages' row),
    the cells as the publication's suppression left them. A desk without one of the rows
    counted none of it: 0 (counters and the hotline receive no Page messages)."""
    keys = sorted(members)
    mine: dict[Cell, float | None] = {}
    primary: set[Cell] = set()
    complementary: set[Cell] = set()
    for key in keys:
        group_row, messages = members[key]
        parts = (
            (group_row, group_columns, CASE_COLUMNS),
            (messages, MESSAGE_COLUMNS, SHOWN_MESSAGE_COLUMNS),
        )
        for row, counted, shown in parts:
            for column, name in zip(counted, shown, strict=True):
                mine[(key, name)] = 0 if row is None else values[(row, column)]
                if row is not None and (row, column) in done.primary:
                    primary.add((key, name))
                elif row is not None and (row, column) in done.complementary:
                    complementary.add((key, name))
    return table_of(
        keys, DESK_COLUMNS, mine, Suppression(frozenset(primary), frozenset(complementary))
    )
