"""A civil-society partner expert in the officer console, in Debian's Chromium, against the
real services: it signs in like an officer, reads a case of its province read-only (no
office action, no internal note, no file, no contact), leaves a partner note, and the
office's officer reads that note on the case page. Every page is checked with axe-core."""

from __future__ import annotations

import uuid
from typing import Any

import httpx
import pytest
from playwright.sync_api import BrowserContext, expect
from pymongo import MongoClient

from services.web.tests.integration.conftest import Portal
from services.web.tests.integration.test_browser import (
    Requests,
    accessible,
    sign_in,
)
from services.web.tests.integration.test_browser import laptop as laptop  # the fixture
from tests.e2e.conftest import poll

pytestmark = pytest.mark.e2e

PHONE_NUMBER = "+85512398765"


def _routed_case(portal: Portal, description: str) -> str:
    """A case from Banteay Srei (Siem Reap) with a contact, once routing assigned it."""
    submitted = httpx.post(
        f"{portal.apis['intake'].url}/v1/complaints",
        json={
            "kind": "complaint",
            "category": "extra_fee",
            "commune_code": "170301",
            "description": description,
            "contacts": [{"channel": "sms", "address": PHONE_NUMBER}],
            "reporter_gender": "female",
            "reporter_age_band": "25_34",
        },
        headers={"Idempotency-Key": str(uuid.uuid4())},
        timeout=30,
    )
    assert submitted.status_code == 202, submitted.text

    def assigned() -> str | None:
        client: MongoClient[dict[str, Any]]
        with MongoClient(portal.stack.mongo_url) as client:
            case = client[portal.intake_database]["cases"].find_one({"description": description})
        return str(case["_id"]) if case and case.get("office") else None

    return str(poll(assigned, timeout=60))


def test_a_partner_reads_a_case_and_its_note_reaches_the_office(
    portal: Portal,
    laptop: BrowserContext,
) -> None:
    description = f"ទារប្រាក់លើសតម្លៃផ្លូវការ (partner review) {uuid.uuid4().hex[:6]}"
    complaint_id = _routed_case(portal, description)
    seen = Requests(laptop)

    partner = laptop.new_page()
    sign_in(partner, portal, role="partner_expert", office="province:17")
    expect(partner.locator(".offices")).to_contain_text("Siemreap province (all cases)")
    accessible(partner)
    partner.goto(f"{portal.url}/officer/cases/{complaint_id}?lang=en")
    expect(partner.locator("blockquote.description")).to_contain_text(description[:20])
    expect(partner.locator("#partner-read-only")).to_be_visible()
    for action in ("acknowledge", "ask", "resolve", "transfer", "escalate", "note"):
        expect(partner.locator(f"form[action*='/{action}']")).to_have_count(0)
    expect(partner.locator("h2", has_text="Internal notes")).to_have_count(0)
    page_text = partner.locator("main").inner_text()
    for private in (PHONE_NUMBER, "12398765", "female", "25_34"):
        assert private not in page_text
    accessible(partner)
    note = "The commune asked ten times the official fee; please check the receipt book."
    partner.fill("#partner-note-text", note)
    partner.click("form[action*='/partner_note'] button")
    expect(partner.locator(".alert.ok")).to_be_visible()
    expect(partner.locator("ul.partner-notes")).to_contain_text(note)
    accessible(partner)
    partner.click("nav button")  # sign out

    officer = laptop.new_page()
    sign_in(officer, portal, office="commune:170301")
    officer.goto(f"{portal.url}/officer/cases/{complaint_id}?lang=en")
    expect(officer.locator("h2", has_text="Partner notes")).to_be_visible()
    expect(officer.locator("ul.partner-notes")).to_contain_text(note)
    expect(officer.locator("form[action*='/partner_note']")).to_have_count(0)
    accessible(officer)
    assert seen.origins() <= {portal.url, portal.issuer_url}
