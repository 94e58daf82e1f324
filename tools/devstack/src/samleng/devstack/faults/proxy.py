"""A TCP proxy on loopback that can cut or stall every link through it.

    proxy = TcpProxy([("127.0.0.1", 5801)]).start()   # proxy.port forwards to 5801
    proxy.cut()          # reset every open connection (clients must reconnect)
    proxy.stall()        # keep connections open but move no byte (a silent link)
    proxy.resume()       # bytes flow again
    proxy.close()

With several upstreams a new connection goes to the first one that accepts, in order:
that is how the suite stands in for a load balancer in front of a RabbitMQ cluster.
The proxy runs its own event loop in a daemon thread.
"""

from __future__ import annotations

import asyncio
import contextlib
import threading

from samleng.devstack.net import LOOPBACK

CHUNK = 64 * 1024


class TcpProxy:
    """Forwards ``port`` to the first reachable upstream; can cut and stall links."""

    def __init__(self, upstreams: list[tuple[str, int]]) -> None:
        self.upstreams = upstreams
        self.port = 0
        self.connections = 0
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self._loop.run_forever, daemon=True)
        self._server: asyncio.Server | None = None
        self._links: set[asyncio.StreamWriter] = set()
        self._flowing: asyncio.Event | None = None

    def start(self) -> TcpProxy:
        """Listen on a free loopback port; return self."""
        self._thread.start()
        asyncio.run_coroutine_threadsafe(self._listen(), self._loop).result(10)
        return self

    async def _listen(self) -> None:
        self._flowing = asyncio.Event()
        self._flowing.set()
        self._server = await asyncio.start_server(self._link, LOOPBACK, 0)
        self.port = int(self._server.sockets[0].getsockname()[1])

    async def _link(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        upstream = None
        for host, port in self.upstreams:
            with contextlib.suppress(OSError, TimeoutError):
                upstream = await asyncio.wait_for(asyncio.open_connection(host, port), 2.0)
                break
        if upstream is None:
            writer.transport.abort()
            return
        up_reader, up_writer = upstream
        self.connections += 1
        self._links.update((writer, up_writer))
        try:
            await asyncio.gather(self._pump(reader, up_writer), self._pump(up_reader, writer))
        finally:
            self._links.difference_update((writer, up_writer))

    async def _pump(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        assert self._flowing is not None
        try:
            while data := await reader.read(CHUNK):
                await self._flowing.wait()
                writer.write(data)
                await writer.drain()
        except (OSError, ConnectionError):
            pass
        finally:
            writer.transport.abort()

    def _call(self, action: str) -> None:
        async def run() -> None:
            assert self._flowing is not None
            if action == "cut":
                for writer in list(self._links):
                    writer.transport.abort()
                self._links.clear()
            elif action == "stall":
                self._flowing.clear()
            elif action == "resume":
                self._flowing.set()

        asyncio.run_coroutine_threadsafe(run(), self._loop).result(10)

    def cut(self) -> None:
        """Reset every connection open now."""
        self._call("cut")

    def stall(self) -> None:
        """Stop moving bytes on every connection, old and new, without closing any."""
        self._call("stall")

    def resume(self) -> None:
        """Let bytes flow again."""
        self._call("resume")

    def close(self) -> None:
        """Stop listening, drop every link and end the thread."""
        if not self._thread.is_alive():
            return

        async def shut() -> None:
            if self._server is not None:
                self._server.close()
            for writer in list(self._links):
                writer.transport.abort()

        with contextlib.suppress(Exception):
            asyncio.run_coroutine_threadsafe(shut(), self._loop).result(10)
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(10)
