"""Reporting's inbox: every complaint event."""

from __future__ import annotations

from faststream.rabbit import RabbitBroker

from samleng.common.broker import subscribe_inbox
from samleng.common.events import Event
from samleng.common.topology import CONSUMERS
from samleng.reporting.adapters.archive import EventArchive
from samleng.reporting.adapters.case_records import CaseRecords
from samleng.reporting.adapters.publications import Publications
from samleng.reporting.handlers import on_event


def subscribe(
    broker: RabbitBroker, archive: EventArchive, records: CaseRecords, publications: Publications
) -> None:
    """Register reporting's one subscriber."""

    async def dispatch(event: Event) -> None:
        await on_event(event, archive, records, publications)

    subscribe_inbox(broker, CONSUMERS["reporting"], dispatch)
