"""The dashboard speaks its reader's language: Khmer digits and month names for Khmer
readers, and the language chosen by ``?lang=`` or else by ``Accept-Language`` q-values."""

from __future__ import annotations

from dataclasses import fields
from datetime import UTC, datetime

import httpx
import pytest

from samleng.reporting.app import bootstrap
from samleng.reporting.domain.publication import table_id
from samleng.reporting.domain.suppression import TOTAL_ROW, SuppressedTable
from samleng.reporting.ports import Edition
from samleng.reporting.settings import ReportingSettings
from services.reporting.tests.unit.fakes import FakePublications, fake_ports

pytestmark = pytest.mark.unit

BUILT = datetime(2026, 12, 6, 3, 0, tzinfo=UTC)


def published_2026() -> FakePublications:
    """Publications with one edition, 2026, built on 6 December with a trend table."""
    publications = FakePublications()
    publications.editions[2026] = Edition(2026, "b1", BUILT, BUILT, 1, BUILT)
    months = ("2026-03", "2026-12")
    cells: dict[tuple[str, str], float | None] = {
        (m, c): v for m in months for c, v in (("received", 1234), ("resolved", 12))
    }
    cells |= {(TOTAL_ROW, "received"): 2468, (TOTAL_ROW, "resolved"): 24}
    empty = frozenset[tuple[str, str]]()
    trend = SuppressedTable((*months, TOTAL_ROW), ("received", "resolved"), cells, empty, empty)
    publications.tables[("b1", table_id("trend", "2026"))] = trend
    return publications


async def _dashboard(query: str, accept_language: str | None = None) -> httpx.Response:
    ports = fake_ports()
    given = {f.name: getattr(ports, f.name) for f in fields(ports)}
    given["publications"] = published_2026()
    app = bootstrap(ReportingSettings(environment="test"), **given).app
    headers = {"Accept-Language": accept_language} if accept_language else {}
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://test") as http:
        return await http.get(f"/dashboard?period=2026{query}", headers=headers)


async def test_a_khmer_dashboard_writes_khmer_digits_and_month_names() -> None:
    page = await _dashboard("&lang=km")
    assert page.status_code == 200, page.text
    assert "១,២៣៤" in page.text and "1,234" not in page.text  # counts in Khmer digits
    assert "មីនា" in page.text and "ធ្នូ" in page.text  # March, December by name
    assert ">03<" not in page.text and ">12<" not in page.text  # not bare month numbers
    assert "៦ ធ្នូ ២០២៦" in page.text  # last updated, as a Khmer date
    english = await _dashboard("&lang=en")
    assert "1,234" in english.text and "Mar" in english.text and "6 December 2026" in english.text


@pytest.mark.parametrize(
    ("accept_language", "expected"),
    [
        ("en;q=0.2, km;q=0.8", "km"),  # the higher q-value wins, whatever the order
        ("km;q=0.1, en-GB;q=0.9", "en"),
        ("fr, en;q=0.5", "en"),
        ("en;q=0", "km"),  # q=0: not English
        (None, "km"),
    ],
)
async def test_the_dashboard_language_follows_accept_language_q_values(
    accept_language: str | None, expected: str
) -> None:
    page = await _dashboard("", accept_language)
    assert page.status_code == 200, page.text
    assert f'<html lang="{expected}">' in page.text
    assert page.headers["content-language"] == expected
