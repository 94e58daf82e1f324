"""Per-client budget shares: counted by a daily keyed hash, taken without a race."""

from __future__ import annotations

import asyncio
import hashlib
from datetime import date
from typing import Any

import pytest
from starlette.requests import Request

from samleng.intake.adapters.budgets import Budget, ClientPseudonyms
from samleng.intake.citizen.handlers import CaseNotFound, LookupsExhausted, find_case
from samleng.intake.domain.tracking import TrackingCode, TrackingCodeHasher
from samleng.intake.entrypoints.deps import client_address
from services.intake.tests.unit.fakes import InMemoryCases


def budget(limit: int, per_client: int, pseudonyms: ClientPseudonyms | None = None) -> Budget:
    db: Any = {"budgets": None}  # flush is never called: the shares live in memory
    return Budget(db, "test", limit, 86_400, per_client=per_client, pseudonyms=pseudonyms)


class SlowCases(InMemoryCases):
    """A store whose look-ups yield to the event loop, as MongoDB's do."""

    async def by_code_hash(self, code_hash: str) -> Any:
        await asyncio.sleep(0)
        return await super().by_code_hash(code_hash)


async def test_concurrent_misses_never_slip_past_a_spent_share() -> None:
    misses = budget(limit=1000, per_client=10).for_client("192.0.2.7")
    hasher = TrackingCodeHasher(b"k" * 32)

    async def guess() -> str:
        try:
            await find_case(TrackingCode.generate(), SlowCases(), hasher, misses)
        except CaseNotFound:
            return "miss"
        except LookupsExhausted:
            return "refused"
        return "hit"

    answers = await asyncio.gather(*(guess() for _ in range(50)))
    assert answers.count("miss") == 10 and answers.count("refused") == 40


async def test_one_clients_spent_share_leaves_others_their_own() -> None:
    shared = budget(limit=100, per_client=3)
    first, second = shared.for_client("127.0.0.2"), shared.for_client("127.0.0.3")
    assert [await first.take() for _ in range(4)][-1] is not None
    assert await second.take() is None
    # a look-up that opened a case gives its unit back
    await second.give_back()
    assert [await second.take() for _ in range(3)] == [None, None, None]


async def test_the_ceiling_is_the_last_resort_for_all_clients() -> None:
    shared = budget(limit=4, per_client=3)
    assert [await shared.for_client(f"10.0.0.{n}").take() for n in range(5)][-1] is not None


def test_pseudonyms_are_keyed_change_daily_and_group_ipv6_by_64() -> None:
    day = [date(2026, 12, 6)]
    pseudonyms = ClientPseudonyms(today=lambda: day[0])
    today = pseudonyms.of("203.0.113.9")
    assert today == pseudonyms.of("203.0.113.9") != pseudonyms.of("203.0.113.10")
    assert today != hashlib.sha256(b"203.0.113.9").hexdigest()  # not an unkeyed hash
    assert "203.0.113.9" not in repr(pseudonyms) and today != ClientPseudonyms().of("203.0.113.9")
    assert pseudonyms.of("2001:db8:1:2::1") == pseudonyms.of("2001:db8:1:2:ffff::9")
    assert pseudonyms.of("::ffff:203.0.113.9") == today
    day[0] = date(2026, 12, 7)
    assert pseudonyms.of("203.0.113.9") != today  # yesterday's key is gone


def request_from(peer: str, forwarded: str | None = None) -> Request:
    headers = [(b"x-forwarded-for", forwarded.encode())] if forwarded is not None else []
    return Request({"type": "http", "client": (peer, 4321), "headers": headers})


@pytest.mark.parametrize(
    ("peer", "forwarded", "proxies", "client"),
    [
        ("198.51.100.4", "203.0.113.9", (), "198.51.100.4"),  # no proxy trusted: header ignored
        ("10.0.0.2", "203.0.113.9", ("198.51.100.0/24",), "10.0.0.2"),  # not a trusted proxy
        ("10.0.0.2", "1.1.1.1, 203.0.113.9", ("10.0.0.0/8",), "203.0.113.9"),  # last hop wins
        ("10.0.0.2", "203.0.113.9, 10.0.0.7", ("10.0.0.0/8",), "203.0.113.9"),  # proxies skipped
        ("10.0.0.2", "not-an-ip", ("10.0.0.0/8",), "10.0.0.2"),  # broken header: the proxy
        ("10.0.0.2", None, ("10.0.0.0/8",), "10.0.0.2"),
    ],
)
def test_the_client_is_the_peer_unless_a_trusted_proxy_forwards_it(
    peer: str, forwarded: str | None, proxies: tuple[str, ...], client: str
) -> None:
    assert client_address(request_from(peer, forwarded), proxies) == client
