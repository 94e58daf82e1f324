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

The process is started with ``python -m`` (not ``multiprocessing``: no resource tracker
process beside it) and imports the domain only. It never outlives the service: ``stop()``
kills it at once, even in the middle of a build (a graceful stop must not wait minutes for
a year of figures), and if the service dies (``kill -9``, a crash) the kernel kills it
(``PR_SET_PDEATHSIG``); a watch on its parent and the end of its input cover the rest.

Frames on the process's stdin and stdout: an 8-byte big-endian length, then a pickle. In:
the build's arguments, chunks (lists) of records, ``None`` after the last. Out: one
``(ok, publication or error text)``.
"""

from __future__ import annotations

import asyncio
import contextlib
import ctypes
import os
import pickle
import signal
import sys
import threading
import time
from collections.abc import AsyncIterable, Iterator, Sequence
from typing import IO, TYPE_CHECKING, Any

if TYPE_CHECKING:
    from samleng.common.calendar import WorkingCalendar
    from samleng.reporting.domain.cases import CaseRecord
    from samleng.reporting.domain.desks import DeskCount
    from samleng.reporting.domain.publication import Publication

#: Records sent to the build process per frame (about 1.5 MB of pickle).
CHUNK = 1000
#: How often the build process checks that the service that started it is alive.
WATCH_SECONDS = 0.5
_PR_SET_PDEATHSIG = 1
_LENGTH = 8


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
            __name__,
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
        return result  # type: ignore[no-any-return]

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
        _give_back_freed_memory()  # the chunks sent and the frames read


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
    pipe.write(len(data).to_bytes(_LENGTH, "big"))
    pipe.write(data)
    await pipe.drain()  # the process counts at its pace; at most a frame waits here


async def _receive(pipe: asyncio.StreamReader) -> tuple[bool, Any]:
    size = int.from_bytes(await pipe.readexactly(_LENGTH), "big")
    return pickle.loads(await pipe.readexactly(size))  # type: ignore[no-any-return]


def _give_back_freed_memory() -> None:
    """Return the heap's free pages to the system (glibc only; elsewhere nothing)."""
    if sys.platform.startswith("linux"):
        with contextlib.suppress(Exception):
            ctypes.CDLL(None).malloc_trim(0)


# --- the build process ------------------------------------------------------------------


def _die_with(parent: int) -> None:
    """Exit as soon as ``parent`` is gone."""
    if sys.platform.startswith("linux"):
        # the kernel kills us when the parent dies; the watch below covers the rest
        with contextlib.suppress(Exception):
            libc = ctypes.CDLL(None, use_errno=True)
            libc.prctl(_PR_SET_PDEATHSIG, signal.SIGKILL)

    def watch() -> None:
        while os.getppid() == parent:
            time.sleep(WATCH_SECONDS)
        os._exit(1)

    if os.getppid() != parent:
        os._exit(1)
    threading.Thread(target=watch, name="parent-watch", daemon=True).start()


def _read(pipe: IO[bytes]) -> Any:
    header = pipe.read(_LENGTH)
    if len(header) < _LENGTH:
        os._exit(1)  # the service closed the pipe without finishing: it is gone or stopping
    size = int.from_bytes(header, "big")
    data = pipe.read(size)
    if len(data) < size:
        os._exit(1)
    return pickle.loads(data)


def _records(pipe: IO[bytes]) -> Iterator[CaseRecord]:
    while (chunk := _read(pipe)) is not None:
        yield from chunk


def main(parent: int) -> None:
    """The build process: read the arguments and records, write the publication."""
    _die_with(parent)
    out = sys.stdout.buffer
    sys.stdout = sys.stderr  # the result frame alone goes to stdout
    from samleng.reporting.domain.publication import build

    source = sys.stdin.buffer
    year, now, threshold, previous, calendar, desk_counts = _read(source)
    try:
        result: tuple[bool, Any] = (
            True,
            build(_records(source), year, now, threshold, previous, calendar, desk_counts),
        )
    except Exception:
        import traceback

        result = (False, traceback.format_exc())
    data = pickle.dumps(result, protocol=pickle.HIGHEST_PROTOCOL)
    out.write(len(data).to_bytes(_LENGTH, "big"))
    out.write(data)
    out.flush()


if __name__ == "__main__":
    main(int(sys.argv[1]))
