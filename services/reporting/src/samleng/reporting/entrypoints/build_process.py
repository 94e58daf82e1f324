"""The build process that :class:`~samleng.reporting.entrypoints.build_worker.BuildWorker`
starts for each publication: ``python -m samleng.reporting.entrypoints.build_process <pid>``.

It reads frames from stdin and writes one to stdout; a frame is an 8-byte big-endian
length, then a pickle. In: the build's arguments, chunks (lists) of case records, ``None``
after the last. Out: ``(True, publication)`` or ``(False, the error's traceback)``. It
counts the records as they arrive (``domain.publication.build`` reads them once) and
imports nothing but the domain (no event loop, no database driver): a small process.

It dies with the service ``<pid>``: the kernel kills it when the service dies
(``PR_SET_PDEATHSIG``), a thread exits it once its parent is no longer ``<pid>``, and the
end of its input before the last frame ends it too.
"""

from __future__ import annotations

import contextlib
import ctypes
import os
import pickle
import signal
import sys
import threading
import time
from collections.abc import Iterator
from typing import IO, TYPE_CHECKING, Any

if TYPE_CHECKING:
    from samleng.reporting.domain.cases import CaseRecord

#: The bytes of a frame's length.
LENGTH = 8
#: How often the build process checks that the service that started it is alive.
WATCH_SECONDS = 0.5
_PR_SET_PDEATHSIG = 1


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
    header = pipe.read(LENGTH)
    if len(header) < LENGTH:
        os._exit(1)  # the service closed the pipe without finishing: it is gone or stopping
    size = int.from_bytes(header, "big")
    data = pipe.read(size)
    if len(data) < size:
        os._exit(1)
    return pickle.loads(data)  # noqa: S301 - frames the service wrote, over its own pipe


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
    out.write(len(data).to_bytes(LENGTH, "big"))
    out.write(data)
    out.flush()


if __name__ == "__main__":
    main(int(sys.argv[1]))
