"""Clocks: routing's deadlines and timers read the time only through the ``Clock`` port.

Production uses :class:`SystemClock`; tests pass a :class:`ManualClock` to
``bootstrap(settings, clock=...)`` and move it forward instead of sleeping.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta


class SystemClock:
    """The real time."""

    def now(self) -> datetime:
        """The current instant."""
        return datetime.now(UTC)


class ManualClock:
    """A clock that only moves when told to (for tests and simulations)."""

    def __init__(self, start: datetime | None = None) -> None:
        self._now = start or datetime.now(UTC)

    def now(self) -> datetime:
        """The instant the clock shows."""
        return self._now

    def advance(self, delta: timedelta) -> datetime:
        """Move the clock forward and return the new instant."""
        self._now += delta
        return self._now
