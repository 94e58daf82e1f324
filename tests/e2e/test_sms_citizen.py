"""A feature-phone citizen, across the four services as real processes: files a case by
SMS through the signed gateway webhook and gets the code, is texted when the office has
it and when it asks a question, reads the question with STATUS and answers by SMS, is
texted when the case is resolved, and sends STOP: nothing more is sent to the number,
until START.
"""

from __future__ import annotations

import json
import time
import uuid
from typing import Any

import httpx
import pytest
from pymongo import MongoClient

from samleng.intake.conversations.sms.signature import sign
from tests.e2e.conftest import SMS_WEBHOOK_SECRET, poll

pytestmark = pytest.mark.e2e

NUMBER = "+85517555444"
COMMUNE_OFFICE = "commune:170201"


def text_from_phone(life: Any, text: str) -> str:
    """What the gateway posts when the phone sends ``text``; the one reply it gets back."""
    body = json.dumps(
        {"message_id": uuid.uuid4().hex, "from": "017 555 444", "text": text}, ensure_ascii=False
    ).encode()
    timestamp = str(int(time.time()))
    answer = httpx.post(
        f"{life.url('intake')}/v1/channels/sms/messages",
        content=body,
        headers={
            "Content-Type": "application/json",
            "X-Samleng-Timestamp": timestamp,
            "X-Samleng-Signature": sign(SMS_WEBHOOK_SECRET.encode(), timestamp, body),
        },
        timeout=20,
    )
    assert answer.status_code == 200, answer.text
    (reply,) = answer.json()["replies"]
    assert reply["segments"] <= 2, reply
    return str(reply["text"])


def texts_to_phone(life: Any) -> list[str]:
    """What notification's SMS courier sent to the number, in order."""
    return [m["text"] for m in life.sms if m["to"] == NUMBER]


def test_a_feature_phone_files_follows_and_answers_by_sms(life: Any) -> None:
    description = f"មន្ត្រីឃុំទារប្រាក់ ២០០០០ រៀល សម្រាប់លិខិតបញ្ជាក់ {uuid.uuid4().hex[:6]}"
    for message in ("សួស្ដី", "1", "1", "ជប់តាត្រាវ", "1", description, "2"):
        text_from_phone(life, message)
    filed = text_from_phone(life, "1")
    code = filed.split("លេខកូដ៖ ")[1].split()[0]
    life.submitted.append("170201")
    poll(lambda: life.citizen_view(code)["status"] == "assigned")

    # the number filed the case itself: no confirmation code, straight to the news
    first = poll(lambda: texts_to_phone(life))
    assert "ស្ថានភាព៖ បានប្រគល់" in first[0], first

    # the office asks a question; the phone is told, reads it with STATUS, answers by SMS
    commune = life.officer("officer-e2e-sms", "officer", COMMUNE_OFFICE)
    officer_case = poll(lambda: life.officer_case_described(description, commune))
    complaint_id = officer_case["complaint_id"]
    assert officer_case["channel"] == "sms"
    assert officer_case["description"] == description
    officer_case = life.officer_act(officer_case, "acknowledge", commune)
    question = "តើគេទារប្រាក់នៅថ្ងៃណា?"
    officer_case = life.officer_act(officer_case, "questions", commune, text=question)
    poll(lambda: any("ស្នើសុំព័ត៌មាន" in t for t in texts_to_phone(life)))
    status = text_from_phone(life, f"STATUS {code}")
    assert question in status, status
    answer = "ថ្ងៃចន្ទ ទី៣ ខែវិច្ឆិកា"
    assert text_from_phone(life, answer) == "អរគុណ។ ចម្លើយបានផ្ញើទៅការិយាល័យ។ NEW=រាយការណ៍ថ្មី"

    # the officer reads the answer and resolves; the phone is told
    officer_case = poll(
        lambda: (
            (c := life.officer_get(f"/cases/{complaint_id}", commune).json())["status"]
            == "acknowledged"
            and c["deadlines"]["resolve_by"]
            and c
        )
    )
    assert officer_case["questions"][0]["answer"] == answer
    officer_case = life.officer_act(officer_case, "resolve", commune, note="បានសងប្រាក់វិញ")
    resolved = poll(lambda: [t for t in texts_to_phone(life) if "បានដោះស្រាយ" in t])
    assert len(resolved) == 1
    for text in texts_to_phone(life):
        assert code not in text and description not in text

    # STOP: the phone is told once, and nothing more goes to the number
    assert text_from_phone(life, "STOP") == "អ្នកនឹងមិនទទួលសារពីសំឡេងទៀតទេ។"
    sent = len(texts_to_phone(life))
    reopened = life.citizen_act(code, "reopening", appeal=False)
    assert reopened["status"] == "reopened"

    life.officer_act_latest(complaint_id, "acknowledge", commune)
    life.officer_act(
        life.officer_get(f"/cases/{complaint_id}", commune).json(),
        "resolve",
        commune,
        note="ម្ដងទៀត",
    )
    log = poll(
        lambda: (
            (
                d := [
                    x
                    for x in _deliveries(life, complaint_id)
                    if x["state"] == "suppressed" and "STOP" in (x.get("last_error") or "")
                ]
            )
            and d
        )
    )
    assert log
    assert len(texts_to_phone(life)) == sent

    # START undoes STOP (a second START is only help)
    assert text_from_phone(life, "START") == "អ្នកនឹងទទួលសារពីសំឡេងម្ដងទៀត។ STOP=ឈប់"
    assert text_from_phone(life, "START").startswith("សំឡេង៖ ផ្ញើសារ")


def _deliveries(life: Any, complaint_id: str) -> list[dict[str, Any]]:
    """Notification's deliveries of a case, as stored (no API lists suppressed ones by case)."""
    client: MongoClient[dict[str, Any]]
    with MongoClient(life.stack.mongo_url) as client:
        name = life.settings["notification"]["mongo_database"]
        return list(client[name]["deliveries"].find({"complaint_id": complaint_id}))
