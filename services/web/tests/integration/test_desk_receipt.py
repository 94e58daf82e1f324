"""A desk agent at a district counter files for a citizen in Chromium with JavaScript off,
on a 390 px screen, in Khmer: the receipt shows the code once, in Khmer and English, tells
the citizen when a complaint about this office goes to the ombudsman, prints without the
console around it, and passes axe-core; the code is in no URL. An agent of the
social-media desk files a message the Page's webhook brought in, the same way."""

from __future__ import annotations

import hashlib
import hmac
import json
import re
import uuid
from collections.abc import Iterator

import httpx
import pytest
from playwright.sync_api import Browser, BrowserContext, Page, expect

from services.web.tests.integration.conftest import PAGE_APP_SECRET, Portal
from services.web.tests.integration.test_browser import PHONE, accessible, history_urls, shoot

pytestmark = pytest.mark.e2e

COUNTER = "counter:district:1702"


@pytest.fixture
def counter_phone(browser: Browser) -> Iterator[BrowserContext]:
    """A small screen in Khmer, with JavaScript off."""
    context = browser.new_context(viewport=PHONE, locale="km-KH", java_script_enabled=False)
    yield context
    context.close()


def sign_in_at_desk(page: Page, portal: Portal, desk: str = COUNTER) -> None:
    """The console's sign-in as a desk agent of one desk (the counter unless named)."""
    page.goto(f"{portal.url}/officer")
    page.click("#sign-in")
    page.wait_for_url(f"{portal.issuer_url}/authorize*")
    page.fill("#subject", f"agent-{uuid.uuid4().hex[:6]}")
    page.select_option("#roles", "desk_agent")
    page.fill("#offices", "")
    page.fill("#desks", desk)
    page.click("button[type=submit]")
    page.wait_for_url(re.compile(re.escape(portal.url) + r"/officer$"))


def checked_as_served(browser: Browser, portal: Portal, page: Page, name: str) -> None:
    """axe-core (which needs JavaScript) on exactly the HTML the JS-off page received,
    served again at its own URL so its same-origin styles apply; and no sideways scroll."""
    html, url = page.content(), page.url
    context = browser.new_context(viewport=PHONE, locale="km-KH")
    try:
        copy = context.new_page()
        copy.route(url, lambda route: route.fulfill(body=html, content_type="text/html"))
        copy.goto(url)
        accessible(copy)
        assert copy.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
        shoot(copy, name)
    finally:
        context.close()


def file_one(page: Page, portal: Portal, description: str, *, conduct: bool) -> str:
    """Fill and send the filing form; the code on the receipt."""
    page.goto(f"{portal.url}/officer/filing")
    expect(page.locator("h1")).to_contain_text("ដាក់មតិជំនួសពលរដ្ឋ")
    page.select_option("#kind", "complaint")
    page.select_option("#category", "rude_conduct")
    page.fill("#commune_code", "170201")
    page.fill("#description", description)
    if conduct:
        page.check("input[name=conduct_here]")
    page.click("#file")
    code_box = page.locator("#tracking-code")
    expect(code_box).to_be_visible()
    return str(code_box.get_attribute("data-code"))


def test_the_counter_receipt_in_khmer_without_javascript(
    portal: Portal, browser: Browser, counter_phone: BrowserContext
) -> None:
    page = counter_phone.new_page()
    sign_in_at_desk(page, portal)
    code = file_one(page, portal, f"មន្ត្រីនិយាយមិនសមរម្យ {uuid.uuid4().hex[:6]}", conduct=True)
    assert re.fullmatch(r"[0-9A-Z]{4}(-[0-9A-Z]{4}){3}-[0-9A-Z]", code), code
    expect(page.locator("h1")).to_contain_text("បង្កាន់ដៃទទួលមតិ")
    expect(page.locator("h1")).to_contain_text("Receipt of your feedback")
    ombudsman = page.locator("#to-ombudsman")
    expect(ombudsman).to_contain_text("ombudsman")
    expect(ombudsman).to_contain_text("អម្បុដ្សម៉ាន់")
    checked_as_served(browser, portal, page, "desk-receipt-km-phone")

    # printed: the code and the notes, without the console's menu and forms
    page.emulate_media(media="print")
    expect(page.locator("#tracking-code")).to_be_visible()
    expect(page.locator("nav")).to_be_hidden()
    expect(page.locator(".buttons")).to_be_hidden()
    page.emulate_media(media="screen")

    # the code left in the answer to the POST only: in no URL, no history entry
    compact = code.replace("-", "")
    assert all(compact not in url.replace("-", "") for url in history_urls(page))
    # an ordinary filing says nothing about an ombudsman; the form passes axe-core too
    file_one(page, portal, "ផ្លូវខូច", conduct=False)
    expect(page.locator("#to-ombudsman")).to_have_count(0)
    page.goto(f"{portal.url}/officer/filing")
    checked_as_served(browser, portal, page, "desk-filing-km-phone")


def page_message(text: str) -> tuple[bytes, dict[str, str]]:
    """A Messenger webhook as the Page sends it (a name and picture in it), signed."""
    sender = {"id": str(uuid.uuid4().int % 10**16), "name": "Sok Dara", "profile_pic": "x"}
    payload = {
        "object": "page",
        "entry": [
            {
                "id": "104000000000001",
                "messaging": [
                    {
                        "sender": sender,
                        "recipient": {"id": "104000000000001"},
                        "timestamp": 1764990000000,
                        "message": {"mid": f"m_{uuid.uuid4().hex}", "text": text},
                    }
                ],
            }
        ],
    }
    body = json.dumps(payload, ensure_ascii=False).encode()
    digest = hmac.new(PAGE_APP_SECRET.encode(), body, hashlib.sha256).hexdigest()
    return body, {"X-Hub-Signature-256": f"sha256={digest}", "content-type": "application/json"}


def test_the_social_media_queue_in_khmer_without_javascript(
    portal: Portal, browser: Browser, counter_phone: BrowserContext
) -> None:
    text = f"ផ្លូវខូចយូរហើយ {uuid.uuid4().hex[:6]}"
    body, headers = page_message(text)
    posted = httpx.post(
        f"{portal.apis['intake'].url}/v1/webhooks/facebook", content=body, headers=headers
    )
    assert posted.status_code == 200, posted.text
    page = counter_phone.new_page()
    sign_in_at_desk(page, portal, desk="social_media:national:moi")
    page.goto(f"{portal.url}/officer/queue")
    message = page.locator("article.desk-message", has_text=text)
    expect(message).to_be_visible()
    expect(page.locator("main")).not_to_contain_text("Sok Dara")
    checked_as_served(browser, portal, page, "desk-queue-km-phone")
    message.locator("summary").click()
    message.locator("select[name=kind]").select_option("complaint")
    message.locator("input[name=commune_code]").fill("170201")
    message.locator("button.primary").click()
    expect(page.locator("#tracking-code")).to_be_visible()
    page.goto(f"{portal.url}/officer/queue")
    expect(page.locator("article.desk-message", has_text=text)).to_have_count(0)


def test_an_officer_without_a_desk_cannot_file(
    portal: Portal, counter_phone: BrowserContext
) -> None:
    page = counter_phone.new_page()
    page.goto(f"{portal.url}/officer")
    page.click("#sign-in")
    page.wait_for_url(f"{portal.issuer_url}/authorize*")
    page.select_option("#roles", "officer")
    page.click("button[type=submit]")
    page.wait_for_url(re.compile(re.escape(portal.url) + r"/officer$"))
    answer = page.goto(f"{portal.url}/officer/filing")
    assert answer is not None and answer.status == 403
    expect(page.locator("main")).to_contain_text("ភ្នាក់ងារបញ្ជរ")
