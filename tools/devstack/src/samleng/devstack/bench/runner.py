"""Run every phase of ``make bench`` on one isolated stack, saving results after each.

    results = asyncio.run(Bench(options).run())

Phases: start the four services on a vhost and databases of their own, with a tap on the
events; warm up (whose documents become the history's templates); the ceiling; the whole
flow at an empty history; submission latency at half that rate; preload the history into
every service's database and restart the services on it; the flow and latency again; and
reporting's own summary benchmark. ``docs/benchmarks.json`` and ``.md`` are rewritten
after every phase, so an interrupted run keeps what it measured.
"""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pymongo import AsyncMongoClient

from samleng.devstack import infra, processes
from samleng.devstack.bench import history, meters, report
from samleng.devstack.bench.ceiling import measure_ceiling
from samleng.devstack.bench.flow import BODIES, FlowMeter, System
from samleng.devstack.bench.tap import EventLog
from samleng.devstack.paths import find_repo_root
from samleng.devstack.pytest_plugin import SessionStack
from samleng.devstack.services import BACK_END, READY_TIMEOUT, RunningService

SETTINGS: dict[str, dict[str, object]] = {
    # the flood limits (shared and per client: the load comes from one address) would
    # otherwise throttle the benchmark itself
    "intake": {
        "relay_poll_seconds": 0.2,
        "submission_limit": 1_000_000,
        "submission_limit_per_client": 1_000_000,
    },
    # public tables released as in production (as of each month's start), not rebuilt
    # every 30 s as the development default does; the bench measures what production runs
    "reporting": {"headline_ttl_seconds": 1, "open_data_as_of": "month_end"},
}


@dataclass
class Options:
    """What to measure and how much."""

    complaints: int = 5000
    warmup: int = 200
    connections: int = 16
    history: int = 1_000_000
    ceiling_seconds: float = 10.0
    latency_seconds: float = 30.0
    settle_seconds: float = 900.0
    reporting_cases: int = 1_000_000
    reporting: bool = True
    output: Path = Path("docs")
    note: str = ""
    #: an earlier run's benchmarks.json, shown beside this run's figures
    baseline: Path | None = None


class Bench:
    """One run of the benchmark."""

    def __init__(self, options: Options, say: Callable[[str], None] | None = None) -> None:
        self.options = options
        self.began = time.monotonic()
        self._print = say or (lambda line: print(line, flush=True))
        self.results: dict[str, Any] = report.new_results(options)
        self.phase = "setup"
        self.running: dict[str, RunningService] = {}
        self.infra: dict[str, list[int]] = {}  # mongod's and RabbitMQ's pids

    def say(self, line: str) -> None:
        """One progress line: elapsed time, phase, message."""
        elapsed = time.monotonic() - self.began
        self._print(f"[bench {elapsed:6.0f} s] {self.phase}: {line}")

    def save(self) -> None:
        """Write docs/benchmarks.json and docs/benchmarks.md with what is known so far."""
        report.write(self.results, self.options.output)

    async def _phase(self, name: str, measure: Callable[[], Awaitable[dict[str, Any]]]) -> None:
        self.phase = name
        self.say("started")
        began = time.monotonic()
        measured = await measure()
        measured["phase_seconds"] = time.monotonic() - began
        self.results["phases"][name] = measured
        self.save()

    def pids(self) -> dict[str, list[int]]:
        """The processes whose CPU counts: every service, mongod and RabbitMQ."""
        return {**{name: [s.pid] for name, s in self.running.items()}, **self.infra}

    def rss(self) -> dict[str, float]:
        """Resident memory per service (with its child processes), MiB."""
        return {name: meters.rss_mb(service.pid) for name, service in self.running.items()}

    async def run(self) -> dict[str, Any]:
        """Run every phase; return the results (also written to the output directory)."""
        options = self.options
        suffix = uuid.uuid4().hex[:8]
        with tempfile.TemporaryDirectory(prefix="samleng-bench-") as logs:
            self.stack = SessionStack(f"bench-{suffix}", f"bench{suffix}", Path(logs))
            infra.create_vhost(self.stack.vhost)
            self.databases = {name: f"{self.stack.db_prefix}_{name}" for name in BACK_END}
            tap = None
            mongo: AsyncMongoClient[dict[str, Any]] = AsyncMongoClient(self.stack.mongo_url)
            try:
                self.say("migrating and starting the services")
                await self._start({name: SETTINGS.get(name, {}) for name in BACK_END}, True)
                tap, events = self._start_tap(Path(logs) / "tap.tsv")
                self.infra = {
                    "mongod": await meters.mongod_pids(mongo),
                    "rabbitmq": meters.rabbitmq_pids(),
                }
                self.system = System(
                    intake_url=f"{self.running['intake'].url}/v1/complaints",
                    databases=self.databases,
                    pids=self.pids,
                    mongo=mongo,
                    events=events,
                    say=self.say,
                    overhead={"bench tap": [tap.pid]},
                    metrics_urls=lambda: {
                        name: f"{service.url}/metrics" for name, service in self.running.items()
                    },
                )
                await self._phases(FlowMeter(self.system), mongo)
                self.results["status"] = "complete"
            except Exception as error:
                self.results["status"] = f"failed during {self.phase}: {error!r}"[:500]
                raise
            except BaseException:  # Ctrl-C: asyncio cancels the run, then raises KeyboardInterrupt
                self.results["status"] = f"interrupted during {self.phase}"
                raise
            finally:
                # a second Ctrl-C (or uv forwarding the first) must not strand the services
                previous = signal.signal(signal.SIGINT, signal.SIG_IGN)
                try:
                    self.save()
                    self.say("stopping the services; dropping the bench's vhost and databases")
                    if tap is not None:
                        tap.kill()
                        tap.wait()
                    self._stop_services()
                    await mongo.close()
                    self.stack.close()
                finally:
                    signal.signal(signal.SIGINT, previous)
        self.say(f"done; results in {options.output}/benchmarks.md and .json")
        return self.results

    async def _start(self, settings: dict[str, dict[str, object]], migrate: bool) -> None:
        """(Migrate and) start the services side by side, each in a thread of its own."""

        def start(name: str) -> None:
            if migrate:
                self.stack.migrate(name)
            timeout = READY_TIMEOUT if migrate else 600.0  # a restart may index a long history
            self.running[name] = self.stack.start_service(name, timeout, **settings[name])

        await asyncio.gather(*(asyncio.to_thread(start, name) for name in settings))

    def _stop_services(self) -> None:
        """Stop every service, then any child process it left behind (none should outlive it)."""
        left = {name: meters.children(service.pid) for name, service in self.running.items()}
        for name in reversed(BACK_END):
            if name in self.running:
                self.running[name].stop()
        for name, pids in left.items():
            for pid in pids:
                if processes.pid_alive(pid):
                    self.say(f"{name} left child process {pid} running; stopping it")
                    self.results.setdefault("orphaned_child_processes", []).append(name)
                    processes.terminate(pid, timeout=5.0)

    def _start_tap(self, path: Path) -> tuple[subprocess.Popen[str], EventLog]:
        path.touch()
        command = [
            sys.executable,
            "-m",
            "samleng.devstack.bench.tap",
            self.stack.amqp_url,
            str(path),
        ]
        tap = subprocess.Popen(command, stdout=subprocess.PIPE, text=True)
        assert tap.stdout is not None
        if tap.stdout.readline().strip() != "ready":
            raise RuntimeError("the event tap did not start")
        return tap, EventLog(path)

    def _timeout(self, complaints: int) -> float:
        # generous: 1.5 complaints/s (a twentieth of today's rate), never under two minutes;
        # a phase that runs out reports what was not done as lost and says it timed out
        return max(120.0, complaints / 1.5)

    async def _phases(self, meter: FlowMeter, mongo: AsyncMongoClient[dict[str, Any]]) -> None:
        options = self.options
        warmup_ids: list[str] = []

        async def warm_up() -> dict[str, Any]:
            known = set(self.system.events.submitted)
            measured = await meter.flow(
                "warm-up", options.warmup, options.connections, self._timeout(options.warmup)
            )
            warmup_ids.extend(key for key in self.system.events.submitted if key not in known)
            return measured

        async def ceiling() -> dict[str, Any]:
            others = {"mongod": self.infra["mongod"]}
            database = f"{self.stack.db_prefix}_ceiling"
            return await asyncio.to_thread(
                measure_ceiling, self.stack.mongo_url, database, BODIES[0],
                options.ceiling_seconds, options.connections, others, self.say,
            )  # fmt: skip

        async def flow(label: str) -> dict[str, Any]:
            measured = await meter.flow(
                label, options.complaints, options.connections, self._timeout(options.complaints)
            )
            measured["rss_mb"] = self.rss()
            return measured

        async def latency(of: str) -> dict[str, Any]:
            rate = max(1.0, self.results["phases"][of]["per_s"] / 2)
            count = rate * options.latency_seconds
            return await meter.latency(
                f"half of {of}", rate, options.latency_seconds, self._timeout(int(count))
            )

        await self._phase("warm-up", warm_up)
        await self._phase("ceiling", ceiling)
        await self._phase("flow", lambda: flow("flow"))
        await self._phase("latency", lambda: latency("flow"))
        if options.history:
            await self._phase("preload", lambda: self._preload(mongo, warmup_ids))
            await self._phase("flow_at_history", lambda: flow("flow_at_history"))
            await self._phase("latency_at_history", lambda: latency("flow_at_history"))
        if options.reporting:
            await self._phase("reporting_summary", self._reporting_summary)

    async def _preload(
        self, mongo: AsyncMongoClient[dict[str, Any]], warmup_ids: list[str]
    ) -> dict[str, Any]:
        idle = await self._busy()  # the services' own background work, for _settle
        templates = await history.collect_templates(mongo, self.databases, warmup_ids)
        loaded = await asyncio.to_thread(
            history.preload,
            self.stack.mongo_url,
            self.databases,
            templates,
            self.options.history,
            self.say,
        )
        self.say("restarting the services on their history")
        began = time.monotonic()
        self._stop_services()
        await self._start({name: dict(self.running[name].env) for name in BACK_END}, False)
        loaded["restart_to_ready_s"] = time.monotonic() - began
        loaded["idle_cores"] = idle
        loaded["settled_after_s"] = await self._settle(idle)
        rewarm = max(5, self.options.warmup // 4)
        await FlowMeter(self.system).flow(
            "re-warm-up", rewarm, self.options.connections, self._timeout(rewarm)
        )
        return loaded

    async def _busy(self, seconds: float = 5.0) -> float:
        """Cores the services and mongod use together, over ``seconds`` (mongod too: after
        a bulk load it writes checkpoints for a while, which a measurement must not meet)."""
        services = {name: [s.pid] for name, s in self.running.items()}
        services["mongod"] = self.infra.get("mongod", [])
        before = meters.cpu_seconds(services)
        await asyncio.sleep(seconds)
        return sum(meters.cpu_delta(before, meters.cpu_seconds(services)).values()) / seconds

    async def _settle(self, idle: float) -> float:
        """Wait until the services are back near their ``idle`` use (start-up work done)."""
        began = time.monotonic()
        while time.monotonic() - began < self.options.settle_seconds:
            busy = await self._busy()
            if busy < max(0.1, 1.5 * idle + 0.05):
                break
            self.say(
                f"services and mongod busy ({busy:.0%} of a core, {idle:.0%} when idle); waiting"
            )
        return time.monotonic() - began

    async def _reporting_summary(self) -> dict[str, Any]:
        """Reporting's own benchmark, on a scratch database, with the flow's services stopped."""
        self._stop_services()  # measured already; the machine is the summary's now
        script = find_repo_root() / "services/reporting/bench/bench_summary.py"
        cases = self.options.reporting_cases
        self.say(f"{cases:,} case records; this takes minutes (its lines follow)")
        process = await asyncio.create_subprocess_exec(
            sys.executable, str(script), "--cases", str(cases),
            stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.STDOUT,
            env={**os.environ, "PYTHONUNBUFFERED": "1"},
        )  # fmt: skip
        assert process.stdout is not None
        lines = []
        try:
            async for raw in process.stdout:
                lines.append(raw.decode(errors="replace").rstrip())
                self.say(lines[-1])
            await process.wait()
        finally:
            if process.returncode is None:
                process.kill()
                await process.wait()
        figures = {}
        for line in lines:
            name, _, value = line.rpartition(": ")
            try:
                figures[name] = float(value)
            except ValueError:
                continue
        return {
            "cases": cases,
            "output": "\n".join(lines),
            "figures": figures,
            "exit": process.returncode,
        }
