"""Attachments: recognised by their content, cleaned of metadata, stored in GridFS.

The file name and the client's declared type are ignored: the first bytes decide what a
file is, and only JPEG, PNG, WebP and PDF are accepted (:mod:`.cleaning` says how each
is judged and cleaned). Every limit is checked before anything is decoded; decoding and
cleaning then run in a :class:`FileCleaner`: a few worker processes behind a bounded
queue, so a large image neither blocks the event loop that answers every other request
nor grows intake's own memory, and a burst of uploads is answered 503 with
``Retry-After`` (:class:`CleanerBusy`) instead of queueing without bound.

Stored files are named by a random id that only officers of the case's office are
given; citizens never download them.
"""

from __future__ import annotations

import asyncio
import contextlib
import multiprocessing
import os
import uuid
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from gridfs import AsyncGridFSBucket
from gridfs.errors import NoFile
from pymongo.asynchronous.database import AsyncDatabase

from samleng.intake.adapters.cleaning import UnacceptableFile, clean, inspect
from samleng.intake.domain.model import Attachment

__all__ = [
    "AttachmentErased",
    "AttachmentStore",
    "CleanFile",
    "CleanerBusy",
    "FileCleaner",
    "UnacceptableFile",
]

#: what the cleaning workers load once, in the fork server (the cleaning module imports
#: Pillow and pikepdf only when it uses them: the serving process never needs pikepdf)
PRELOADED = ["PIL.Image", "PIL.ImageOps", "pikepdf", "samleng.intake.adapters.cleaning"]
#: how long a refused upload is told to wait: about one file's cleaning
RETRY_AFTER_SECONDS = 5


class AttachmentErased(LookupError):
    """The file was erased under the retention policy (its case was closed long ago)."""


class CleanerBusy(Exception):
    """Every worker is busy and the queue in front of them is full; retry later."""

    def __init__(self, retry_after: int) -> None:
        super().__init__(f"retry after {retry_after} s")
        self.retry_after = retry_after


@dataclass(frozen=True)
class CleanFile:
    """A file ready to store: its sniffed type and cleaned bytes."""

    media_type: str
    data: bytes


def _lower_priority() -> None:
    """Worker processes yield the CPU to the process that answers requests."""
    os.nice(10)


class FileCleaner:
    """Inspects uploads on the event loop (cheap) and cleans them in worker processes.

    At most ``workers`` files are cleaned at once and ``queue`` more wait; past that,
    :meth:`clean` raises :class:`CleanerBusy`. Workers are started on first use, replaced
    after ``tasks_per_worker`` files (memory a large image left behind is returned) and
    stopped by :meth:`close` (``serve`` calls it when the service stops).
    """

    def __init__(
        self, *, workers: int, queue: int, max_pixels: int, tasks_per_worker: int = 50
    ) -> None:
        self.workers = workers
        self.capacity = workers + queue
        self.max_pixels = max_pixels
        self.tasks_per_worker = tasks_per_worker
        #: files being cleaned or waiting for a worker now
        self.in_flight = 0
        #: files handed to the workers since the start (a counter for operators and tests)
        self.admitted = 0
        self._executor: ProcessPoolExecutor | None = None

    async def clean(self, data: bytes) -> CleanFile:
        """Check the file's type and header, then clean it in a worker (bounded)."""
        media_type = inspect(data, self.max_pixels)
        if self.in_flight >= self.capacity:
            raise CleanerBusy(RETRY_AFTER_SECONDS)
        loop = asyncio.get_running_loop()
        try:
            job: Future[bytes] = self._pool().submit(clean, data, media_type)
        except BrokenProcessPool:
            self._discard_pool()
            raise CleanerBusy(RETRY_AFTER_SECONDS) from None
        self.in_flight += 1
        self.admitted += 1
        job.add_done_callback(lambda _: self._release_from(loop))
        try:
            cleaned = await asyncio.wrap_future(job)
        except BrokenProcessPool:
            # a worker died (killed for memory, crashed): start afresh for the next files
            self._discard_pool()
            raise CleanerBusy(RETRY_AFTER_SECONDS) from None
        return CleanFile(media_type, cleaned)

    def _release_from(self, loop: asyncio.AbstractEventLoop) -> None:
        # released when the worker is done, even if the request was abandoned meanwhile
        with contextlib.suppress(RuntimeError):  # the loop is closed: the service stopped
            loop.call_soon_threadsafe(self._release)

    def _release(self) -> None:
        self.in_flight -= 1

    def _pool(self) -> ProcessPoolExecutor:
        if self._executor is None:
            # forkserver: workers never inherit the threads of the serving process
            context = multiprocessing.get_context("forkserver")
            context.set_forkserver_preload(PRELOADED)
            self._executor = ProcessPoolExecutor(
                max_workers=self.workers,
                mp_context=context,
                initializer=_lower_priority,
                max_tasks_per_child=self.tasks_per_worker,
            )
        return self._executor

    def _discard_pool(self) -> None:
        executor, self._executor = self._executor, None
        if executor is not None:
            executor.shutdown(wait=False, cancel_futures=True)

    def close(self) -> None:
        """Stop the workers (files being cleaned are abandoned)."""
        self._discard_pool()

    async def serve(self) -> None:
        """Keep the workers for the service's lifetime; stop them when it stops."""
        try:
            await asyncio.Event().wait()
        finally:
            self.close()


class AttachmentStore:
    """Attachment bytes in GridFS (bucket ``attachments``), named by a random id."""

    def __init__(self, db: AsyncDatabase[dict[str, Any]], cleaner: FileCleaner) -> None:
        self._bucket = AsyncGridFSBucket(db, bucket_name="attachments")
        self.cleaner = cleaner

    async def put(self, complaint_id: str, data: bytes, now: datetime) -> Attachment:
        """Clean the upload (:class:`FileCleaner`) and store it under a random id."""
        file = await self.cleaner.clean(data)
        attachment_id = uuid.uuid4().hex
        await self._bucket.upload_from_stream_with_id(
            attachment_id,
            attachment_id,
            file.data,
            metadata={"complaint_id": complaint_id, "content_type": file.media_type},
        )
        return Attachment(
            attachment_id=attachment_id, content_type=file.media_type, size=len(file.data), at=now
        )

    async def read(self, attachment_id: str) -> bytes:
        """The stored bytes (for the officer side and tests); AttachmentErased once the
        retention policy erased them."""
        try:
            stream = await self._bucket.open_download_stream(attachment_id)
        except NoFile:
            raise AttachmentErased(attachment_id) from None
        return bytes(await stream.read())

    async def delete(self, attachment_id: str) -> None:
        """Remove a stored file (when its case could not record it)."""
        await self._bucket.delete(attachment_id)
