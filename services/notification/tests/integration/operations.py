"""Counting the MongoDB commands a notification process sends to its own database.

PyMongo's command monitoring is process-wide (clients take their listeners when they are
made), so one listener is registered once and counts only while a :func:`counting` block
runs, and only commands on the named database.
"""

from __future__ import annotations

import contextlib
import contextvars
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field

from pymongo import monitoring

_unseen: contextvars.ContextVar[bool] = contextvars.ContextVar("unseen", default=False)

#: Commands that change documents (a findAndModify that finds nothing still counts).
WRITES = frozenset({"insert", "update", "delete", "findAndModify"})


@dataclass
class OperationCount(monitoring.CommandListener):
    """Commands by name sent to one database while counting is on (and by collection)."""

    database: str = ""
    commands: Counter[str] = field(default_factory=Counter)
    by_collection: Counter[tuple[str, str]] = field(default_factory=Counter)

    def started(self, event: monitoring.CommandStartedEvent) -> None:
        """Count a command to the watched database."""
        if self.database and event.database_name == self.database and not _unseen.get():
            self.commands[event.command_name] += 1
            collection = event.command.get(event.command_name)
            if isinstance(collection, str):
                self.by_collection[(event.command_name, collection)] += 1

    def succeeded(self, event: monitoring.CommandSucceededEvent) -> None:
        """Nothing to do."""

    def failed(self, event: monitoring.CommandFailedEvent) -> None:
        """Nothing to do."""

    @property
    def writes(self) -> int:
        """How many write commands were sent."""
        return sum(n for name, n in self.commands.items() if name in WRITES)

    @property
    def total(self) -> int:
        """How many commands were sent."""
        return sum(self.commands.values())


_listener = OperationCount()
monitoring.register(_listener)


@contextlib.contextmanager
def counting(database: str) -> Iterator[OperationCount]:
    """Count the commands clients made from now on send to ``database`` inside the block."""
    _listener.database, _listener.commands = database, Counter()
    _listener.by_collection = Counter()
    try:
        yield _listener
    finally:
        _listener.database = ""


@contextlib.contextmanager
def unseen() -> Iterator[None]:
    """Commands the current task sends inside the block are not counted (a test's probes)."""
    token = _unseen.set(True)
    try:
        yield
    finally:
        _unseen.reset(token)
