"""``make bench``: measure the running system and write ``docs/benchmarks.md``.

    uv run python -m samleng.devstack.bench [--complaints 400] [--concurrency 8]

Starts the four services as processes on a vhost and databases of their own (like the
end-to-end tests), then measures:

- **submission**: latency of ``POST /v1/complaints`` over HTTP with ``concurrency``
  clients (p50, p95, p99, max) and the submissions per second intake accepted;
- **flow**: from the first submission until reporting counts every complaint as in
  progress, i.e. each one was stored, relayed, routed, applied by intake and counted —
  the whole pipeline's throughput in complaints per second;
- **reporting**: reporting's own benchmark of the public summary on a long history
  (``services/reporting/bench/bench_summary.py``) at a size that fits the time budget.

Timing goals live here, never in tests. Results go to ``docs/benchmarks.md`` with the
machine and the date; earlier results stay in git history.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import platform
import re
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from datetime import UTC, datetime
from pathlib import Path

import httpx

from samleng.devstack import infra
from samleng.devstack.paths import find_repo_root
from samleng.devstack.pytest_plugin import SessionStack

COMPLAINT = {
    "kind": "complaint",
    "category": "extra_fee",
    "commune_code": "170201",
    "description": "មន្ត្រីទារប្រាក់លើសពីតម្លៃផ្លូវការ (benchmark)",
}


def percentile(values: list[float], share: float) -> float:
    """The ``share`` percentile (nearest rank) of ``values``."""
    ordered = sorted(values)
    rank = max(0, min(len(ordered) - 1, round(share * len(ordered) + 0.5) - 1))
    return ordered[rank]


async def submit_all(url: str, count: int, concurrency: int) -> tuple[list[float], float]:
    """Submit ``count`` complaints; return each latency (ms) and the wall time (s)."""
    latencies: list[float] = []
    queue: asyncio.Queue[int] = asyncio.Queue()
    for i in range(count):
        queue.put_nowait(i)

    async def client() -> None:
        async with httpx.AsyncClient(base_url=url, timeout=30.0) as http:
            while not queue.empty():
                queue.get_nowait()
                started = time.perf_counter()
                answer = await http.post("/v1/complaints", json=COMPLAINT)
                latencies.append((time.perf_counter() - started) * 1000)
                answer.raise_for_status()

    started = time.perf_counter()
    await asyncio.gather(*(client() for _ in range(concurrency)))
    return latencies, time.perf_counter() - started


async def wait_counted(url: str, count: int, timeout: float = 600.0) -> float:
    """Seconds until reporting counts ``count`` complaints in progress."""
    started = time.perf_counter()
    async with httpx.AsyncClient(base_url=url, timeout=10.0) as http:
        while time.perf_counter() - started < timeout:
            summary = (await http.get("/v1/stats/summary")).json()
            if summary.get("in_progress", 0) + summary.get("resolved", 0) >= count:
                return time.perf_counter() - started
            await asyncio.sleep(0.2)
    raise TimeoutError(f"reporting did not count {count} complaints within {timeout} s")


def machine() -> str:
    """A one-line description of this machine."""
    model = "unknown CPU"
    cpuinfo = Path("/proc/cpuinfo")
    if cpuinfo.is_file():
        found = re.search(r"model name\s*:\s*(.+)", cpuinfo.read_text())
        model = found.group(1).strip() if found else model
    memory = ""
    meminfo = Path("/proc/meminfo")
    if meminfo.is_file():
        found = re.search(r"MemTotal:\s*(\d+) kB", meminfo.read_text())
        memory = f", {int(found.group(1)) / 1024 / 1024:.0f} GiB" if found else ""
    return (
        f"{os.cpu_count()} cores ({model}){memory}, {platform.system()} "
        f"{platform.release()}, Python {platform.python_version()}"
    )


def reporting_bench(cases: int) -> str:
    """Run reporting's summary benchmark and return what it printed."""
    script = find_repo_root() / "services/reporting/bench/bench_summary.py"
    done = subprocess.run(
        [sys.executable, str(script), "--cases", str(cases)],
        capture_output=True,
        text=True,
        timeout=1800,
        check=False,
    )
    return (done.stdout + done.stderr).strip()


async def flow(count: int, concurrency: int) -> dict[str, float]:
    """Start the system on its own vhost and databases; measure submissions and flow."""
    suffix = uuid.uuid4().hex[:8]
    with tempfile.TemporaryDirectory(prefix="samleng-bench-") as logs:
        stack = SessionStack(f"bench-{suffix}", f"bench{suffix}", Path(logs))
        infra.create_vhost(stack.vhost)
        try:
            for name in ("intake", "routing", "notification", "reporting"):
                stack.migrate(name)
            # the shared flood limit would otherwise throttle the benchmark itself
            intake = stack.start_service(
                "intake", relay_poll_seconds=0.2, submission_limit=1_000_000
            )
            for name in ("routing", "notification"):
                stack.start_service(name)
            reporting = stack.start_service("reporting", headline_ttl_seconds=1)
            latencies, submit_seconds = await submit_all(intake.url, count, concurrency)
            counted = await wait_counted(reporting.url, count)
        finally:
            stack.close()
    return {
        "p50": statistics.median(latencies),
        "p95": percentile(latencies, 0.95),
        "p99": percentile(latencies, 0.99),
        "max": max(latencies),
        "accepted_per_second": count / submit_seconds,
        "flow_seconds": submit_seconds + counted,
        "flow_per_second": count / (submit_seconds + counted),
        "drain_after_last_submit": counted,
    }


def write_report(
    path: Path, args: argparse.Namespace, measured: dict[str, float], extra: str
) -> None:
    """Write the results with the machine and the date."""
    m = measured
    today = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
    submission = " | ".join(
        [f"{m[k]:.1f} ms" for k in ("p50", "p95", "p99", "max")]
        + [f"{m['accepted_per_second']:.0f} /s"]
    )
    whole = " | ".join(
        [
            str(args.complaints),
            f"{m['flow_seconds']:.1f} s",
            f"{m['flow_per_second']:.0f} /s",
            f"{m['drain_after_last_submit']:.1f} s",
        ]
    )
    path.write_text(
        f"""# Benchmarks

Written by `make bench` (`python -m samleng.devstack.bench`); earlier results are in git
history. Timing goals are checked here, never in tests.

- **Date:** {today}
- **Machine:** {machine()}
- **Set-up:** the four services as separate processes (uvicorn, one worker each) on the
  local RabbitMQ 3.10 and MongoDB 6.0 single-node replica set, their own vhost and
  databases; {args.complaints} complaints submitted over HTTP by {args.concurrency}
  concurrent clients.

## Submission (`POST /v1/complaints`, stored with its event in one transaction)

| p50 | p95 | p99 | max | accepted |
|---|---|---|---|---|
| {submission} |

## Whole flow (submitted → relayed → routed → applied → counted by reporting)

| complaints | first submission to last counted | throughput | drain after the last one |
|---|---|---|---|
| {whole} |

## Reporting: summary and open data ({args.reporting_cases:,} case records)

```
{extra}
```
""",
        encoding="utf-8",
    )


def main(argv: list[str] | None = None) -> int:
    """Run the benchmarks and write docs/benchmarks.md."""
    parser = argparse.ArgumentParser(prog="python -m samleng.devstack.bench")
    parser.add_argument("--complaints", type=int, default=400)
    parser.add_argument("--concurrency", type=int, default=8)
    parser.add_argument("--reporting-cases", type=int, default=1_000_000)
    parser.add_argument("--output", type=Path, default=find_repo_root() / "docs/benchmarks.md")
    args = parser.parse_args(argv)
    infra.ensure_infra()
    measured = asyncio.run(flow(args.complaints, args.concurrency))
    extra = reporting_bench(args.reporting_cases)
    write_report(args.output, args, measured, extra)
    print(args.output.read_text(encoding="utf-8"))
    return 0


if __name__ == "__main__":
    sys.exit(main())
