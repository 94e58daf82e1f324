"""Private infrastructure that starts on entering a ``with`` block and always stops on
leaving it, even when starting failed half-way::

    class MongoReplicaSet(Started):
        def start(self) -> None: ...
        def close(self) -> None: ...   # must cope with a half-started self
"""

from __future__ import annotations

from types import TracebackType
from typing import Self


class Started:
    """``with thing:`` runs ``start()`` and, however the block ends, ``close()``."""

    def start(self) -> None:
        """Bring the thing up (subclasses)."""
        raise NotImplementedError

    def close(self) -> None:
        """Take down whatever is up (subclasses)."""
        raise NotImplementedError

    def __enter__(self) -> Self:
        try:
            self.start()
        except BaseException:
            self.close()
            raise
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        trace: TracebackType | None,
    ) -> None:
        self.close()
