"""The publisher's worker process dies with its service: on a graceful stop in the middle
of a build, and when the service is killed (no orphan left building)."""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

from samleng.reporting.domain.cases import fold
from samleng.reporting.entrypoints import publisher as publisher_module
from samleng.reporting.entrypoints.build_worker import BuildWorker
from samleng.reporting.entrypoints.publisher import Publisher
from services.reporting.tests.integration.helpers import generate
from services.reporting.tests.unit.fakes import CALENDAR, FakeCaseRecords, FakePublications

pytestmark = pytest.mark.integration


def _gone(pid: int) -> bool:
    """True once the process has exited (a zombie waiting for its reaper counts)."""
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except (FileNotFoundError, ProcessLookupError):
        return True
    return state in ("Z", "X")


async def _until(condition: object, timeout: float) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():  # type: ignore[operator]
            return True
        await asyncio.sleep(0.05)
    return False


def slow_build(*args: object) -> None:
    """Stands in for a year's build that takes long."""
    time.sleep(120)


async def test_a_service_killed_in_the_middle_of_a_build_leaves_no_worker_behind() -> None:
    service = textwrap.dedent(
        """
        import asyncio, time
        from samleng.reporting.entrypoints.build_worker import BuildWorker

        async def main():
            worker = BuildWorker()
            building = asyncio.ensure_future(worker.run(time.sleep, 120))
            while not worker.pids():
                await asyncio.sleep(0.05)
            print(worker.pids()[0], flush=True)
            await building

        asyncio.run(main())
        """
    )
    process = subprocess.Popen(  # noqa: ASYNC220 - started once, read below
        [sys.executable, "-c", service], stdout=subprocess.PIPE, text=True
    )
    try:
        assert process.stdout is not None
        worker_pid = int(await asyncio.to_thread(process.stdout.readline))
        assert not _gone(worker_pid)
        os.kill(process.pid, signal.SIGKILL)
        await asyncio.to_thread(process.wait, 10)
        assert await _until(lambda: _gone(worker_pid), timeout=10), "the worker outlived it"
    finally:
        process.kill()
        process.wait()


async def test_stopping_the_worker_kills_a_build_in_progress() -> None:
    worker = BuildWorker()
    building = asyncio.ensure_future(worker.run(time.sleep, 120))
    assert await _until(lambda: bool(worker.pids()), timeout=30)
    [pid] = worker.pids()
    worker.stop()
    assert await _until(lambda: _gone(pid), timeout=5)
    with pytest.raises(Exception):  # noqa: B017 - the pool reports the killed worker
        await asyncio.wait_for(building, timeout=10)
    assert worker.pids() == []


async def test_a_publisher_stopped_while_building_leaves_no_worker(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(publisher_module, "build", slow_build)
    records = FakeCaseRecords()
    events, _ = generate(3, seed=1)
    for complaint_id in {e.complaint_id for e in events}:
        await records.save(
            fold(complaint_id, [e for e in events if e.complaint_id == complaint_id])
        )
    publisher = Publisher(
        records,
        FakePublications(),
        CALENDAR,
        threshold=5,
        monthly=False,
        interval_seconds=60,
        republish_after_seconds=60,
    )
    running = asyncio.ensure_future(publisher.run())
    assert await _until(lambda: bool(publisher.worker.pids()), timeout=30)
    [pid] = publisher.worker.pids()
    running.cancel()
    await asyncio.gather(running, return_exceptions=True)
    assert await _until(lambda: _gone(pid), timeout=5)
