"""A lean HTTP/1.1 load generator, run as its own process so its CPU is not the system's.

    python -m samleng.devstack.bench.loadgen <spec.json> <result.json>

The spec names ``url`` (``http://127.0.0.1:8000/v1/complaints``), ``bodies`` (JSON
documents sent in turn) and either a closed loop (``connections`` clients, each sending
its next request when the last one answered, until ``count`` requests or ``duration``
seconds) or an open loop (``rate`` requests per second for ``duration`` seconds, each
timed from the moment it was due, so a slow server cannot hide its queueing). Keep-alive
connections and a hand-written request cost far less CPU per request than an HTTP client
library, which matters when the measured system shares the machine's cores.
"""

from __future__ import annotations

import asyncio
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

PROGRESS_EVERY = 2.0


class HttpConnection:
    """One keep-alive HTTP/1.1 connection that POSTs JSON and reads the status."""

    def __init__(self, host: str, port: int, path: str) -> None:
        self.host, self.port, self.path = host, port, path
        self._reader: asyncio.StreamReader | None = None
        self._writer: asyncio.StreamWriter | None = None

    async def post(self, body: bytes) -> int:
        """Send one POST and return the response's status code (0 if the connection failed)."""
        try:
            if self._writer is None:
                self._reader, self._writer = await asyncio.open_connection(self.host, self.port)
            assert self._reader is not None
            head = (
                f"POST {self.path} HTTP/1.1\r\nHost: {self.host}:{self.port}\r\n"
                f"Content-Type: application/json\r\nContent-Length: {len(body)}\r\n\r\n"
            )
            self._writer.write(head.encode() + body)
            status_line = await self._reader.readline()
            status = int(status_line.split()[1])
            length, close = 0, False
            while (line := await self._reader.readline()) not in (b"\r\n", b""):
                name, _, value = line.decode("latin-1").partition(":")
                if name.lower() == "content-length":
                    length = int(value)
                elif name.lower() == "connection" and "close" in value.lower():
                    close = True
            await self._reader.readexactly(length)
            if close:
                self.close()
            return status
        except (OSError, ValueError, IndexError, asyncio.IncompleteReadError):
            self.close()
            return 0

    def close(self) -> None:
        """Drop the connection; the next request opens a new one."""
        if self._writer is not None:
            self._writer.close()
        self._reader = self._writer = None


@dataclass
class Tally:
    """What the clients saw: one (start offset s, latency ms, status) per request."""

    requests: list[tuple[float, float, int]] = field(default_factory=list)
    began: float = field(default_factory=time.perf_counter)

    def add(self, due: float, status: int) -> None:
        """Record one answered request that was due at ``due`` (perf_counter)."""
        now = time.perf_counter()
        self.requests.append((due - self.began, (now - due) * 1000, status))


async def _progress(tally: Tally, expected: int | None) -> None:
    while True:
        await asyncio.sleep(PROGRESS_EVERY)
        done = len(tally.requests)
        rate = done / max(1e-9, time.perf_counter() - tally.began)
        total = f"/{expected}" if expected else ""
        print(f"loadgen: {done}{total} requests, {rate:.0f}/s", file=sys.stderr, flush=True)


async def closed_loop(
    target: tuple[str, int, str],
    bodies: list[bytes],
    connections: int,
    count: int | None,
    duration: float | None,
) -> Tally:
    """``connections`` clients send back to back until ``count`` requests or ``duration`` s."""
    tally = Tally()
    deadline = tally.began + duration if duration else float("inf")
    issued = 0

    async def client() -> None:
        nonlocal issued
        connection = HttpConnection(*target)
        while (count is None or issued < count) and time.perf_counter() < deadline:
            body = bodies[issued % len(bodies)]
            issued += 1
            due = time.perf_counter()
            tally.add(due, await connection.post(body))
        connection.close()

    reporter = asyncio.create_task(_progress(tally, count))
    await asyncio.gather(*(client() for _ in range(connections)))
    reporter.cancel()
    return tally


async def open_loop(
    target: tuple[str, int, str], bodies: list[bytes], rate: float, duration: float
) -> Tally:
    """Send ``rate`` requests per second for ``duration`` s, whatever the server's pace."""
    tally = Tally()
    idle: list[HttpConnection] = []
    total = max(1, int(rate * duration))

    async def one(i: int, due: float) -> None:
        connection = idle.pop() if idle else HttpConnection(*target)
        tally.add(due, await connection.post(bodies[i % len(bodies)]))
        idle.append(connection)

    reporter = asyncio.create_task(_progress(tally, total))
    tasks = []
    for i in range(total):
        due = tally.began + i / rate
        await asyncio.sleep(max(0.0, due - time.perf_counter()))
        tasks.append(asyncio.create_task(one(i, due)))
    await asyncio.gather(*tasks)
    reporter.cancel()
    for connection in idle:
        connection.close()
    return tally


async def run(spec: dict[str, Any]) -> dict[str, Any]:
    """Run the load the spec describes and return what happened."""
    parts = urlsplit(spec["url"])
    target = (parts.hostname or "127.0.0.1", parts.port or 80, parts.path or "/")
    bodies = [json.dumps(body).encode() for body in spec["bodies"]]
    if spec.get("rate"):
        tally = await open_loop(target, bodies, float(spec["rate"]), float(spec["duration"]))
    else:
        tally = await closed_loop(
            target, bodies, int(spec.get("connections", 8)), spec.get("count"), spec.get("duration")
        )
    wall = time.perf_counter() - tally.began
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return {
        "began": tally.began,  # perf_counter: CLOCK_MONOTONIC, shared by every process
        "wall_s": wall,
        "cpu_s": usage.ru_utime + usage.ru_stime,
        "requests": tally.requests,
    }


def main() -> None:
    """Read the spec from the file named first, write the result as JSON to the second."""
    with open(sys.argv[1], encoding="utf-8") as source:
        spec = json.load(source)
    result = asyncio.run(run(spec))
    with open(sys.argv[2], "w", encoding="utf-8") as sink:
        json.dump(result, sink)


if __name__ == "__main__":
    main()


class LoadProcess:
    """A load generator running in a child process; ``result()`` waits for its JSON."""

    def __init__(self, spec: dict[str, Any]) -> None:
        with tempfile.NamedTemporaryFile("w", prefix="samleng-load-", delete=False) as sink:
            json.dump(spec, sink)
        self._spec = sink.name
        self._output = f"{self._spec}.result"
        command = [sys.executable, "-m", "samleng.devstack.bench.loadgen"]
        self._process = subprocess.Popen(
            [*command, self._spec, self._output], stdin=subprocess.DEVNULL
        )

    def done(self) -> bool:
        """True once the generator has exited."""
        return self._process.poll() is not None

    def result(self) -> dict[str, Any]:
        """Wait for the generator and return its result."""
        self._process.wait()
        try:
            if self._process.returncode != 0:
                raise RuntimeError(f"load generator failed (exit {self._process.returncode})")
            with open(self._output, encoding="utf-8") as source:
                result: dict[str, Any] = json.load(source)
            return result
        finally:
            self._forget()

    def stop(self) -> None:
        """Kill the generator if it still runs (on interrupt)."""
        if self._process.poll() is None:
            self._process.kill()
            self._process.wait()
        self._forget()

    def _forget(self) -> None:
        for path in (self._spec, self._output):
            if os.path.exists(path):
                os.unlink(path)
