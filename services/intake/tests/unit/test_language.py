"""Intake answers in the language the client prefers most, by Accept-Language q-values."""

from __future__ import annotations

import pytest

from samleng.common.i18n import language_of as language

pytestmark = pytest.mark.unit


@pytest.mark.parametrize(
    ("accept_language", "expected"),
    [
        ("en;q=0.2, km;q=0.8", "km"),  # order does not matter: the higher q wins
        ("km;q=0.3, en-US;q=0.9", "en"),
        ("en;q=0, *", "km"),
        ("fr", "km"),
        (None, "km"),
    ],
)
def test_q_values_pick_the_language(accept_language: str | None, expected: str) -> None:
    assert language(accept_language) == expected
