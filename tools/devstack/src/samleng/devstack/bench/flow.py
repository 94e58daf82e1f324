"""Measure the whole flow on a running stack: complaints/s, CPU, operations, loss, latency.

    meter = FlowMeter(system)
    measured = await meter.flow("flow", 5000, connections=16, timeout=2000)  # closed loop
    measured = await meter.latency("latency", 150.0, seconds=30, timeout=300)  # open loop

A complaint is done when routing's decision was seen on the tap and intake, routing,
notification and reporting each stored their part of it (``probes``). The flow's rate is
the accepted complaints divided by the time from the first submission until the last one
was done; CPU and MongoDB operations are read before and after that window.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from samleng.devstack.bench import meters
from samleng.devstack.bench.loadgen import LoadProcess
from samleng.devstack.bench.probes import PROBES
from samleng.devstack.bench.tap import EventLog

#: complaints sent in turn: 20 communes of the pilot provinces, three categories
COMMUNES = (
    *("010201", "020101", "030101", "040101", "050101", "060101", "070101", "140101"),
    *("170201", "210101", "010301", "020201", "030201", "040201", "050201", "060201"),
    *("070201", "140201", "170101", "210201"),
)
BODIES = [
    {
        "kind": "complaint",
        "category": category,
        "commune_code": commune,
        "description": "មន្ត្រីទារប្រាក់លើសពីតម្លៃផ្លូវការ (benchmark)",
    }
    for category in ("extra_fee", "delay", "refusal")
    for commune in COMMUNES
]
POLL = 0.2
#: CPU seconds, ``top`` operations and the services' own counts, read at one moment
Window = tuple[dict[str, float], dict[str, dict[str, int]], dict[str, dict[str, float]]]


def percentiles(values: list[float]) -> dict[str, float]:
    """p50, p95, p99 and max (nearest rank) of ``values``; empty if there are none."""
    if not values:
        return {}
    ordered = sorted(values)

    def rank(share: float) -> float:
        return ordered[min(len(ordered) - 1, max(0, round(share * len(ordered) + 0.5) - 1))]

    return {"p50": rank(0.5), "p95": rank(0.95), "p99": rank(0.99), "max": ordered[-1]}


@dataclass
class System:
    """The running stack as the meter sees it."""

    intake_url: str
    databases: dict[str, str]  # service -> database
    pids: Callable[[], dict[str, list[int]]]  # process group name -> pids
    mongo: Any  # AsyncMongoClient
    events: EventLog
    say: Callable[[str], None]
    overhead: dict[str, list[int]] = field(default_factory=dict)  # the bench's own processes
    #: service -> its /metrics URL (round trips: MongoDB commands, broker messages)
    metrics_urls: Callable[[], dict[str, str]] = dict


class FlowMeter:
    """Runs load against intake and follows every complaint through the pipeline."""

    def __init__(self, system: System) -> None:
        self.system = system

    async def _done(self, ids: list[str]) -> dict[str, int]:
        found = {"routed": sum(1 for key in ids if key in self.system.events.routed)}
        for service, probe in PROBES.items():
            found[service] = await probe.count(
                self.system.mongo[self.system.databases[service]], ids
            )
        return found

    async def _follow(
        self, load: LoadProcess, expected: int | None, timeout: float
    ) -> tuple[dict[str, Any], list[str], dict[str, int], float, bool]:
        """Wait for the load and for every accepted complaint; return what was seen."""
        events, say = self.system.events, self.system.say
        began = time.perf_counter()  # the generator reports when its first request left
        known = set(events.submitted)
        result: dict[str, Any] | None = None
        accepted: int | None = None
        done: dict[str, int] = {}
        new: list[str] = []
        last_said = time.perf_counter()
        while True:
            await asyncio.sleep(POLL)
            events.refresh()
            new = [key for key in events.submitted if key not in known]
            if result is None and load.done():
                result = load.result()
                accepted = sum(1 for _, _, status in result["requests"] if status == 202)
            routed = sum(1 for key in new if key in events.routed)
            if result and accepted is not None and min(routed, len(new)) >= accepted:
                done = await self._done(new)
                if min(done.values()) >= accepted:
                    finished = time.perf_counter() - float(result["began"])
                    return result, new, done, finished, False
            elapsed = time.perf_counter() - began
            if time.perf_counter() - last_said >= 5:
                last_said = time.perf_counter()
                target = accepted or expected or len(new)
                rate = routed / elapsed if elapsed else 0
                eta = f"{(target - routed) / rate:.0f} s" if rate else "?"
                say(f"{len(new)} submitted, {routed}/{target} routed, {rate:.0f}/s, ETA {eta}")
            if elapsed > timeout:
                if result is None:
                    load.stop()
                    result = {"requests": [], "wall_s": elapsed, "cpu_s": 0.0, "began": began}
                    accepted = len(new)
                done = await self._done(new)
                say(f"timed out after {elapsed:.0f} s: {done} of {accepted}")
                return result, new, done, elapsed, True

    async def _window(self) -> Window:
        pids = {**self.system.pids(), **self.system.overhead}
        ops = await meters.mongo_ops(self.system.mongo, self.system.databases)
        counts = await meters.service_counts(self.system.metrics_urls())
        return meters.cpu_seconds(pids), ops, counts

    async def _costs(self, before: Window, complaints: int) -> dict[str, Any]:
        cpu_after, ops_after, counts_after = await self._window()
        spent = meters.cpu_delta(before[0], cpu_after)
        per = max(1, complaints)
        system = {k: 1000 * v / per for k, v in spent.items() if k not in self.system.overhead}
        overhead = {k: 1000 * v / per for k, v in spent.items() if k in self.system.overhead}
        ops = meters.ops_delta(before[1], ops_after)
        counted = meters.counts_delta(before[2], counts_after)
        return {
            "round_trips_per_complaint": {
                service: {key: n / per for key, n in sorted(counts.items())}
                for service, counts in counted.items()
            },
            "cpu_ms_per_complaint": {**system, "total": sum(system.values())},
            "bench_overhead_cpu_ms_per_complaint": overhead,
            "mongo_ops_per_complaint": {
                service: {kind: n / per for kind, n in counts.items()}
                for service, counts in ops.items()
            },
        }

    async def _integrity(
        self, new: list[str], accepted: int, done: dict[str, int]
    ) -> dict[str, Any]:
        events = self.system.events
        decisions = sum(max(0, len(events.decisions.get(key, ())) - 1) for key in new)
        db = self.system.mongo[self.system.databases["notification"]]
        doubled = await PROBES["notification"].surplus(db, new)
        alerts = sum(len(docs) - 1 for docs in doubled.values())
        extra_cases = max(0, len(new) - accepted)
        twice = [key for key in new if len(events.decisions.get(key, ())) > 1]
        return {
            "accepted": accepted,
            "done": done,
            "lost": max(0, accepted - min(done.values(), default=0)),
            "duplicated": extra_cases + decisions + alerts,
            "duplicates": {"cases": extra_cases, "decisions": decisions, "alerts": alerts},
            # a few examples to start from: complaint id -> its decisions' or alerts' ids
            "duplicate_examples": {
                **{key: sorted(events.decisions[key]) for key in twice[:5]},
                **{key: [str(doc) for doc in docs] for key, docs in list(doubled.items())[:5]},
            },
            "republished_events_seen": events.republished,
        }

    async def flow(
        self, label: str, count: int, connections: int, timeout: float
    ) -> dict[str, Any]:
        """Submit ``count`` complaints back to back and follow them to the end."""
        self.system.say(f"{label}: {count} complaints, {connections} connections")
        before = await self._window()
        spec = {"url": self.system.intake_url, "bodies": BODIES}
        load = LoadProcess({**spec, "connections": connections, "count": count})
        result, new, done, seconds, timed_out = await self._follow(load, count, timeout)
        accepted = sum(1 for _, _, status in result["requests"] if status == 202) or len(new)
        costs = await self._costs(before, accepted)
        latencies = [lat for _, lat, status in result["requests"] if status == 202]
        measured = {
            "complaints": count,
            "connections": connections,
            "seconds": seconds,
            "per_s": accepted / seconds,
            "accepted_per_s": accepted / max(1e-9, result["wall_s"]),
            "submit_ms": percentiles(latencies),
            "rejected": len(result["requests"]) - len(latencies),
            "timed_out": timed_out,
            "loadgen_cpu_ms_per_complaint": 1000 * result["cpu_s"] / max(1, accepted),
            **await self._integrity(new, accepted, done),
            **costs,
        }
        self.system.say(
            f"{label}: {accepted} complaints done in {seconds:.1f} s = {measured['per_s']:.1f}/s, "
            f"CPU {costs['cpu_ms_per_complaint']['total']:.1f} ms each, lost {measured['lost']}"
        )
        return measured

    async def latency(
        self, label: str, rate: float, seconds: float, timeout: float
    ) -> dict[str, Any]:
        """Submit at a steady ``rate`` for ``seconds``: submission and submitted → routed times."""
        self.system.say(f"{label}: {rate:.1f} complaints/s for {seconds:.0f} s")
        spec = {"url": self.system.intake_url, "bodies": BODIES, "rate": rate, "duration": seconds}
        load = LoadProcess(spec)
        result, new, done, _, timed_out = await self._follow(load, int(rate * seconds), timeout)
        events = self.system.events
        routed = [
            1000 * (events.routed[key] - events.submitted[key])
            for key in new
            if key in events.routed
        ]
        latencies = [lat for _, lat, status in result["requests"] if status == 202]
        measured = {
            "rate_per_s": rate,
            "achieved_per_s": len(latencies) / max(1e-9, result["wall_s"]),
            "submit_ms": percentiles(latencies),
            "submit_to_assigned_ms": percentiles(routed),
            "timed_out": timed_out,
            **await self._integrity(new, len(latencies) or len(new), done),
        }
        self.system.say(
            f"{label}: p99 submit {measured['submit_ms'].get('p99', 0):.0f} ms, "
            f"p99 submitted → assigned {measured['submit_to_assigned_ms'].get('p99', 0):.0f} ms"
        )
        return measured
