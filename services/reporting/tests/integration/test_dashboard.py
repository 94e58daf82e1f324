"""The public dashboard renders its charts and tables in real headless Chromium (Debian's),
accessible (axe-core), in Khmer shaped by a Khmer font and in English, on a phone-sized
screen; screenshots are kept."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from axe_playwright_python.async_playwright import Axe
from playwright.async_api import async_playwright

from samleng.devstack.chromium import CHROMIUM, HEADLESS_ARGS

pytestmark = pytest.mark.integration

ARTIFACTS = Path(__file__).resolve().parents[4] / "test-artifacts"
CHARTS = ("chart-trend", "chart-backlog", "chart-fees", "chart-sla", "chart-overall")
#: The promises kept, in both languages: the offices' and the month's tables, with a figure.
SECTIONS = {
    "km": ("ការិយាល័យ", "ប្រចាំខែ តាមថ្នាក់", "ថ្ងៃធ្វើការ ពីការដាក់ពាក្យ"),
    "en": ("Offices:", "The month by level", "Working days from submission"),
}


@pytest.fixture(scope="module")
def reporting_url(stack: Any, delivered: dict[str, Any]) -> str:
    """Reporting as a real process over the delivered history."""
    settings = delivered["runs"][0][0]
    service = stack.start_service(
        "reporting", mongo_database=settings.mongo_database, amqp_url=delivered["amqp_url"]
    )
    return str(service.url)


async def test_dashboard_renders_its_charts_in_khmer_and_english(reporting_url: str) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    async with async_playwright() as playwright:
        browser = await playwright.chromium.launch(
            executable_path=str(CHROMIUM), args=list(HEADLESS_ARGS), headless=True
        )
        try:
            page = await browser.new_page(viewport={"width": 390, "height": 844})  # a phone
            for lang, heading in (("km", "ស្ថិតិសាធារណៈ"), ("en", "public statistics")):
                answer = await page.goto(f"{reporting_url}/dashboard?lang={lang}&period=2026")
                assert answer is not None and answer.status == 200
                assert heading in await page.inner_text("h1")
                for chart in CHARTS:
                    drawn = await page.eval_on_selector_all(
                        f"#{chart} rect.bar",
                        "bars => bars.filter(b => { const r = b.getBoundingClientRect();"
                        " return r.width > 0 && r.height > 0; }).length",
                    )
                    assert drawn > 0, f"{chart} draws no bar"
                text = await page.inner_text("main")
                assert all(heading in text for heading in SECTIONS[lang]), text
                for table in ("#offices", "#monthly"):
                    cells = await page.eval_on_selector_all(
                        f"{table} tbody td", "cells => cells.map(c => c.textContent)"
                    )
                    assert cells and any(c.strip() not in ("[c]", "") for c in cells[1:])
                await _accessible(page)
                # fits a phone: nothing wider than the screen except the scrollable table
                width = await page.evaluate("document.documentElement.scrollWidth")
                assert width <= 390
                await page.screenshot(
                    path=str(ARTIFACTS / f"reporting-dashboard-{lang}.png"), full_page=True
                )
            await page.goto(f"{reporting_url}/dashboard?lang=km&period=2026")
            fonts = await _fonts_of(page, "h1")
            assert any("Khmer" in name for name in fonts), fonts
            assert await _khmer_is_shaped(page)
        finally:
            await browser.close()


async def _accessible(page: Any) -> None:
    """No serious or critical axe-core violation on the page."""
    violations = (await Axe().run(page)).response["violations"]
    bad = [
        (v["id"], v["impact"], [n["target"] for n in v["nodes"]][:3])
        for v in violations
        if v["impact"] in ("serious", "critical")
    ]
    assert not bad, f"{page.url}: {bad}"


async def _fonts_of(page: Any, selector: str) -> list[str]:
    """The fonts Chromium really used to draw an element's text (DevTools protocol)."""
    session = await page.context.new_cdp_session(page)
    await session.send("DOM.enable")
    await session.send("CSS.enable")
    document = await session.send("DOM.getDocument")
    node = await session.send(
        "DOM.querySelector", {"nodeId": document["root"]["nodeId"], "selector": selector}
    )
    used = await session.send("CSS.getPlatformFontsForNode", {"nodeId": node["nodeId"]})
    return [font["familyName"] for font in used["fonts"]]


async def _khmer_is_shaped(page: Any) -> bool:
    """A subscript consonant (coeng + ro) is drawn under its base, not as separate glyphs:
    the shaped cluster is narrower than its letters set side by side."""
    return bool(
        await page.evaluate(
            """() => {
              const c = document.createElement('canvas').getContext('2d');
              c.font = '32px "Khmer OS"';
              const cluster = c.measureText('ក្រ').width;
              const apart = c.measureText('ក').width + c.measureText('្').width
                + c.measureText('រ').width;
              return cluster < apart * 0.8;
            }"""
        )
    )
