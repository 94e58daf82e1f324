"""The confirmation page in front of the real notification: the code of a case's contact
confirms it, a wrong code is explained in Khmer next to the field, and the code is in no
URL and no log line."""

from __future__ import annotations

import uuid
from typing import Any

import httpx
import pytest
from pymongo import MongoClient
from pymongo.collection import Collection

from samleng.notification.domain.consent import ContactIndex
from samleng.notification.settings import DEVELOPMENT_INDEX_KEY
from services.web.tests.integration.conftest import Portal
from tests.e2e.conftest import poll

pytestmark = pytest.mark.integration


def _submit_with_a_phone(portal: Portal) -> str:
    """A case with an SMS contact, straight to intake; its complaint id."""
    description = f"ទារលុយលើស {uuid.uuid4().hex[:8]}"
    submitted = httpx.post(
        f"{portal.apis['intake'].url}/v1/complaints",
        json={
            "kind": "complaint",
            "category": "extra_fee",
            "commune_code": "170301",
            "description": description,
            "contacts": [{"channel": "sms", "address": "+85512345678"}],
        },
        headers={"Idempotency-Key": str(uuid.uuid4())},
        timeout=10,
    )
    assert submitted.status_code == 202, submitted.text
    client: MongoClient[dict[str, Any]]
    with MongoClient(portal.stack.mongo_url) as client:
        case = client[portal.intake_database]["cases"].find_one({"description": description})
    assert case is not None
    return str(case["_id"])


def _codes_expected(portal: Portal, complaint_id: str) -> int:
    client: MongoClient[dict[str, Any]]
    with MongoClient(portal.stack.mongo_url) as client:
        database = f"{portal.stack.db_prefix}_web_notification"
        codes: Collection[dict[str, Any]] = client[database]["contact_confirmations"]
        return codes.count_documents({"complaint_id": complaint_id})


def test_a_citizen_confirms_their_phone_on_the_page_and_a_wrong_code_is_explained(
    portal: Portal,
) -> None:
    complaint_id = _submit_with_a_phone(portal)
    # notification heard of the case and sent (to its outbox) the code of contact 0
    poll(lambda: _codes_expected(portal, complaint_id))
    code = ContactIndex(DEVELOPMENT_INDEX_KEY.encode()).code_for(complaint_id, 0)
    typed = f"{code[:5]}-{code[5:]}".lower()

    with httpx.Client(base_url=portal.url, timeout=10) as browser:
        form = browser.get("/confirm")
        assert form.status_code == 200 and 'action="/confirm"' in form.text

        wrong = "00000-00000" if code != "0000000000" else "11111-11111"
        refused = browser.post("/confirm", data={"code": wrong})
        assert refused.status_code == 404
        assert 'id="code-error"' in refused.text and 'aria-invalid="true"' in refused.text
        assert "លេខកូដនេះមិនមែនជាលេខកូដដែលយើងបានផ្ញើ ឬផុតកំណត់ហើយ" in refused.text

        malformed = browser.post("/confirm?lang=en", data={"code": "K7M2Q"})
        assert malformed.status_code == 422
        assert "It has 10 letters and digits" in malformed.text

        confirmed = browser.post("/confirm", data={"code": typed})
        assert confirmed.status_code == 200, confirmed.text
        assert "បានបញ្ជាក់" in confirmed.text and 'id="code-error"' not in confirmed.text

    for answer in (refused, malformed, confirmed):
        assert not answer.history  # answered with the page, no redirect to a URL with it
        assert code not in str(answer.url).upper().replace("-", "")
    for service in (portal.web, portal.apis["notification"]):
        log = service.read_log().upper().replace("-", "")
        assert code not in log and "/CONFIRM" in portal.web.read_log().upper()
