"""The portal and the console in Debian's Chromium, against the real services.

A citizen on a 390 px phone submits in Khmer with a photo and gets a code; an officer signs
in (authorization code + PKCE at the dev identity provider), acknowledges and asks a
question; the citizen answers on /track; the officer resolves; the citizen confirms and
rates. Every page is checked with axe-core, every request stays on our origin (the
identity provider aside, during sign-in), and the code is in no URL, history entry or log.
"""

from __future__ import annotations

import io
import os
import re
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import httpx
import pytest
from axe_playwright_python.sync_playwright import Axe
from PIL import Image
from playwright.sync_api import Browser, BrowserContext, FilePayload, Page, ViewportSize, expect
from pymongo import MongoClient

from services.web.tests.integration.conftest import Portal
from tests.e2e.conftest import poll

pytestmark = pytest.mark.e2e

ROOT = Path(__file__).resolve().parents[4]
#: ``SAMLENG_WEB_SCREENSHOTS=1`` writes the screenshots of docs/web.md (see that page).
SHOTS = ROOT / (
    "docs/images/web" if os.environ.get("SAMLENG_WEB_SCREENSHOTS") else "test-artifacts/web"
)
PHONE: ViewportSize = {"width": 390, "height": 844}
LAPTOP: ViewportSize = {"width": 1280, "height": 800}
COMMUNE_OFFICE = "commune:170201"
OFFICE_EN, OFFICE_KM = "Chub Ta Trav commune/sangkat office", "រដ្ឋបាលឃុំ/សង្កាត់ ជប់តាត្រាវ"
AXE = Axe()


def accessible(page: Page) -> None:
    """No serious or critical axe-core violation on the page as it is now."""
    violations = AXE.run(page).response["violations"]
    bad = [
        (v["id"], v["impact"], [n["target"] for n in v["nodes"]][:3])
        for v in violations
        if v["impact"] in ("serious", "critical")
    ]
    assert not bad, f"{page.url}: {bad}"


def shoot(page: Page, name: str) -> None:
    """Keep a full-page screenshot."""
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)


def photo() -> FilePayload:
    """A small JPEG as a phone camera would give it."""
    buffer = io.BytesIO()
    Image.new("RGB", (64, 48), (200, 120, 40)).save(buffer, "JPEG")
    return {"name": "receipt.jpg", "mimeType": "image/jpeg", "buffer": buffer.getvalue()}


class Requests:
    """Every URL a browser context asked for."""

    def __init__(self, context: BrowserContext) -> None:
        self.urls: list[str] = []
        context.on("request", lambda request: self.urls.append(request.url))

    def origins(self) -> set[str]:
        """The origins requested (data: and blob: URLs are not requests to anyone)."""
        return {
            f"{p.scheme}://{p.netloc}"
            for p in map(urlsplit, self.urls)
            if p.scheme in ("http", "https", "ws", "wss")
        }


@pytest.fixture
def phone(browser: Browser) -> Iterator[BrowserContext]:
    context = browser.new_context(viewport=PHONE, locale="km-KH", has_touch=True, is_mobile=True)
    yield context
    context.close()


@pytest.fixture
def laptop(browser: Browser) -> Iterator[BrowserContext]:
    context = browser.new_context(viewport=LAPTOP, locale="en-GB")
    yield context
    context.close()


def history_urls(page: Page) -> list[str]:
    """The URLs in the tab's back/forward history (DevTools protocol)."""
    session = page.context.new_cdp_session(page)
    entries = session.send("Page.getNavigationHistory")["entries"]
    return [entry["url"] for entry in entries]


def fill_submission(page: Page, description: str, commune: str = "170201") -> None:
    """Kind, category, service, place, description, as a citizen taps them."""
    page.locator("input[name=kind][value=complaint]").check()
    page.locator("input[name=category][value=extra_fee]").check()
    page.select_option("#service_code", "civil.late_birth_registration")
    page.fill("#amount_asked_riel", "50000")
    for level, code in (("province", commune[:2]), ("district", commune[:4]), ("commune", commune)):
        expect(page.locator(f"#{level} option[value='{code}']")).to_have_count(1)
        page.select_option(f"#{level}", code)
    page.fill("#description", description)


def sign_in(
    page: Page, portal: Portal, role: str = "officer", office: str = COMMUNE_OFFICE
) -> None:
    """The console's OIDC sign-in, through the dev identity provider's page."""
    page.goto(f"{portal.url}/officer?lang=en")
    accessible(page)
    page.click("#sign-in")
    page.wait_for_url(f"{portal.issuer_url}/authorize*")
    assert "code_challenge_method=S256" in page.url
    page.fill("#subject", f"{role}-web-e2e")
    page.select_option("#roles", role)
    page.fill("#offices", office)
    page.click("button[type=submit]")
    page.wait_for_url(re.compile(re.escape(portal.url) + r"/officer(\?lang=en)?$"))


def test_a_case_from_the_phone_to_the_office_and_back(
    portal: Portal, phone: BrowserContext, laptop: BrowserContext
) -> None:
    citizen_requests, officer_requests = Requests(phone), Requests(laptop)
    citizen = phone.new_page()
    description = f"មន្ត្រីឃុំទារប្រាក់ ៥០០០០ រៀល គ្មានបង្កាន់ដៃ {uuid.uuid4().hex[:6]}"

    # the citizen, in Khmer on a phone: an empty form is refused field by field
    citizen.goto(portal.url + "/")
    expect(citizen.locator("h1")).to_contain_text("ផ្តល់មតិ")
    accessible(citizen)
    shoot(citizen, "submit-km-phone")
    citizen.click("#send")
    expect(citizen.locator("#form-error")).to_be_visible()
    expect(citizen.locator("#kind-error")).to_be_visible()
    accessible(citizen)

    fill_submission(citizen, description)
    citizen.set_input_files("#photos", [photo()])
    citizen.click("#send")
    code_box = citizen.locator("#tracking-code")
    expect(code_box).to_be_visible()
    code = str(code_box.get_attribute("data-code"))
    assert re.fullmatch(r"[0-9A-Z]{4}(-[0-9A-Z]{4}){3}-[0-9A-Z]", code), code
    accessible(citizen)
    shoot(citizen, "receipt-km-phone")
    width = citizen.evaluate("document.documentElement.scrollWidth")
    assert width <= PHONE["width"], "the receipt is wider than the phone"

    # the officer, on a laptop in English: sign in, find the case once routing assigned it
    officer = laptop.new_page()
    sign_in(officer, portal)
    accessible(officer)

    def listed() -> bool:
        officer.goto(f"{portal.url}/officer?lang=en")
        return officer.locator(".cases li").count() > 0

    poll(listed)
    shoot(officer, "inbox-en-laptop")
    expect(officer.locator(".offices")).to_contain_text(OFFICE_EN)
    expect(officer.locator(".cases li").first).to_contain_text("Chub Ta Trav, Angkor Thum")
    officer.goto(f"{portal.url}/officer")
    expect(officer.locator("h1")).to_have_text("ប្រអប់ករណី")
    # offices and places by name, in Khmer, not by their ids and codes
    expect(officer.locator(".offices")).to_contain_text(OFFICE_KM)
    expect(officer.locator(".offices")).not_to_contain_text(COMMUNE_OFFICE)
    expect(officer.locator(".cases li").first).to_contain_text("ជប់តាត្រាវ, អង្គរធំ, សៀមរាប")
    expect(officer.locator(".cases li").first).not_to_contain_text("170201")
    accessible(officer)
    shoot(officer, "inbox-km-laptop")
    officer.goto(f"{portal.url}/officer?lang=en")
    officer.locator(".cases li a").first.click()
    expect(officer.locator("blockquote.description")).to_contain_text(description[:20])
    complaint_id = officer.url.split("/officer/cases/")[1].split("?")[0]
    expect(officer.locator("dl.facts")).to_contain_text("Chub Ta Trav, Angkor Thum, Siemreap")
    expect(officer.locator(".attachments li")).to_have_count(1)
    accessible(officer)
    attachment = officer.request.get(
        str(officer.locator(".attachments a").first.get_attribute("href")).join([portal.url, ""])
    )
    assert attachment.status == 200 and attachment.headers["content-type"] == "image/jpeg"
    officer.click("form[action*='/acknowledge'] button")
    expect(officer.locator(".alert.ok")).to_be_visible()
    officer.fill("#ask-text", "Which day did they ask for the money?")
    officer.click("form[action*='/ask'] button")
    expect(officer.locator(".alert.ok")).to_be_visible()
    shoot(officer, "case-en-laptop")

    # the citizen answers on /track: the code is typed into a form, never into a URL
    citizen.goto(portal.url + "/track")
    accessible(citizen)
    citizen.fill("#code", code.lower().replace("-", " "))
    citizen.click("form.track button")
    expect(citizen.locator("article.question")).to_contain_text("Which day")
    accessible(citizen)
    citizen.locator("article.question textarea").fill("ថ្ងៃទី ៣ ខែវិច្ឆិកា")
    citizen.locator("article.question button").click()
    expect(citizen.locator(".alert.ok")).to_be_visible()
    shoot(citizen, "track-km-phone")

    # the officer sees the answer and resolves; a stale form says someone else changed it
    officer.reload()
    expect(officer.locator("article.question")).to_contain_text("ថ្ងៃទី ៣ ខែវិច្ឆិកា")
    officer.fill("#note-text", "Called the commune chief; fee refunded.")
    officer.click("form[action*='/note'] button")
    expect(officer.locator("text=fee refunded")).to_be_visible()
    stale = laptop.new_page()
    stale.goto(officer.url)
    officer.fill("#resolve-note", "The commune returned the extra 50,000 riel.")
    officer.click("form[action*='/resolve'] button")
    expect(officer.locator(".alert.ok")).to_be_visible()
    stale.fill("#ask-text", "Anything else?")  # the form of the version read before
    stale.click("form[action*='/ask'] button")
    expect(stale.locator("#case-error")).to_contain_text("Someone else changed this case")
    accessible(stale)

    # the citizen confirms and rates
    citizen.goto(portal.url + "/track")
    citizen.fill("#code", code)
    citizen.click("form.track button")
    expect(citizen.locator("form[action='/track/confirm']")).to_be_visible()
    accessible(citizen)
    citizen.click("form[action='/track/confirm'] button")
    expect(citizen.locator(".alert.ok")).to_be_visible()
    citizen.locator("form[action='/track/rate'] input[value='5']").check()
    citizen.click("form[action='/track/rate'] button")
    expect(citizen.locator(".alert.ok")).to_be_visible()
    expect(citizen.locator("dl.facts")).to_contain_text("ល្អណាស់")
    assert "closed" in str(citizen.locator(".status").get_attribute("class"))

    # the officer's notifications and sign-out; an administrator reads the audit trail
    officer.goto(f"{portal.url}/officer/notifications?lang=en")
    expect(officer.locator("h1")).to_have_text("Notifications")
    accessible(officer)
    officer.click("nav button")
    expect(officer.locator("h1")).to_contain_text("signed out")
    accessible(officer)
    assert not any(c["name"] == "samleng_officer" for c in laptop.cookies())
    admin = laptop.new_page()
    sign_in(admin, portal, role="admin", office="national:moi-team")
    admin.goto(f"{portal.url}/officer/audit?lang=en")
    expect(admin.locator("table")).to_contain_text("case.acknowledge")
    accessible(admin)
    admin.click("nav button")  # sign out
    # the commune's head reads their office's trail; another commune's head sees none of it
    head = laptop.new_page()
    sign_in(head, portal, role="office_head")
    head.click("nav a[href*='/officer/audit']")
    expect(head.locator("#audit-scope")).to_be_visible()
    expect(head.locator("table")).to_contain_text(complaint_id)
    expect(head.locator("table")).to_contain_text("case.acknowledge")
    expect(head.locator("table")).to_contain_text(OFFICE_EN)
    accessible(head)
    shoot(head, "audit-en-laptop")
    head.click("nav button")
    elsewhere = laptop.new_page()
    sign_in(elsewhere, portal, role="office_head", office="commune:170202")
    elsewhere.goto(f"{portal.url}/officer/audit?lang=en")
    expect(elsewhere.locator("#audit-scope")).to_be_visible()
    expect(elsewhere.locator("main")).not_to_contain_text(complaint_id)
    accessible(elsewhere)

    # privacy: no cookie for the citizen, nothing from another origin, the code nowhere
    assert phone.cookies() == []
    assert citizen_requests.origins() == {portal.url}
    assert officer_requests.origins() <= {portal.url, portal.issuer_url}
    compact = code.replace("-", "")
    for url in citizen_requests.urls + officer_requests.urls + history_urls(citizen):
        assert compact not in url.replace("-", "").upper(), url
    log = portal.web.read_log()
    assert compact not in log.replace("-", "") and code.lower() not in log.lower()
    assert '127.0.0.1"' not in log and "HeadlessChrome" not in log


def test_an_offline_submission_waits_and_lands_exactly_once(
    portal: Portal, phone: BrowserContext
) -> None:
    page = phone.new_page()
    page.goto(portal.url + "/?lang=en")
    page.evaluate("navigator.serviceWorker.ready.then(() => true)")
    shoot(page, "submit-en-phone")
    description = f"Offline: the office was closed all week {uuid.uuid4().hex[:6]}"
    fill_submission(page, description, commune="170301")
    phone.set_offline(True)
    page.click("#send")
    status = page.locator("#queue-status")
    expect(status).to_contain_text("You are offline")
    accessible(page)
    shoot(page, "offline-en-phone")
    # still offline: the worker serves the portal, and nothing was sent
    page.goto(portal.url + "/?lang=en")
    expect(page.locator("h1")).to_contain_text("Give feedback")
    assert cases_described(portal, description) == 0

    phone.set_offline(False)
    page.evaluate("window.dispatchEvent(new Event('online'))")
    expect(page.locator("#tracking-code")).to_be_visible(timeout=20_000)
    # another page load finds the queue empty: no second case
    page.goto(portal.url + "/?lang=en")
    page.wait_for_timeout(1500)
    assert cases_described(portal, description) == 1
    queued = page.evaluate(
        """() => new Promise(done => {
             const r = indexedDB.open('samleng', 1);
             r.onsuccess = () => {
               const q = r.result.transaction('queue').objectStore('queue').count();
               q.onsuccess = () => done(q.result);
             };
           })"""
    )
    assert queued == 0


def test_a_submission_the_network_drops_is_kept_and_lands_once(
    portal: Portal, phone: BrowserContext
) -> None:
    """Patchy network: the phone says it is online, but the request never gets through."""
    page = phone.new_page()
    page.goto(portal.url + "/?lang=en")
    description = f"Dropped on the way: the clerk asked for a tip {uuid.uuid4().hex[:6]}"
    fill_submission(page, description, commune="170301")
    page.route("**/submit*", lambda route: route.abort("internetdisconnected"))
    page.click("#send")
    expect(page.locator("#queue-status")).to_contain_text("saved on this device")
    assert cases_described(portal, description) == 0
    page.unroute("**/submit*")
    page.evaluate("window.dispatchEvent(new Event('online'))")
    expect(page.locator("#tracking-code")).to_be_visible(timeout=20_000)
    assert cases_described(portal, description) == 1


def test_leave_quickly_forgets_the_page_and_the_queue(portal: Portal, browser: Browser) -> None:
    context = browser.new_context(viewport=PHONE)
    page = context.new_page()
    page.goto(portal.url + "/?lang=en")
    fill_submission(page, f"Leaving before it is sent {uuid.uuid4().hex[:6]}", "170301")
    page.route("**/submit*", lambda route: route.abort("internetdisconnected"))
    page.click("#send")
    expect(page.locator("#queue-status")).to_contain_text("saved on this device")
    page.click("#leave")
    page.wait_for_url(portal.url + "/leave")
    history = history_urls(page)  # the form page was replaced, not left behind
    assert history[-1] == portal.url + "/leave"
    assert not [url for url in history if url.startswith(portal.url + "/?")], history
    names = page.evaluate("indexedDB.databases().then(all => all.map(d => d.name))")
    assert "samleng" not in names
    context.close()


def cases_described(portal: Portal, description: str) -> int:
    """How many cases intake stored with this description."""
    client: MongoClient[dict[str, Any]]
    with MongoClient(portal.stack.mongo_url) as client:
        return client[portal.intake_database]["cases"].count_documents({"description": description})


def test_the_portal_works_with_javascript_off(portal: Portal, browser: Browser) -> None:
    context = browser.new_context(viewport=PHONE, java_script_enabled=False)
    page = context.new_page()
    page.goto(portal.url + "/?lang=en")
    show_list = page.locator("button[name=refresh]")
    expect(show_list).to_be_visible()  # the place pickers need a round trip without JS
    page.locator("input[name=kind][value=request_for_help]").check()
    page.locator("input[name=category][value=delay]").check()
    page.fill("#description", "No JavaScript: the birth certificate is three months late")
    for level, code in (("province", "17"), ("district", "1703"), ("commune", "170301")):
        page.select_option(f"#{level}", code)
        if level != "commune":
            show_list.click()
    expect(page.locator("#description")).to_have_value(re.compile("three months late"))
    page.click("#send")
    code = str(page.locator("#tracking-code").get_attribute("data-code"))
    page.locator("form[action='/track?lang=en'] button").click()
    expect(page.locator(".status")).to_be_visible()  # (axe needs JavaScript: checked above)
    assert code.replace("-", "") not in page.url.replace("-", "").upper()
    context.close()


def test_the_console_fits_a_phone_in_khmer(portal: Portal, browser: Browser) -> None:
    # the only open case of commune:170201 (the other tests close theirs or file elsewhere)
    submitted = httpx.post(
        f"{portal.apis['intake'].url}/v1/complaints",
        json={
            "kind": "complaint",
            "category": "delay",
            "commune_code": "170201",
            "description": f"យឺតយ៉ាវ ៣ ខែ {uuid.uuid4().hex[:6]}",
        },
        headers={"Idempotency-Key": str(uuid.uuid4())},
        timeout=10,
    )
    assert submitted.status_code == 202, submitted.text
    context = browser.new_context(viewport=PHONE, is_mobile=True, has_touch=True)
    page = context.new_page()
    sign_in(page, portal)
    for path in ("/officer/notifications", "/officer"):
        page.goto(portal.url + path)
        expect(page.locator("html")).to_have_attribute("lang", "km")
        assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"], path
        accessible(page)

    def listed() -> bool:
        page.goto(portal.url + "/officer?status=assigned")
        return page.locator(".cases li a").count() > 0

    poll(listed)
    page.locator(".cases li a").first.click()
    expect(page.locator("blockquote.description")).to_contain_text("យឺតយ៉ាវ")
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    accessible(page)
    shoot(page, "case-km-phone")
    context.close()
