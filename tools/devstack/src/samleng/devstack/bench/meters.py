"""What the processes cost: CPU seconds and RSS from ``/proc``, MongoDB operations from
``top``, and round trips (MongoDB commands, broker messages) from each service's metrics.

    before = cpu_seconds(pids)            # {name: utime+stime in s, whole process tree}
    ...                                    # the measured window
    spent = cpu_delta(before, cpu_seconds(pids))
    rss_mb(pid)                            # resident set of a process and its children

A service's CPU includes its child processes (reporting publishes in a worker process):
the live ones, and through ``cutime``/``cstime`` the ones it has already reaped.
"""

from __future__ import annotations

import asyncio
import os
import re
import subprocess
from pathlib import Path
from typing import Any

import httpx

from samleng.devstack import processes

TICKS = os.sysconf("SC_CLK_TCK")
OP_KINDS = ("insert", "update", "remove", "queries", "getmore", "commands")


def _stat(pid: int) -> list[str] | None:
    try:
        text = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    # fields after the command name, which may hold spaces, start at the state (field 3)
    return text.rpartition(")")[2].split()


def children(pid: int) -> list[int]:
    """Every live descendant of ``pid``."""
    parents: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit() and (fields := _stat(int(entry.name))):
            parents.setdefault(int(fields[1]), []).append(int(entry.name))
    found, todo = [], [pid]
    while todo:
        kids = parents.get(todo.pop(), [])
        found.extend(kids)
        todo.extend(kids)
    return found


def find_pids(command: str) -> list[int]:
    """Pids whose command name is ``command`` (``mongod``, ``beam.smp``)."""
    pids = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                if (entry / "comm").read_text().strip() == command:
                    pids.append(int(entry.name))
            except OSError:
                continue
    return sorted(pids)


def tree_cpu_seconds(pid: int) -> float:
    """CPU seconds (user + system) of ``pid``, its live descendants and its reaped ones."""
    total = 0.0
    root = _stat(pid)
    if root is None:
        return 0.0
    # utime, stime, cutime, cstime are fields 14-17; index 0 here is field 3
    total += sum(int(value) for value in root[11:15]) / TICKS
    for child in children(pid):
        if fields := _stat(child):
            total += (int(fields[11]) + int(fields[12])) / TICKS
    return total


def cpu_seconds(pids: dict[str, list[int]]) -> dict[str, float]:
    """CPU seconds so far of each named group of processes (trees)."""
    return {name: sum(tree_cpu_seconds(pid) for pid in group) for name, group in pids.items()}


def cpu_delta(before: dict[str, float], after: dict[str, float]) -> dict[str, float]:
    """CPU seconds spent between two readings, per name."""
    return {name: max(0.0, after[name] - before.get(name, 0.0)) for name in after}


def rss_mb(pid: int, with_children: bool = True) -> float:
    """Resident set size in MiB of ``pid`` (and its live descendants)."""
    total = 0
    for member in [pid, *(children(pid) if with_children else [])]:
        try:
            status = Path(f"/proc/{member}/status").read_text()
        except OSError:
            continue
        for line in status.splitlines():
            if line.startswith("VmRSS:"):
                total += int(line.split()[1])
    return total / 1024


async def mongo_ops(client: Any, databases: dict[str, str]) -> dict[str, dict[str, int]]:
    """Operation counts so far per service, summed over its collections (``top`` command)."""
    totals = (await client.admin.command("top"))["totals"]
    found: dict[str, dict[str, int]] = {name: dict.fromkeys(OP_KINDS, 0) for name in databases}
    for namespace, counters in totals.items():
        database = namespace.partition(".")[0]
        for name, wanted in databases.items():
            if database == wanted and isinstance(counters, dict):
                for kind in OP_KINDS:
                    found[name][kind] += int(counters.get(kind, {}).get("count", 0))
    return found


def ops_delta(
    before: dict[str, dict[str, int]], after: dict[str, dict[str, int]]
) -> dict[str, dict[str, int]]:
    """Operations between two readings, per service and kind, with a ``total``."""
    delta = {}
    for name, counts in after.items():
        kinds = {kind: counts[kind] - before.get(name, {}).get(kind, 0) for kind in OP_KINDS}
        delta[name] = {**kinds, "total": sum(kinds.values())}
    return delta


async def mongod_pids(client: Any) -> list[int]:
    """The pid of the mongod that ``client`` talks to (others may run on the machine)."""
    pid = int((await client.admin.command("serverStatus"))["pid"])
    return [pid] if processes.pid_alive(pid) else find_pids("mongod")


def rabbitmq_pids() -> list[int]:
    """The pid of the RabbitMQ node's beam.smp (not of other nodes, nor of rabbitmqctl's)."""
    try:
        done = subprocess.run(
            ["rabbitmqctl", "-q", "eval", "os:getpid()."],
            capture_output=True,
            text=True,
            timeout=60,
            check=False,
        )
        pid = int(done.stdout.strip().strip('"'))
    except (OSError, ValueError, subprocess.TimeoutExpired):
        return find_pids("beam.smp")
    return [pid]


_SAMPLE = re.compile(r"^(samleng_[a-z_]+_total)\{([^}]*)\} ([0-9.e+]+)$")


async def service_counts(urls: dict[str, str]) -> dict[str, dict[str, float]]:
    """Per service, from its ``/metrics``: MongoDB commands by name (``mongodb.<name>``),
    events published and messages consumed (the broker round trips of its own work)."""

    async def one(client: httpx.AsyncClient, url: str) -> dict[str, float]:
        counts: dict[str, float] = {}
        try:
            text = (await client.get(url, timeout=5)).text
        except httpx.HTTPError:
            return counts
        for line in text.splitlines():
            found = _SAMPLE.match(line)
            if found is None:
                continue
            name, labels, value = found.groups()
            if name == "samleng_mongodb_commands_total":
                command = re.search(r'command="([^"]+)"', labels)
                key = f"mongodb.{command.group(1) if command else '?'}"
            elif name == "samleng_events_published_total":
                key = "broker.published"
            elif name == "samleng_events_consumed_total":
                key = "broker.consumed"
            else:
                continue
            counts[key] = counts.get(key, 0.0) + float(value)
        return counts

    async with httpx.AsyncClient() as client:
        found = await asyncio.gather(*(one(client, url) for url in urls.values()))
    return dict(zip(urls, found, strict=True))


def counts_delta(
    before: dict[str, dict[str, float]], after: dict[str, dict[str, float]]
) -> dict[str, dict[str, float]]:
    """What each service counted between two readings."""
    return {
        service: {
            key: value - before.get(service, {}).get(key, 0.0)
            for key, value in counts.items()
            if value - before.get(service, {}).get(key, 0.0)
        }
        for service, counts in after.items()
    }
