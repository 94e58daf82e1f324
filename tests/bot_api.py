"""A stand-in Telegram Bot API on loopback, for intake's bot and notification's courier.

It serves the methods Samleng calls (``sendMessage``, ``answerCallbackQuery``,
``getFile``) and file downloads (``GET /file/bot<token>/<file_path>``), only for the one
bot token it is given, and keeps every request exactly as it came (path and JSON body),
so tests compare them whole. Files are put in with :meth:`StandInBotApi.add_file`; one
can lie about its size in ``getFile`` or come without a Content-Length (chunked), to test
the limits a download is held to.
"""

from __future__ import annotations

import contextlib
import itertools
import json
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

METHODS = ("sendMessage", "answerCallbackQuery", "getFile")


@dataclass
class StoredFile:
    """A file the stand-in serves: its bytes, the size getFile tells, how it is sent."""

    data: bytes
    path: str
    told_size: int | None
    chunked: bool = False


@dataclass
class StandInBotApi:
    """The URL to give as ``telegram_api_url``, and the requests it received."""

    url: str
    token: str
    requests: list[tuple[str, dict[str, Any]]] = field(default_factory=list)
    files: dict[str, StoredFile] = field(default_factory=dict)
    downloaded: list[str] = field(default_factory=list)  # file paths, in order
    lock: threading.Lock = field(default_factory=threading.Lock)

    def sent(self, chat_id: int | str | None = None) -> list[dict[str, Any]]:
        """The payloads of every ``sendMessage`` (to one chat, if given), in order."""
        with self.lock:
            return [
                body
                for path, body in self.requests
                if path.endswith("/sendMessage")
                and (chat_id is None or str(body.get("chat_id")) == str(chat_id))
            ]

    def add_file(
        self, file_id: str, data: bytes, *, told_size: int | None = -1, chunked: bool = False
    ) -> None:
        """Serve ``data`` as the file ``file_id`` (``told_size`` -1: its true size)."""
        size = len(data) if told_size == -1 else told_size
        self.files[file_id] = StoredFile(data, f"photos/file_{len(self.files)}.jpg", size, chunked)


@contextlib.contextmanager
def stand_in_bot_api(token: str) -> Iterator[StandInBotApi]:
    """Serve a stand-in Bot API for the duration."""
    api = StandInBotApi("", token)
    message_ids = itertools.count(1)

    class BotApi(BaseHTTPRequestHandler):
        def _answer(self, status: int, body: dict[str, Any]) -> None:
            data = json.dumps(body).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def do_POST(self) -> None:
            length = int(self.headers["Content-Length"])
            assert self.headers["Content-Type"] == "application/json", self.headers
            body = json.loads(self.rfile.read(length))
            with api.lock:
                api.requests.append((self.path, body))
            prefix, _, method = self.path.rpartition("/")
            if prefix != f"/bot{api.token}" or method not in METHODS:
                self._answer(404, {"ok": False, "error_code": 404, "description": "Not Found"})
                return
            if method == "getFile":
                found = api.files.get(body.get("file_id", ""))
                if found is None:
                    self._answer(
                        400,
                        {"ok": False, "error_code": 400, "description": "Bad Request: invalid "
                         "file_id"},
                    )  # fmt: skip
                    return
                result: dict[str, Any] = {
                    "file_id": body["file_id"],
                    "file_unique_id": f"u-{body['file_id']}",
                    "file_path": found.path,
                }
                if found.told_size is not None:
                    result["file_size"] = found.told_size
                self._answer(200, {"ok": True, "result": result})
                return
            if method == "sendMessage":
                chat = {"id": body.get("chat_id"), "type": "private"}
                result = {"message_id": next(message_ids), "chat": chat, "text": body["text"]}
                self._answer(200, {"ok": True, "result": result})
                return
            self._answer(200, {"ok": True, "result": True})

        def do_GET(self) -> None:
            with api.lock:
                api.requests.append((self.path, {}))
            prefix = f"/file/bot{api.token}/"
            found = next((f for f in api.files.values() if self.path == prefix + f.path), None)
            if found is None:
                self._answer(404, {"ok": False, "error_code": 404, "description": "Not Found"})
                return
            with api.lock:
                api.downloaded.append(found.path)
            self.send_response(200)
            self.send_header("Content-Type", "application/octet-stream")
            if found.chunked:
                self.send_header("Transfer-Encoding", "chunked")
                self.end_headers()
                try:
                    for start in range(0, len(found.data), 16384):
                        piece = found.data[start : start + 16384]
                        self.wfile.write(f"{len(piece):x}\r\n".encode() + piece + b"\r\n")
                    self.wfile.write(b"0\r\n\r\n")
                except (BrokenPipeError, ConnectionResetError):
                    return  # the client stopped reading: what a size limit does
                return
            self.send_header("Content-Length", str(len(found.data)))
            self.end_headers()
            self.wfile.write(found.data)

        def log_message(self, format: str, *args: Any) -> None:
            return

    BotApi.protocol_version = "HTTP/1.1"
    server = ThreadingHTTPServer(("127.0.0.1", 0), BotApi)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    api.url = f"http://127.0.0.1:{server.server_address[1]}"
    try:
        yield api
    finally:
        server.shutdown()
        server.server_close()
