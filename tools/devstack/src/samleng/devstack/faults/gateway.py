"""The stand-in SMS gateway: accepts every message and remembers who got what, with which key.

    gateway = SmsGateway().start()     # gateway.url for SAMLENG_SMS_GATEWAY_URL
    gateway.by_number()                # {"+85511000001": ["key-a", "key-a"], ...}
    gateway.hold(); gateway.answer()   # take SMS but keep the sender waiting, then answer
    gateway.close()

A second receipt with the same ``Idempotency-Key`` is a retry the real provider would
drop; a second key for the same number is a duplicate SMS the citizen would see.
"""

from __future__ import annotations

import json
import threading
from collections import defaultdict
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from samleng.devstack.net import LOOPBACK


class SmsGateway:
    """A loopback HTTP server that records every SMS it is handed."""

    def __init__(self) -> None:
        self.received: list[dict[str, Any]] = []
        self.in_flight = 0
        self._lock = threading.Lock()
        self._answering = threading.Event()
        self._answering.set()
        gateway = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length", "0"))
                body = json.loads(self.rfile.read(length) or b"{}")
                key = self.headers.get("Idempotency-Key") or body.get("reference", "")
                with gateway._lock:
                    gateway.received.append({"to": body.get("to"), "key": key})
                    gateway.in_flight += 1
                # held: the SMS is taken but the answer waits (a slow provider)
                gateway._answering.wait(120)
                with gateway._lock:
                    gateway.in_flight -= 1
                self.send_response(202)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, format: str, *args: Any) -> None:
                return

        self._server = ThreadingHTTPServer((LOOPBACK, 0), Handler)
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        """Where notification posts SMS."""
        return f"http://{LOOPBACK}:{self._server.server_address[1]}/sms"

    def start(self) -> SmsGateway:
        """Serve in a daemon thread; return self."""
        self._thread.start()
        return self

    def by_number(self) -> dict[str, list[str]]:
        """The idempotency keys received for each number, in arrival order."""
        found: dict[str, list[str]] = defaultdict(list)
        with self._lock:
            for message in self.received:
                found[str(message["to"])].append(str(message["key"]))
        return dict(found)

    def hold(self) -> None:
        """Take every SMS but answer none until :meth:`answer` (a sender is caught mid-send)."""
        self._answering.clear()

    def answer(self) -> None:
        """Answer the held requests and every later one at once."""
        self._answering.set()

    def close(self) -> None:
        """Stop serving."""
        self.answer()
        self._server.shutdown()
        self._server.server_close()
