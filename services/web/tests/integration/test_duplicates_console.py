"""The console's likely duplicates in Debian's Chromium, against the real services.

Two citizens report the same pothole in Khmer, spelled and ordered differently; routing
assigns both to their commune office and intake finds the pair. An officer sees the
candidate with its score and reasons on the case page (axe-core clean), then, with
JavaScript off, links the case to it and unlinks it again with plain forms.
"""

from __future__ import annotations

import re
import uuid
from typing import Any

import httpx
import pytest
from playwright.sync_api import Browser, expect

from services.web.tests.integration.conftest import Portal
from services.web.tests.integration.test_browser import LAPTOP, accessible, shoot, sign_in
from tests.e2e.conftest import poll

pytestmark = pytest.mark.e2e

OFFICE = "commune:170202"  # no other browser test files a case here
POTHOLE = "ផ្លូវនៅជិតវត្តភ្នំខូចធ្ងន់ មានរណ្តៅធំៗពេញផ្លូវ ម៉ូតូដួលរាល់ថ្ងៃ"
POTHOLE_AGAIN = "មានរណ្តៅធំៗពេញផ្លូវ ផ្លូវនៅជិត Vat Phnum ខូចធ្ងន់ សូមជួយដោះស្រាយផង"


def submit(portal: Portal, description: str) -> None:
    """A citizen's report of a road problem in commune 170202."""
    answer = httpx.post(
        f"{portal.apis['intake'].url}/v1/complaints",
        json={
            "kind": "complaint",
            "category": "other",
            "commune_code": "170202",
            "description": f"{description} {uuid.uuid4().hex[:4]}",
        },
        headers={"Idempotency-Key": str(uuid.uuid4())},
        timeout=10,
    )
    assert answer.status_code == 202, answer.text


def officer_get(portal: Portal, path: str) -> Any:
    """GET intake's officer API as an officer of the office."""
    token = portal.stack.issuer.token("officer-dup-e2e", ["officer"], [OFFICE])
    answer = httpx.get(
        f"{portal.apis['intake'].url}{path}",
        headers={"Authorization": f"Bearer {token}"},
        timeout=10,
    )
    assert answer.status_code == 200, answer.text
    return answer.json()


def test_an_officer_sees_a_likely_duplicate_and_links_it_without_javascript(
    portal: Portal, browser: Browser
) -> None:
    submit(portal, POTHOLE)
    submit(portal, POTHOLE_AGAIN)

    def paired() -> tuple[str, str] | None:
        cases = officer_get(portal, "/v1/officer/inbox?sort=submitted")["cases"]
        if len(cases) < 2:
            return None
        newest = cases[-1]["complaint_id"]
        found = officer_get(portal, f"/v1/officer/cases/{newest}")["duplicate_candidates"]
        return (newest, found[0]["complaint_id"]) if found else None

    duplicate, original = poll(paired, timeout=60)

    signed_in = browser.new_context(viewport=LAPTOP, locale="en-GB")
    page = signed_in.new_page()
    sign_in(page, portal, office=OFFICE)
    page.goto(f"{portal.url}/officer/cases/{duplicate}?lang=en")
    section = page.locator("#duplicates")
    expect(section).to_contain_text("Likely the same problem")
    expect(section).to_contain_text(original)
    expect(section).to_contain_text("same commune")
    expect(section).to_contain_text("text similarity")
    accessible(page)
    shoot(page, "case-duplicates")
    page.goto(f"{portal.url}/officer/cases/{duplicate}?lang=km")
    expect(page.locator("#duplicates")).to_contain_text("ឃុំ/សង្កាត់ដូចគ្នា")
    accessible(page)

    no_js = browser.new_context(
        viewport=LAPTOP, java_script_enabled=False, storage_state=signed_in.storage_state()
    )
    page = no_js.new_page()
    page.goto(f"{portal.url}/officer/cases/{duplicate}?lang=en")
    page.get_by_role("button", name=re.compile(f"Link this case to it {original}")).click()
    expect(page.get_by_role("heading", name="Follows the original case")).to_be_visible()
    expect(page.locator(f"a[href*='/officer/cases/{original}']").first).to_be_visible()
    page.get_by_role("button", name="Unlink").click()
    expect(page.get_by_role("heading", name="Follows the original case")).to_have_count(0)
    expect(page.locator("#duplicates")).to_contain_text(original)  # a candidate again
    timeline = officer_get(portal, f"/v1/officer/cases/{duplicate}")["timeline"]
    told = [e["text"]["en"] for e in timeline]
    assert any("joined with other reports" in t for t in told)
    assert any("handled on its own again" in t for t in told)
    no_js.close()
    signed_in.close()
