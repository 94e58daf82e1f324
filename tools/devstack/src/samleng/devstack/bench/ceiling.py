"""Measure the ceiling: ``ceiling_app`` under uvicorn in its own process, driven by wrk.

    measured = measure_ceiling(mongo_url, database, body, seconds=10, connections=16)

wrk (C, one thread) costs little CPU per request, so nearly all of the machine's cores
stay with what is measured; without wrk the lean Python generator in ``loadgen`` runs
instead, and the result says which one drove the load.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx

from samleng.devstack.bench import meters
from samleng.devstack.bench.loadgen import LoadProcess
from samleng.devstack.net import LOOPBACK, free_port

WRK_SCRIPT = """
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
wrk.body = [==[%s]==]
done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format("SAMLENG %%d %%d %%d %%d %%d %%.3f %%.3f\\n",
    summary.requests, summary.duration, e.status, e.connect + e.read + e.write, e.timeout,
    latency:percentile(50) / 1000, latency:percentile(99) / 1000))
end
"""


def _start_app(mongo_url: str, database: str, port: int) -> subprocess.Popen[bytes]:
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith("SAMLENG_")},
        "SAMLENG_BENCH_MONGO_URL": mongo_url,
        "SAMLENG_BENCH_DATABASE": database,
    }
    command = [sys.executable, "-m", "uvicorn", "--factory"]
    command += ["samleng.devstack.bench.ceiling_app:create_app", "--host", LOOPBACK]
    command += ["--port", str(port), "--no-access-log", "--log-level", "warning"]
    command += ["--loop", "uvloop", "--http", "httptools"]  # as the services run
    process = subprocess.Popen(command, env=env, stdin=subprocess.DEVNULL)
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"http://{LOOPBACK}:{port}/readyz", timeout=1).status_code == 200:
                return process
        except httpx.TransportError:
            pass
        if process.poll() is not None:
            break
        time.sleep(0.2)
    process.kill()
    raise RuntimeError("the ceiling app did not start")


def _wrk(url: str, body: dict[str, Any], seconds: float, connections: int) -> dict[str, float]:
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as script:
        script.write(WRK_SCRIPT % json.dumps(body))
    try:
        command = ["wrk", "-t1", f"-c{connections}", f"-d{max(1, round(seconds))}s"]
        out = subprocess.run(
            [*command, "-s", script.name, "--timeout", "10s", url],
            capture_output=True,
            text=True,
            check=True,
        ).stdout
    finally:
        Path(script.name).unlink()
    line = next(line for line in out.splitlines() if line.startswith("SAMLENG "))
    requests, micros, status, socket, timeout, p50, p99 = line.split()[1:]
    ok = int(requests) - int(status) - int(socket) - int(timeout)
    return {
        "requests": int(requests),
        "accepted": ok,
        "errors": int(requests) - ok,
        "seconds": int(micros) / 1e6,
        "p50_ms": float(p50),
        "p99_ms": float(p99),
    }


def _python_load(
    url: str, body: dict[str, Any], seconds: float, connections: int
) -> dict[str, float]:
    spec = {"url": url, "bodies": [body], "connections": connections, "duration": seconds}
    result = LoadProcess(spec).result()
    latencies = sorted(lat for _, lat, status in result["requests"] if status == 202)

    def p(share: float) -> float:
        return float(latencies[min(len(latencies) - 1, int(share * len(latencies)))])

    return {
        "requests": len(result["requests"]),
        "accepted": len(latencies),
        "errors": len(result["requests"]) - len(latencies),
        "seconds": result["wall_s"],
        "p50_ms": p(0.5) if latencies else 0.0,
        "p99_ms": p(0.99) if latencies else 0.0,
    }


def measure_ceiling(
    mongo_url: str,
    database: str,
    body: dict[str, Any],
    seconds: float,
    connections: int,
    others: dict[str, list[int]],
    say: Callable[[str], None],
) -> dict[str, Any]:
    """Requests per second of the ceiling app, and CPU ms per request of it and ``others``."""
    port = free_port()
    url = f"http://{LOOPBACK}:{port}/cases"
    load = _wrk if shutil.which("wrk") else _python_load
    app = _start_app(mongo_url, database, port)
    try:
        say(f"warming up for {min(3.0, seconds):.0f} s ({'wrk' if load is _wrk else 'python'})")
        load(url, body, min(3.0, seconds), connections)
        pids = {"ceiling app": [app.pid], **others}
        before = meters.cpu_seconds(pids)
        say(f"measuring for {seconds:.0f} s with {connections} connections")
        measured = load(url, body, seconds, connections)
        spent = meters.cpu_delta(before, meters.cpu_seconds(pids))
    finally:
        app.terminate()
        app.wait(10)
    per_s = measured["accepted"] / measured["seconds"]
    cpu = {name: 1000 * s / max(1, measured["accepted"]) for name, s in spent.items()}
    return {
        "per_s": per_s,
        "driver": "wrk" if load is _wrk else "python",
        "connections": connections,
        **measured,
        "cpu_ms_per_request": {**cpu, "total": sum(cpu.values())},
    }
