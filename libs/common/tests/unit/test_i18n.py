"""Language negotiation with q-values, and Khmer digits, months and dates."""

from __future__ import annotations

from datetime import date

import pytest

from samleng.common.i18n import day, language_of, month_name, month_year, number, percent

pytestmark = pytest.mark.unit


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        (None, "km"),
        ("", "km"),
        ("fr-FR, de", "km"),
        ("en", "en"),
        ("en-US,en;q=0.9", "en"),
        ("en;q=0.3, km;q=0.9", "km"),
        ("km;q=0.2, en-GB;q=0.8", "en"),
        ("km;q=0, *", "en"),
        ("*;q=0.5", "km"),
        ("km;q=0", "en"),
        ("en;q=abc, km", "km"),
        ("en;q=0.5, km;q=0.5", "en"),  # equal: the first named wins
        ("\udcff\udcfe", "km"),  # undecodable bytes as Starlette hands them over
    ],
)
def test_the_most_preferred_supported_language_wins(header: str | None, expected: str) -> None:
    assert language_of(header) == expected


def test_numbers_dates_and_months_in_khmer_use_khmer_digits_and_names() -> None:
    assert number(1234, "km") == "១,២៣៤"
    assert number(1234, "en") == "1,234"
    assert percent(0.42, "km") == "៤២%"
    assert month_year(date(2026, 12, 1), "km") == "ធ្នូ ២០២៦"
    assert month_year(date(2026, 12, 1), "en") == "December 2026"
    assert day(date(2026, 12, 6), "en") == "6 December 2026"
    assert day(date(2026, 12, 6), "km") == "៦ ធ្នូ ២០២៦"
    assert month_name(1, "km") == "មករា"
