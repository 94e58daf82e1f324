"""What a service learned about its dependencies while working, for ``/readyz``.

A consumer that cannot reach MongoDB or the broker says so here, and readiness reports
the dependency down until a later attempt succeeds::

    health = DependencyHealth()
    health.down("mongodb", "server selection timed out")
    health.snapshot()   # {"mongodb": False}
    health.up("mongodb")

:func:`transient_dependency` tells a failure of a dependency (retry later; the message
is not at fault) from any other error.
"""

from __future__ import annotations

from aiormq.exceptions import AMQPConnectionError, ChannelInvalidStateError
from pymongo.errors import ConnectionFailure, PyMongoError, WriteConcernError


class DependencyUnavailable(Exception):
    """Something a handler depends on cannot be reached right now; try again later."""

    def __init__(self, dependency: str, reason: str) -> None:
        super().__init__(f"{dependency} unavailable: {reason}")
        self.dependency = dependency


class DependencyHealth:
    """The dependencies found down while working, each with the reason."""

    def __init__(self) -> None:
        self._down: dict[str, str] = {}

    def down(self, dependency: str, reason: str) -> None:
        """Record that ``dependency`` failed (readiness reports it down)."""
        self._down[dependency] = reason[:200]

    def up(self, dependency: str) -> None:
        """Record that ``dependency`` answered again."""
        self._down.pop(dependency, None)

    def snapshot(self) -> dict[str, bool]:
        """Each dependency found down, as ``{name: False}``."""
        return dict.fromkeys(self._down, False)

    def reasons(self) -> dict[str, str]:
        """Why each dependency is down."""
        return dict(self._down)


def transient_dependency(exc: BaseException) -> str | None:
    """The dependency whose outage caused ``exc``, or None if ``exc`` is not transient."""
    if isinstance(exc, DependencyUnavailable):
        return exc.dependency
    if isinstance(exc, ConnectionFailure | WriteConcernError):
        return "mongodb"
    if isinstance(exc, PyMongoError) and exc.has_error_label("TransientTransactionError"):
        return "mongodb"
    if isinstance(exc, AMQPConnectionError | ChannelInvalidStateError | ConnectionError):
        return "broker"
    return None
