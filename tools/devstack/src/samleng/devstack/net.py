"""Small loopback networking helpers shared by the infra and service runners."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Callable

LOOPBACK = "127.0.0.1"

_given: set[int] = set()
_giving = threading.Lock()


def free_port(host: str = LOOPBACK) -> int:
    """Return a TCP port that is free on ``host`` right now (the OS picks it), and that
    this process has not handed out before.

    The OS may pick a port again once the socket that found it is closed: services started
    side by side (threads of one bench or test run) were once given the same port, and
    the one that lost the race to bind it exited while the other answered its readiness
    probe.
    """
    with _giving:
        for _ in range(100):
            with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
                sock.bind((host, 0))
                port = int(sock.getsockname()[1])
            if port not in _given:
                _given.add(port)
                return port
    raise RuntimeError("no free port that this process has not handed out already")


def port_is_open(port: int, host: str = LOOPBACK, timeout: float = 0.5) -> bool:
    """Return True when something accepts TCP connections on ``host:port``."""
    try:
        with socket.create_connection((host, port), timeout=timeout):
            return True
    except OSError:
        return False


def wait_until(condition: Callable[[], bool], timeout: float, interval: float = 0.25) -> bool:
    """Poll ``condition`` until it is true or ``timeout`` seconds pass; return the last result."""
    deadline = time.monotonic() + timeout
    while True:
        if condition():
            return True
        if time.monotonic() >= deadline:
            return False
        time.sleep(interval)
