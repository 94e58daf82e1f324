"""One short-lived process per publication build, fed the case records as a stream.

    worker = BuildWorker()
    publication = await worker.build(records, year, as_of, threshold, previous, calendar, desks)
    worker.stop()                                   # kills a build in progress

``records`` is an async iterator (the MongoDB cursor): the service sends the records to
the build process a chunk at a time and never holds a year of them, and the process
counts each chunk as it arrives (``domain.publication.build`` reads its records once), so
it holds the year's cells, never its records. The counting and the suppression are
CPU-bound: in a process of their own they leave the service's event loop (and its
interpreter lock) to the consumer and the API. The process exits when the build is done,
so a service at rest holds no build at all.

The process (``entrypoints/build_process.py``) is started with ``python -m``, not
``multiprocessing`` (no resource tracker process beside it), and imports the domain only.
It never outlives the service: ``stop()`` kills it at once, even in the middle of a build
(a graceful stop must not wait minutes for a year of figures), and if the service dies
(``kill -9``, a crash) the process notices and exits (see its module).
"""

from __future__ import annotations

import asyncio
import contextlib
import ctypes
import os
import pickle
import sys
from collections.abc import AsyncIterable, Sequence
from typing import TYPE_CHECKING, Any

from samleng.reporting.entrypoints import build_process
from samleng.reporting.entrypoints.build_process import LENGTH

if TYPE_CHECKING:
    from samleng.common.calendar import WorkingCalendar
    from samleng.reporting.domain.cases import CaseRecord
    from samleng.reporting.domain.desks import DeskCount
    from samleng.reporting.domain.publication import Publication

#: Records sent to the build process per frame (about 1.5 MB of pickle).
CHUNK = 1000


class BuildFailed(RuntimeError):
    """The build process failed, or was stopped, before it returned a publication."""


class BuildWorker:
    """Runs each build in a process of its own, one build at a time."""

    def __init__(self) -> None:
        self._process: asyncio.subprocess.Process | None = None

    async def build(
        self,
        records: AsyncIterable[CaseRecord],
        year: int,
        now: Any,
        threshold: int,
        previous: Any,
        calendar: WorkingCalendar,
        desk_counts: Sequence[DeskCount] = (),
    ) -> Publication:
        """``domain.publication.build`` of these arguments, in a build process."""
        process = await asyncio.create_subprocess_exec(
            sys.executable,
            "-m",
            build_process.__name__,
            str(os.getpid()),
            stdin=asyncio.subprocess.PIPE,
            stdout=asyncio.subprocess.PIPE,
        )
        self._process = process
        assert process.stdin is not None and process.stdout is not None
        try:
            with contextlib.suppress(ConnectionError):  # it failed: its answer says why
                arguments = (year, now, threshold, previous, calendar, list(desk_counts))
                await _stream(process.stdin, arguments, records)
            ok, result = await _receive(process.stdout)
            await process.wait()  # it exits once it has written its answer
        except asyncio.IncompleteReadError as exc:
            raise BuildFailed(f"the build process ended early (exit {process.returncode})") from exc
        finally:
            self.stop()
        if not ok:
            raise BuildFailed(f"the build failed in its process:\n{result}")
        return result

    def pids(self) -> list[int]:
        """The process id of the build in progress (none between builds)."""
        process = self._process
        return [process.pid] if process is not None and process.returncode is None else []

    def stop(self) -> None:
        """Kill the build in progress, if any, and reap it."""
        process, self._process = self._process, None
        if process is None:
            return
        if process.returncode is None:
            with contextlib.suppress(ProcessLookupError):
                process.kill()  # asyncio's child watcher reaps it
        give_back_freed_memory()  # the chunks sent and the frames read


async def _stream(
    pipe: asyncio.StreamWriter, arguments: tuple[Any, ...], records: AsyncIterable[CaseRecord]
) -> None:
    """The arguments, then the records a chunk at a time, then ``None``."""
    await _send(pipe, arguments)
    chunk: list[CaseRecord] = []
    async for record in records:
        chunk.append(record)
        if len(chunk) >= CHUNK:
            await _send(pipe, chunk)
            chunk = []
    if chunk:
        await _send(pipe, chunk)
    await _send(pipe, None)
    pipe.close()


async def _send(pipe: asyncio.StreamWriter, message: object) -> None:
    data = pickle.dumps(message, protocol=pickle.HIGHEST_PROTOCOL)
    pipe.write(len(data).to_bytes(LENGTH, "big"))
    pipe.write(data)
    await pipe.drain()  # the process counts at its pace; at most a frame waits here


async def _receive(pipe: asyncio.StreamReader) -> tuple[bool, Any]:
    size = int.from_bytes(await pipe.readexactly(LENGTH), "big")
    frame = await pipe.readexactly(size)
    return pickle.loads(frame)  # noqa: S301 - its own child's answer


def give_back_freed_memory() -> None:
    """Return the heap's free pages to the system (glibc only; elsewhere nothing)."""
    if sys.platform.startswith("linux"):
        with contextlib.suppress(Exception):
            ctypes.CDLL(None).malloc_trim(0)
