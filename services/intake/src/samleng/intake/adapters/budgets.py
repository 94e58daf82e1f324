"""Request budgets: a share per client that identifies nobody, under a shared ceiling.

A budget counts events (failed tracking-code look-ups, submissions) in fixed windows. Each
client has its own share (``per_client`` a window), so one client that floods bad guesses
or submissions is refused while everyone else goes on; a ceiling for all clients together
(``limit``) stays as the last resort against a flood from very many addresses, set far
above one client's share so that honest clients are not starved by one.

**Who is a client, without knowing who.** :class:`ClientPseudonyms` turns the address into
an HMAC-SHA-256 under a random key that lives only in this process's memory and is
replaced at each UTC midnight (the old key is dropped, so yesterday's pseudonyms can no
longer be linked to an address, not even by the operator). The address itself is never
stored, logged or sent anywhere; the pseudonym is only a key of an in-memory counter that
disappears with its window. IPv6 clients are counted by their /64 network, since one
subscriber holds a whole /64. Clients behind one carrier-grade NAT share one share; the
per-client defaults leave room for that.

**Counting.** Taking a unit checks the client's share and the ceiling and counts it in
one step, with no ``await`` in between, so concurrent requests cannot slip past a spent
budget (the old check-then-spend let about 7% over). A look-up takes a unit first and
gives it back when its code opened a case, so only misses count.

Each replica counts shares in memory only: behind a load balancer that spreads one
client over N replicas, it gets up to N shares. The ceiling is shared: each replica adds
its count to the window's document every ``flush_seconds`` (and once more when it
stops), reading back what all replicas spent; a request never waits for MongoDB. Between
two flushes a replica sees the others' spends up to ``flush_seconds`` late, so the
deployment can overshoot the ceiling by what the other replicas take in one flush period.

Why this stops code guessing: a guess succeeds with probability (cases / 2^80); even at
the default ceiling of 20,000 misses a minute for the whole world, finding one code among
a million takes ~10^8 years, and one client alone gets 30 a minute.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import hmac
import ipaddress
import logging
import math
import secrets
import time
from collections.abc import Callable, Coroutine, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any

from pymongo import ReturnDocument
from pymongo.asynchronous.database import AsyncDatabase

log = logging.getLogger(__name__)

#: Clients counted one by one in a window; past that, new clients meet only the ceiling
#: (bounds memory against a flood from ever new addresses).
MAX_CLIENTS_PER_WINDOW = 100_000


def _today() -> date:
    return datetime.now(UTC).date()


class ClientPseudonyms:
    """A keyed hash of a client's address, under a key that is replaced every UTC day."""

    def __init__(self, today: Callable[[], date] = _today) -> None:
        self._today = today
        self._day: date | None = None
        self._key = b""

    def __repr__(self) -> str:  # never show the key
        return "ClientPseudonyms()"

    def of(self, address: str) -> str:
        """The pseudonym of an address today (IPv6: of its /64 network)."""
        day = self._today()
        if day != self._day:
            self._key, self._day = secrets.token_bytes(32), day  # yesterday's key is gone
        return hmac.new(self._key, _network_of(address).encode(), hashlib.sha256).hexdigest()


def _network_of(address: str) -> str:
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return address  # not an IP (a test client, a Unix socket): counted as given
    if isinstance(ip, ipaddress.IPv6Address):
        if ip.ipv4_mapped is not None:
            return str(ip.ipv4_mapped)
        return str(ipaddress.IPv6Network((ip, 64), strict=False))
    return str(ip)


class Budget:
    """One named budget: ``per_client`` takes per client and ``limit`` for all, a window."""

    def __init__(
        self,
        db: AsyncDatabase[dict[str, Any]],
        name: str,
        limit: int,
        window_seconds: int,
        *,
        per_client: int | None = None,
        pseudonyms: ClientPseudonyms | None = None,
    ) -> None:
        self._counters = db["budgets"]
        self.name = name
        self.limit = limit
        self.per_client = min(per_client or limit, limit)
        self.window_seconds = window_seconds
        self._pseudonyms = pseudonyms or ClientPseudonyms()
        self._clients: tuple[str, dict[str, int]] = ("", {})  # this window's shares
        self._pending: dict[str, int] = {}  # taken here, not yet added to the window's document
        self._shared: dict[str, int] = {}  # the window's document as last read (all replicas)
        self._in_flight: dict[str, int] = {}  # being added to the window's document right now

    def _window(self) -> tuple[str, float]:
        now = time.time()
        start = math.floor(now / self.window_seconds) * self.window_seconds
        return f"{self.name}:{int(start)}", start + self.window_seconds - now

    def _spent(self, window_id: str) -> int:
        return (
            self._shared.get(window_id, 0)
            + self._in_flight.get(window_id, 0)
            + self._pending.get(window_id, 0)
        )

    def _shares(self, window_id: str) -> dict[str, int]:
        if self._clients[0] != window_id:
            self._clients = (window_id, {})  # last window's shares are forgotten
        return self._clients[1]

    async def create_indexes(self) -> None:
        """Spent windows expire by themselves (idempotent)."""
        await self._counters.create_index("expires_at", expireAfterSeconds=0)

    def for_client(self, address: str) -> ClientShare:
        """The share of the client at ``address`` (only its pseudonym is kept)."""
        return ClientShare(self, self._pseudonyms.of(address))

    def take(self, client: str) -> int | None:
        """Take one unit for ``client``; seconds to wait (nothing taken) if none is left."""
        window_id, left = self._window()
        shares = self._shares(window_id)
        taken = shares.get(client, 0)
        if taken >= self.per_client or self._spent(window_id) >= self.limit:
            return max(1, math.ceil(left))
        if client in shares or len(shares) < MAX_CLIENTS_PER_WINDOW:
            shares[client] = taken + 1
        self._pending[window_id] = self._pending.get(window_id, 0) + 1
        return None

    def give_back(self, client: str) -> None:
        """Return a unit taken in this window (a look-up whose code opened a case)."""
        window_id, _ = self._window()
        shares = self._shares(window_id)
        if shares.get(client, 0) > 0:
            shares[client] -= 1
            self._pending[window_id] = self._pending.get(window_id, 0) - 1

    async def flush(self) -> None:
        """Add this replica's takes to the shared windows and read what all have taken."""
        window_id, left = self._window()
        for spent_in in [*self._pending, *([] if window_id in self._pending else [window_id])]:
            count = self._pending.pop(spent_in, 0)
            self._in_flight[spent_in] = count
            expires = datetime.now(UTC) + timedelta(seconds=left + self.window_seconds)
            try:
                doc = (
                    await self._counters.find_one_and_update(
                        {"_id": spent_in},
                        {"$inc": {"count": count}, "$setOnInsert": {"expires_at": expires}},
                        upsert=True,
                        return_document=ReturnDocument.AFTER,
                    )
                    if count
                    else await self._counters.find_one({"_id": spent_in})  # the others' takes
                )
            except BaseException:
                self._pending[spent_in] = self._pending.get(spent_in, 0) + count  # next time
                raise
            finally:
                del self._in_flight[spent_in]
            if doc is not None:
                self._shared[spent_in] = max(self._shared.get(spent_in, 0), int(doc["count"]))
        for old in [w for w in self._shared if w != window_id and w not in self._pending]:
            del self._shared[old]


@dataclass(frozen=True)
class ClientShare:
    """One client's share of a budget, as the use cases take from it."""

    budget: Budget
    client: str

    def __repr__(self) -> str:
        return f"ClientShare({self.budget.name})"

    async def take(self) -> int | None:
        """Take one unit; seconds to wait (nothing taken) if the share or ceiling is spent."""
        return self.budget.take(self.client)

    async def give_back(self) -> None:
        """Return a unit that turned out not to count."""
        self.budget.give_back(self.client)


def budget_flusher(
    budgets: Sequence[Budget], every_seconds: float
) -> Callable[[], Coroutine[Any, Any, None]]:
    """The background task that flushes the budgets every ``every_seconds`` and on stop."""

    async def flush_budgets() -> None:
        try:
            while True:
                await asyncio.sleep(every_seconds)
                for budget in budgets:
                    try:
                        await budget.flush()
                    except Exception:  # MongoDB away: keep counting, flush later
                        log.warning("budget flush failed; retrying", exc_info=True)
        finally:
            for budget in budgets:
                with contextlib.suppress(Exception):
                    await budget.flush()

    return flush_budgets
