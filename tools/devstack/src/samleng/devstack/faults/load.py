"""Steady load for the fault suite: citizens submitting complaints at a fixed rate.

    load = SteadyLoad(intake_url, rate=4.0, seconds=10).start()
    ...                                   # inject a fault meanwhile
    load.wait()                           # every citizen got an answer or gave up
    load.accepted                         # {phone number: tracking code}

Each complaint leaves a phone number of its own for SMS, so the stand-in gateway can
tell which complaint an SMS belongs to. A citizen's app retries a submission that met an
outage (503, 429, a broken connection, no answer) with the same ``Idempotency-Key``, as
intake documents, until it is accepted or ``give_up_seconds`` pass: a 202 is a promise,
everything else is not.
"""

from __future__ import annotations

import threading
import time
import uuid
from concurrent.futures import Future, ThreadPoolExecutor

import httpx

COMMUNE = "170201"
RETRY_SECONDS = 0.5


def phone(run: int, index: int) -> str:
    """The phone number of complaint ``index`` of load ``run`` (unique in a scenario)."""
    return f"+85511{run % 10}{index:05d}"  # a valid Cambodian mobile number: 11 + 6 digits


class SteadyLoad:
    """Submits ``rate`` complaints a second for ``seconds``, from ``workers`` threads."""

    _runs = iter(range(1, 1_000_000))

    def __init__(
        self,
        intake_url: str,
        rate: float = 4.0,
        seconds: float = 10.0,
        workers: int = 6,
        give_up_seconds: float = 180.0,
    ) -> None:
        self.url = intake_url
        self.rate, self.seconds, self.give_up = rate, seconds, give_up_seconds
        self.run = next(self._runs)
        self.accepted: dict[str, str] = {}
        self.refused: dict[str, str] = {}  # number -> last answer, for those never accepted
        self.retries = 0
        self._lock = threading.Lock()
        self._pool = ThreadPoolExecutor(workers, thread_name_prefix="citizen")
        self._futures: list[Future[None]] = []
        self._scheduler = threading.Thread(target=self._schedule, daemon=True)

    @property
    def planned(self) -> int:
        """How many complaints this load submits."""
        return max(1, round(self.rate * self.seconds))

    def describe(self) -> str:
        """The load in words, for the results table."""
        return f"{self.planned} @ {self.rate:g}/s"

    def start(self) -> SteadyLoad:
        """Begin submitting in the background; return self."""
        self._scheduler.start()
        return self

    def _schedule(self) -> None:
        started = time.monotonic()
        for index in range(self.planned):
            delay = started + index / self.rate - time.monotonic()
            if delay > 0:
                time.sleep(delay)
            self._futures.append(self._pool.submit(self._submit, index))

    def wait(self) -> None:
        """Block until every planned complaint was accepted or given up."""
        self._scheduler.join()
        for future in self._futures:
            future.result()
        self._pool.shutdown()

    def _submit(self, index: int) -> None:
        number = phone(self.run, index)
        body = {
            "kind": "complaint",
            "category": "extra_fee",
            "commune_code": COMMUNE,
            "description": f"មន្ត្រីទារប្រាក់លើសពីតម្លៃផ្លូវការ (fault suite {self.run}/{index})",
            "contacts": [{"channel": "sms", "address": number}],
        }
        headers = {"Idempotency-Key": str(uuid.uuid4()), "Accept-Language": "km"}
        deadline = time.monotonic() + self.give_up
        last = "never answered"
        with httpx.Client(timeout=10.0) as client:
            while time.monotonic() < deadline:
                try:
                    answer = client.post(f"{self.url}/v1/complaints", json=body, headers=headers)
                except httpx.TransportError as error:
                    last = f"{type(error).__name__}"
                else:
                    if answer.status_code == 202:
                        with self._lock:
                            self.accepted[number] = str(answer.json()["tracking_code"])
                            self.refused.pop(number, None)
                        return
                    last = f"HTTP {answer.status_code}"
                    if answer.status_code not in (408, 425, 429) and answer.status_code < 500:
                        break  # refused for good: a bug the table shows
                with self._lock:
                    self.retries += 1
                time.sleep(RETRY_SECONDS)
        with self._lock:
            self.refused[number] = last
