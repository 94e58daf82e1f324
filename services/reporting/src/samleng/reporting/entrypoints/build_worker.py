"""A worker process for CPU-bound work that never outlives the service that started it.

    worker = BuildWorker()
    result = await worker.run(build, records, year, ...)   # in the worker, off the loop
    worker.stop()                                           # kills a build in progress

The process is spawned (never forked from a threaded process) on first use. It dies with
its service in every case: ``stop()`` kills it at once, even in the middle of a build (a
graceful stop must not wait minutes for a year of figures), and if the service itself
dies (``kill -9``, a crash) the worker notices within a second that its parent is gone and
exits, instead of finishing a build nobody will read as an orphan.

A build holds every relevant case record at once and frees them when it ends; glibc keeps
freed memory in the process unless asked, so both sides hand it back after each build
(``malloc_trim``), and a service at rest does not keep the peak of its last build.
"""

from __future__ import annotations

import asyncio
import contextlib
import ctypes
import multiprocessing
import os
import signal
import sys
import threading
import time
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from typing import Any, TypeVar

T = TypeVar("T")

#: How often the worker checks that the service that started it is alive.
WATCH_SECONDS = 0.5
_PR_SET_PDEATHSIG = 1


def _die_with(parent: int) -> None:
    """Worker initializer: exit as soon as ``parent`` is gone."""
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


def _give_back_freed_memory() -> None:
    """Return the heap's free pages to the system (glibc only; elsewhere nothing)."""
    if sys.platform.startswith("linux"):
        with contextlib.suppress(Exception):
            ctypes.CDLL(None).malloc_trim(0)


def _run_then_give_back(function: Callable[..., T], *args: Any) -> T:
    """Worker side: run ``function`` then give back what it freed."""
    try:
        return function(*args)
    finally:
        _give_back_freed_memory()


class BuildWorker:
    """One worker process, started on first use."""

    def __init__(self) -> None:
        self._pool: ProcessPoolExecutor | None = None

    async def run(self, function: Callable[..., T], *args: Any) -> T:
        """Run ``function(*args)`` in the worker process and return its result."""
        if self._pool is None:
            self._pool = ProcessPoolExecutor(
                max_workers=1,
                mp_context=multiprocessing.get_context("spawn"),
                initializer=_die_with,
                initargs=(os.getpid(),),
            )
        loop = asyncio.get_running_loop()
        try:
            return await loop.run_in_executor(self._pool, _run_then_give_back, function, *args)
        finally:
            _give_back_freed_memory()  # the records this side read and sent

    def pids(self) -> list[int]:
        """The process ids of the running worker (none before first use or after stop)."""
        return [p.pid for p in self._processes() if p.pid is not None and p.is_alive()]

    def stop(self) -> None:
        """Kill the worker at once (a build in progress is abandoned) and wait for it."""
        if self._pool is None:
            return
        processes = self._processes()
        self._pool.shutdown(wait=False, cancel_futures=True)
        for process in processes:
            with contextlib.suppress(Exception):
                process.kill()
        for process in processes:
            with contextlib.suppress(Exception):
                process.join(timeout=5)
        self._pool = None

    def _processes(self) -> list[Any]:
        # ProcessPoolExecutor has no public way to kill its workers before Python 3.14
        # (terminate_workers); its process table is stable across 3.11-3.13
        return list((getattr(self._pool, "_processes", None) or {}).values())
