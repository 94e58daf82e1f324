"""Progress of long operator work as plain lines: counts, rate and an ETA.

    progress = Progress("rebuild", total=5000, unit="case records")
    for item in items:
        ...
        progress.advance()
    progress.finish()
    # rebuild: 1,200/5,000 case records (24%), 350/s, ETA 0:00:11
    # rebuild: done, 5,000 case records in 0:00:14

A line is written at the start, then at most every ``every_seconds``, and at the end, so a
run of minutes is never silent and a log is not flooded. Lines go to stderr by default (the
command's result stays alone on stdout), or to any ``say`` callable, e.g. a logger.
"""

from __future__ import annotations

import sys
import time
from collections.abc import Callable
from datetime import timedelta


def _stderr(line: str) -> None:
    print(line, file=sys.stderr, flush=True)


def _duration(seconds: float) -> str:
    return str(timedelta(seconds=round(seconds)))


class Progress:
    """Counts work done and says how far along it is and when it should end."""

    def __init__(
        self,
        what: str,
        total: int | None,
        *,
        unit: str = "items",
        every_seconds: float = 2.0,
        say: Callable[[str], None] | None = None,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.what, self.total, self.unit = what, total, unit
        self.done = 0
        self._every, self._say, self._clock = every_seconds, say or _stderr, clock
        self._started = self._last = clock()
        of = f" of {total:,} {unit}" if total is not None else ""
        self._say(f"{what}: started{of}")

    def advance(self, count: int = 1) -> None:
        """Count ``count`` more done; say so when the last line is old enough."""
        self.done += count
        now = self._clock()
        if now - self._last >= self._every:
            self._last = now
            self._say(self.line(now))

    def line(self, now: float | None = None) -> str:
        """Where the work stands: done/total, share, rate and ETA (when a total is known)."""
        elapsed = max((now if now is not None else self._clock()) - self._started, 1e-9)
        rate = self.done / elapsed
        if self.total is None:
            return f"{self.what}: {self.done:,} {self.unit}, {rate:,.0f}/s"
        share = self.done / self.total if self.total else 1.0
        left = (self.total - self.done) / rate if rate > 0 else None
        eta = _duration(left) if left is not None else "unknown"
        return (
            f"{self.what}: {self.done:,}/{self.total:,} {self.unit} ({share:.0%}), "
            f"{rate:,.0f}/s, ETA {eta}"
        )

    def finish(self) -> None:
        """Say the work is done, how much and how long it took."""
        took = _duration(self._clock() - self._started)
        self._say(f"{self.what}: done, {self.done:,} {self.unit} in {took}")
