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
from typing import Any, Generic, TypeVar

from pymongo.asynchronous.collection import AsyncCollection
from pymongo.errors import BulkWriteError, WriteError

__all__ = ["DUPLICATE_KEY", "GroupCommit", "NewDocuments", "note_refusals"]

Document = dict[str, Any]
#: MongoDB's error code for a unique key stored already.
DUPLICATE_KEY = 11000

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


class NewDocuments:
    """Inserts into one collection in group commits; each caller learns if its was new.

    One unordered ``insert_many`` per round: a document whose ``_id`` (or other unique
    key) is stored already comes back False, one the server refuses otherwise raises
    :class:`~pymongo.errors.WriteError` to its caller only, and a write concern the
    round did not reach raises to every caller (none of them is durable).
    """

    def __init__(self, collection: AsyncCollection[Document]) -> None:
        self._collection = collection
        self._rounds: GroupCommit[Document, bool] = GroupCommit(self._insert)

    async def insert(self, document: Document) -> bool:
        """Store the document; False if it (its unique key) was stored already."""
        return await self._rounds.submit(document)

    async def _insert(self, documents: list[Document]) -> list[bool | BaseException]:
        outcome: list[bool | BaseException] = [True] * len(documents)
        try:
            await self._collection.insert_many(documents, ordered=False)
        except BulkWriteError as exc:
            note_refusals(exc, outcome)
        return outcome


def note_refusals(exc: BulkWriteError, outcome: list[bool | BaseException]) -> None:
    """Mark the writes of an unordered bulk write the server refused: a unique key stored
    already is False, any other refusal its WriteError. A write concern the round did not
    reach is raised again: no write of the round is known durable."""
    if exc.details.get("writeConcernErrors"):
        raise exc
    for error in exc.details.get("writeErrors", ()):
        code = error.get("code")
        outcome[error["index"]] = (
            False if code == DUPLICATE_KEY else WriteError(error.get("errmsg", ""), code, error)
        )
