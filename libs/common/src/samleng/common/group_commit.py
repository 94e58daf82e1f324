"""Group commit: the writes of concurrent callers made together, in one round trip.

A consumer handles up to ``prefetch_count`` messages side by side, and each used to make
its own small write (archive an event, mark a year changed). A :class:`GroupCommit`
gathers what callers hand it while the previous round is being written, and writes it in
one call::

    keep = GroupCommit(insert_events)     # async def insert_events(docs) -> list[result]
    was_new = await keep.submit(document)  # returns once *this* document is written

``submit`` returns only after a write that began after the call has finished, so a
caller that acks its message after ``submit`` acks a durable write, as before. An idle
service pays no delay: the first caller's round starts on the next turn of the event loop.
The write returns one result per item, in order; an exception in that list is raised to
that caller alone (a poison item fails only its own message), and an exception raised by
the write itself goes to every caller of the round (each retries on its own, as before).
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Sequence
from typing import Generic, TypeVar

__all__ = ["GroupCommit"]

T = TypeVar("T")
R = TypeVar("R")

#: The most items written in one round; more wait for the next round.
MAX_ROUND = 500


class GroupCommit(Generic[T, R]):
    """Writes the items of concurrent callers in rounds: one ``write`` call per round."""

    def __init__(
        self,
        write: Callable[[list[T]], Awaitable[Sequence[R | BaseException]]],
        *,
        max_round: int = MAX_ROUND,
    ) -> None:
        self._write = write
        self._max_round = max_round
        self._waiting: list[tuple[T, asyncio.Future[R]]] = []
        self._rounds: asyncio.Task[None] | None = None

    async def submit(self, item: T) -> R:
        """Have ``item`` written with whatever else is waiting; its result once written."""
        done: asyncio.Future[R] = asyncio.get_running_loop().create_future()
        self._waiting.append((item, done))
        if self._rounds is None or self._rounds.done():
            self._rounds = asyncio.create_task(self._write_rounds())
        return await done

    async def _write_rounds(self) -> None:
        while self._waiting:
            batch = self._waiting[: self._max_round]
            del self._waiting[: self._max_round]
            try:
                results = await self._write([item for item, _ in batch])
            except asyncio.CancelledError:  # the service stops: no caller waits for ever
                for _, done in batch + self._waiting:
                    done.cancel()
                self._waiting = []
                raise
            except Exception as exc:  # every caller of the round sees the failure
                for _, done in batch:
                    if not done.done():
                        done.set_exception(exc)
                continue
            if len(results) != len(batch):
                mismatch = RuntimeError(f"a round of {len(batch)} got {len(results)} results")
                results = [mismatch] * len(batch)
            for (_, done), result in zip(batch, results, strict=True):
                if done.done():  # the caller was cancelled meanwhile
                    continue
                if isinstance(result, BaseException):
                    done.set_exception(result)
                else:
                    done.set_result(result)
