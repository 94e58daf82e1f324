"""Each publication build runs in a process of its own that ends with the build and dies
with its service: on a graceful stop in the middle of a build, and when the service is
killed (no orphan left building). The records stream to it; the publication it returns
is the one the domain builds in-process."""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
import textwrap
import time
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

from samleng.reporting.domain.cases import CaseRecord, fold
from samleng.reporting.domain.figures import Area
from samleng.reporting.domain.periods import parse_period
from samleng.reporting.domain.publication import build
from samleng.reporting.entrypoints.build_worker import BuildFailed, BuildWorker
from samleng.reporting.entrypoints.publisher import Publisher
from services.reporting.tests.integration.helpers import generate
from services.reporting.tests.unit.fakes import CALENDAR, FakeCaseRecords, FakePublications

pytestmark = pytest.mark.integration

NOW = datetime(2026, 11, 15, tzinfo=UTC)


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


async def _records(n: int, seed: int) -> FakeCaseRecords:
    records = FakeCaseRecords()
    events, _ = generate(n, seed=seed)
    for complaint_id in {e.complaint_id for e in events}:
        await records.save(
            fold(complaint_id, [e for e in events if e.complaint_id == complaint_id])
        )
    return records


async def _endless(first: list[CaseRecord]) -> AsyncIterator[CaseRecord]:
    """A stream of records that stops coming: the build waits for the rest."""
    for record in first:
        yield record
    await asyncio.Event().wait()


async def test_a_build_in_its_process_is_the_build_of_the_domain_and_ends_with_it() -> None:
    records = await _records(300, seed=3)
    year = 2025
    span = parse_period(f"{year}", CALENDAR)
    every = [r async for r in records.relevant(Area(), span.start, span.end)]
    here = build(every, year, NOW, 5, {}, CALENDAR)
    worker = BuildWorker()
    there = await worker.build(
        records.relevant(Area(), span.start, span.end), year, NOW, 5, {}, CALENDAR
    )
    assert here.cells > 100 and here.suppressed > 0
    assert there == here
    assert worker.pids() == []


async def test_a_failing_build_says_why() -> None:
    worker = BuildWorker()

    async def unreadable() -> AsyncIterator[CaseRecord]:
        yield CaseRecord("x", received_at=datetime(2025, 3, 1, tzinfo=UTC), province="12")

    with pytest.raises(BuildFailed, match="Traceback"):
        await worker.build(unreadable(), 2025, NOW, 5, {}, "not a calendar")  # type: ignore[arg-type]
    assert worker.pids() == []


async def test_a_service_killed_in_the_middle_of_a_build_leaves_no_build_process() -> None:
    service = textwrap.dedent(
        """
        import asyncio
        from samleng.reporting.entrypoints.build_worker import BuildWorker
        from services.reporting.tests.unit.fakes import CALENDAR

        async def endless():
            await asyncio.Event().wait()
            yield

        async def main():
            worker = BuildWorker()
            building = asyncio.ensure_future(worker.build(endless(), 2025, None, 5, {}, CALENDAR))
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
        assert await _until(lambda: _gone(worker_pid), timeout=10), "the build outlived it"
    finally:
        process.kill()
        process.wait()


async def test_stopping_the_worker_kills_a_build_in_progress() -> None:
    worker = BuildWorker()
    building = asyncio.ensure_future(worker.build(_endless([]), 2025, NOW, 5, {}, CALENDAR))
    assert await _until(lambda: bool(worker.pids()), timeout=30)
    [pid] = worker.pids()
    worker.stop()
    assert await _until(lambda: _gone(pid), timeout=5)
    building.cancel()
    await asyncio.gather(building, return_exceptions=True)
    assert worker.pids() == []


class _StalledRecords(FakeCaseRecords):
    """Records whose year never finishes streaming: a build that takes long."""

    def relevant(self, area: Area, start: datetime, end: datetime) -> AsyncIterator[CaseRecord]:
        return _endless(list(self.records.values())[:1])


async def test_a_publisher_stopped_while_building_leaves_no_build_process() -> None:
    records = _StalledRecords()
    records.records = (await _records(3, seed=1)).records
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
