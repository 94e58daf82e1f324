"""What public Open311 views may disclose: cells of at least k, months, no conduct complaints."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime
from typing import Any

import pytest

from samleng.intake.domain.model import Case, open_case
from samleng.intake.open311.disclosure import (
    api_key_digest,
    in_large_cells,
    month_of,
    registered,
)
from services.intake.tests.unit.fakes import SUBMISSION

pytestmark = pytest.mark.unit

MARCH = datetime(2026, 3, 17, 9, 41, tzinfo=UTC)


def case_at(moment: datetime, **submission: Any) -> Case:
    case, _ = open_case(replace(SUBMISSION, **submission), "hash", moment)
    return case


def test_a_cell_under_k_is_not_shown_and_one_of_k_is() -> None:
    crowd = [case_at(MARCH.replace(day=day)) for day in range(1, 6)]
    lone = case_at(MARCH, service_code="civil.birth_certificate")
    shown = in_large_cells([*crowd, lone], k=5)
    assert shown == crowd
    assert in_large_cells([*crowd[:4], lone], k=5) == []


def test_a_conduct_complaint_is_never_shown_nor_counted() -> None:
    crowd = [case_at(MARCH) for _ in range(4)]
    conduct = case_at(MARCH, about_office_id="commune:170201", about_office_conduct=True)
    assert in_large_cells([*crowd, conduct], k=4) == crowd
    assert in_large_cells([*crowd, conduct], k=5) == []
    assert in_large_cells([conduct], k=1) == []


def test_cases_of_different_months_are_different_cells() -> None:
    cases = [case_at(MARCH), case_at(MARCH.replace(month=4))]
    assert in_large_cells(cases, k=2) == []
    assert month_of(datetime(2026, 3, 31, 23, 0, tzinfo=UTC)) == datetime(2026, 3, 1, tzinfo=UTC)


def test_only_a_registered_api_key_is_recognised() -> None:
    digests = (api_key_digest("partner-key-1"),)
    assert registered("partner-key-1", digests)
    assert not registered("partner-key-2", digests)
    assert not registered(None, digests) and not registered("", digests)
