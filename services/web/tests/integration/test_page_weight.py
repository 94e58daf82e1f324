"""The citizen portal's weight on a phone: under 150 KB on the first visit (the Khmer font,
the service worker and what it keeps for offline use included), under 30 KB later."""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import Browser, Page

from services.web.tests.integration.conftest import Portal

pytestmark = pytest.mark.e2e

FIRST_VISIT_BUDGET = 150 * 1024
LATER_VISIT_BUDGET = 30 * 1024


def transferred(page: Page, visit: Any) -> int:
    """Bytes the page's own requests took from the network while ``visit`` ran."""
    session = page.context.new_cdp_session(page)
    session.send("Network.enable")
    sizes: dict[str, int] = {}
    session.on(
        "Network.loadingFinished",
        lambda event: sizes.__setitem__(event["requestId"], int(event["encodedDataLength"])),
    )
    visit()
    page.wait_for_timeout(500)
    session.detach()
    return sum(sizes.values())


@pytest.mark.parametrize("lang", ["km", "en"])
def test_the_portal_fits_the_budget_of_a_phone(portal: Portal, browser: Browser, lang: str) -> None:
    context = browser.new_context(viewport={"width": 390, "height": 844}, is_mobile=True)
    worker_bytes: list[int] = []

    def from_worker(response: Any) -> None:
        if response.request.service_worker is not None:
            sizes = response.request.sizes()
            worker_bytes.append(sizes["responseBodySize"] + sizes["responseHeadersSize"])

    context.on("response", from_worker)
    page = context.new_page()
    url = f"{portal.url}/?lang={lang}"

    def first() -> None:
        page.goto(url)
        page.evaluate("document.fonts.ready.then(() => navigator.serviceWorker.ready)")
        page.wait_for_timeout(1500)  # the worker keeps the offline pages

    first_visit = transferred(page, first) + sum(worker_bytes)
    fonts = page.evaluate("[...document.fonts].filter(f => f.status === 'loaded').length")
    assert fonts >= 1, "the Khmer font was not loaded"
    worker_bytes.clear()
    later_visit = transferred(page, lambda: page.goto(url)) + sum(worker_bytes)
    print(f"\n{lang}: first visit {first_visit} B, later visit {later_visit} B")
    assert first_visit < FIRST_VISIT_BUDGET, first_visit
    assert later_visit < LATER_VISIT_BUDGET, later_visit
    context.close()
