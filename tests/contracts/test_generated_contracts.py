"""What the handler tables generate is checked in and current: the topology every service
declares and the per-service diagrams in docs/architecture.md."""

from __future__ import annotations

import dataclasses

import pytest

from samleng.common.events import ComplaintRated
from samleng.common.topology import CONSUMERS
from samleng.devstack import contracts

pytestmark = pytest.mark.unit


def test_the_checked_in_topology_and_diagrams_match_the_handler_tables() -> None:
    assert contracts.stale() == [], "run `python -m samleng.devstack contracts`"


def test_each_services_queue_is_bound_to_exactly_the_events_its_table_handles() -> None:
    for table in contracts.handler_tables():
        assert CONSUMERS[table.service] == table.consumer_queue()


def test_a_handler_added_to_a_table_makes_the_topology_stale() -> None:
    tables = contracts.handler_tables()
    intake = next(t for t in tables if t.service == "intake")
    handler = next(iter(intake.handlers.values()))
    grown = dataclasses.replace(intake, handlers={**intake.handlers, ComplaintRated: handler})
    changed = [grown if t is intake else t for t in tables]
    assert contracts.topology_json(changed) != contracts.topology_json(tables)
    assert "complaint.rated.v1" in contracts.topology_json(changed)
