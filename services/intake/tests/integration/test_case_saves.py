"""Saves made at the same moment go to MongoDB in one round, and each still gets its own
answer: the stale one fails alone, the others are stored (real MongoDB)."""

from __future__ import annotations

import asyncio
import dataclasses
import uuid
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from typing import Any

import pytest

from samleng.intake.adapters.cases import CaseRepository
from samleng.intake.domain.model import Case, open_case
from samleng.intake.ports import StaleCase
from services.intake.tests.unit.fakes import OFFICE, SUBMISSION
from tests.support import scratch_database

pytestmark = pytest.mark.integration


@pytest.fixture
async def repository(stack: Any) -> AsyncIterator[CaseRepository]:
    async with scratch_database(stack, "saves") as db:
        repo = CaseRepository(db)
        await repo.create_indexes()
        yield repo


async def stored_cases(repo: CaseRepository, count: int) -> list[Case]:
    cases = []
    for _ in range(count):
        case, event = open_case(SUBMISSION, f"hash-{uuid.uuid4().hex}", datetime.now(UTC))
        await repo.add(case, event)
        cases.append(case)
    return cases


async def test_saves_of_one_moment_each_get_their_own_answer(repository: CaseRepository) -> None:
    cases = await stored_cases(repository, 6)
    # another writer moved the third case on: its save from version 0 is stale
    moved = dataclasses.replace(cases[2], office=OFFICE)
    await repository.save(moved)
    outcome = await asyncio.gather(
        *(repository.save(dataclasses.replace(c, office=OFFICE)) for c in cases),
        return_exceptions=True,
    )
    assert [type(o) for o in outcome] == [
        type(None),
        type(None),
        StaleCase,
        type(None),
        type(None),
        type(None),
    ]
    for case in cases:
        stored = await repository.get(case.complaint_id)
        assert stored is not None and stored.office == OFFICE
        assert stored.version == 1  # each saved exactly once


async def test_two_saves_of_one_case_in_one_round_store_one(repository: CaseRepository) -> None:
    [case] = await stored_cases(repository, 1)
    first = dataclasses.replace(case, office=OFFICE)
    second = dataclasses.replace(case, answered_at=datetime.now(UTC))
    outcome = await asyncio.gather(
        repository.save(first), repository.save(second), return_exceptions=True
    )
    assert sorted(type(o).__name__ for o in outcome) == ["NoneType", "StaleCase"]
    stored = await repository.get(case.complaint_id)
    assert stored is not None and stored.version == 1
    assert (stored.office == OFFICE) != (stored.answered_at is not None)  # one of the two


async def test_a_submission_refused_in_a_shared_round_fails_alone(
    repository: CaseRepository,
) -> None:
    class AlreadyDecided(Exception):
        """What a desk's decision raises when another agent decided first."""

    async def refused(session: object) -> None:
        raise AlreadyDecided

    cases = []
    for _ in range(5):
        case, event = open_case(SUBMISSION, f"hash-{uuid.uuid4().hex}", datetime.now(UTC))
        cases.append((case, event))
    outcome = await asyncio.gather(
        *(
            repository.add(case, event, also=refused if n == 2 else None)
            for n, (case, event) in enumerate(cases)
        ),
        return_exceptions=True,
    )
    assert [type(o).__name__ for o in outcome] == [
        "NoneType", "NoneType", "AlreadyDecided", "NoneType", "NoneType"
    ]  # fmt: skip
    for n, (case, _) in enumerate(cases):
        assert (await repository.get(case.complaint_id) is None) == (n == 2)
