"""A stand-in Telegram Bot API on loopback: it answers ``ok`` and keeps every request."""

from __future__ import annotations

import contextlib
import json
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any


@dataclass
class StandInBotApi:
    """The URL to give as ``telegram_api_url``, and the requests it received."""

    url: str
    requests: list[tuple[str, dict[str, Any]]] = field(default_factory=list)

    def sent(self) -> list[dict[str, Any]]:
        """The payloads of every ``sendMessage``, in order."""
        return [body for path, body in self.requests if path.endswith("/sendMessage")]


@contextlib.contextmanager
def stand_in_bot_api() -> Iterator[StandInBotApi]:
    """Serve a stand-in Bot API for the duration."""
    api = StandInBotApi("")

    class BotApi(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            length = int(self.headers["Content-Length"])
            assert self.headers["Content-Type"] == "application/json"
            api.requests.append((self.path, json.loads(self.rfile.read(length))))
            answer = b'{"ok": true, "result": true}'
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(answer)))
            self.end_headers()
            self.wfile.write(answer)

        def log_message(self, format: str, *args: Any) -> None:
            return

    server = ThreadingHTTPServer(("127.0.0.1", 0), BotApi)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    api.url = f"http://127.0.0.1:{server.server_address[1]}"
    try:
        yield api
    finally:
        server.shutdown()
        server.server_close()
