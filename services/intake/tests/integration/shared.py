"""What intake's citizen-side and officer-side real-tier tests share: a sample complaint,
the office it is routed to, and an in-process intake on a vhost of the tests' own."""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from typing import Any

import aio_pika

from samleng.common.events import OfficeRef
from samleng.devstack import infra
from samleng.intake.settings import IntakeSettings
from tests.support import settings_for

VALID: dict[str, Any] = {
    "kind": "complaint",
    "category": "extra_fee",
    "commune_code": "170201",
    "description": "មន្ត្រីទារប្រាក់លើសពីតម្លៃផ្លូវការ ៥០០០០ រៀល",
}

OFFICE = OfficeRef(
    office_id="commune:170201",
    level="commune",
    kind="commune_office",
    name_en="Chub Ta Trav commune/sangkat office",
    name_km="រដ្ឋបាលឃុំ/សង្កាត់ ជប់តាត្រាវ",
)


@dataclass(frozen=True)
class IsolatedEnv:
    """The session's stack, and the vhost a group of tests uses on it."""

    stack: Any
    amqp_url: str


@contextlib.contextmanager
def isolated_env(stack: Any, suffix: str) -> Iterator[IsolatedEnv]:
    """A vhost of its own for tests that publish events by hand (deleted afterwards).

    Hand-made events would otherwise pile up in other services' queues on the session's
    vhost and disturb the tests that count them.
    """
    name = f"{stack.vhost}-{suffix}"
    infra.create_vhost(name)
    try:
        yield IsolatedEnv(stack, infra.amqp_url(name))
    finally:
        infra.delete_vhost(name)


@contextlib.asynccontextmanager
async def confirmed_channel(env: IsolatedEnv) -> AsyncIterator[aio_pika.abc.AbstractChannel]:
    """A raw channel with publisher confirms on the env's vhost."""
    connection = await aio_pika.connect_robust(env.amqp_url)
    try:
        yield await connection.channel(publisher_confirms=True)
    finally:
        await connection.close()


def intake_settings(env: IsolatedEnv, **overrides: Any) -> IntakeSettings:
    """Settings of an in-process intake with its own database, the env's vhost, a fast relay."""
    overrides.setdefault("relay_poll_seconds", 0.2)
    overrides.setdefault("amqp_url", env.amqp_url)
    return settings_for(env.stack, IntakeSettings, "intake", **overrides)
