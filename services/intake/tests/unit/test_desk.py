"""Desks with in-memory ports: who files where, what the receipt says, what a Page webhook
keeps (no names, no pictures), and the queue's filings and dismissals, all audited."""

from __future__ import annotations

import hashlib
import hmac
import json
from dataclasses import replace
from typing import Any

import pytest

from samleng.common.auth import Principal, Role
from samleng.intake.desk.handlers import (
    FilingsExhausted,
    MessageNotFound,
    dismiss_message,
    file_for_citizen,
    file_message,
    receive_messages,
)
from samleng.intake.domain.desks import Desk, DeskKind, NotADeskAgent, desk_of, receipt
from samleng.intake.domain.model import Reporter
from samleng.intake.domain.social import incoming, signature_valid
from services.intake.tests.unit.fakes import SUBMISSION, desk_ports

pytestmark = pytest.mark.unit

COUNTER = Desk(DeskKind.COUNTER, "district:1702")
SOCIAL = Desk(DeskKind.SOCIAL_MEDIA, "national:moi")


def agent(*desks: str, roles: tuple[Role, ...] = (Role.DESK_AGENT,)) -> Principal:
    """A desk agent at these desks."""
    return Principal("agent-1", frozenset(roles), frozenset(), frozenset(desks))


def test_an_agent_files_only_at_their_own_desk() -> None:
    assert desk_of(agent(COUNTER.desk_id), None) == COUNTER
    assert desk_of(agent(COUNTER.desk_id, SOCIAL.desk_id), SOCIAL.desk_id) == SOCIAL
    assert desk_of(agent(COUNTER.desk_id, SOCIAL.desk_id), None, kind=DeskKind.SOCIAL_MEDIA)
    for principal, asked in (
        (agent(COUNTER.desk_id, SOCIAL.desk_id), None),  # which one?
        (agent(COUNTER.desk_id), "hotline:national:moi"),  # not theirs
        (agent("bogus"), None),  # names no desk
        (agent(COUNTER.desk_id, roles=(Role.OFFICER,)), None),  # no desk_agent role
    ):
        with pytest.raises(NotADeskAgent):
            desk_of(principal, asked)
    assert Desk.parse("counter:district:1702") == COUNTER
    assert Desk.parse("kiosk:district:1702") is None and Desk.parse("counter:") is None


def test_the_receipt_says_when_the_ombudsman_handles_it() -> None:
    plain = receipt(COUNTER, SUBMISSION, "CODE")
    assert len(plain.notes_en) == len(plain.notes_km) == 2
    conduct = replace(SUBMISSION, about_office_id="district:1702", about_office_conduct=True)
    told = receipt(COUNTER, conduct, "CODE")
    assert "ombudsman" in told.notes_en[-1] and "អម្បុដ្សម៉ាន់" in told.notes_km[-1]
    elsewhere = replace(conduct, about_office_id="commune:170201")
    assert len(receipt(COUNTER, elsewhere, "CODE").notes_en) == 2


def _signed(payload: dict[str, Any], secret: str = "s3cret") -> tuple[bytes, str]:  # noqa: S107
    body = json.dumps(payload).encode()
    return body, "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


def test_a_webhook_keeps_text_time_and_reply_address_only() -> None:
    payload = {
        "object": "page",
        "entry": [
            {
                "id": "PAGE",
                "messaging": [
                    {
                        "sender": {"id": "PSID", "name": "Sok Dara", "profile_pic": "http://p"},
                        "timestamp": 1764990000000,
                        "message": {"mid": "m1", "text": "ជួយផង"},
                    },
                    {"sender": {"id": "PAGE"}, "message": {"mid": "m2", "text": "x", "is_echo": 1}},
                ],
                "changes": [
                    {
                        "field": "feed",
                        "value": {
                            "item": "comment",
                            "verb": "add",
                            "from": {"id": "U1", "name": "Sok Dara"},
                            "comment_id": "C1",
                            "message": "ផ្លូវខូច",
                            "created_time": 1764990100,
                        },
                    },
                    {"field": "feed", "value": {"item": "reaction", "verb": "add"}},
                ],
            }
        ],
    }
    body, signature = _signed(payload)
    assert signature_valid(body, signature, "s3cret")
    assert not signature_valid(body, signature, "other")
    assert not signature_valid(body + b" ", signature, "s3cret")
    assert not signature_valid(body, signature.removeprefix("sha256="), "s3cret")
    found = incoming(body)
    assert [(i.kind, i.reply_to, i.text) for i in found] == [
        ("message", "psid:PSID", "ជួយផង"),
        ("comment", "comment:C1", "ផ្លូវខូច"),
    ]
    assert "Sok" not in repr(found) and "http://p" not in repr(found)
    assert found[0].at.year == 2025


async def test_an_assisted_filing_is_audited_and_counted_against_the_agent() -> None:
    ports = desk_ports(per_agent=1)
    me = agent(COUNTER.desk_id)
    filed = await file_for_citizen(SUBMISSION, Reporter(), COUNTER, me, ports)
    assert filed.receipt.tracking_code
    (entry,) = ports.officers.audit.log  # type: ignore[attr-defined]
    assert entry.record.action == "case.filed_for_citizen"
    assert (entry.record.subject, entry.record.role) == ("agent-1", "desk_agent")
    assert entry.record.complaint_id == filed.case.complaint_id
    with pytest.raises(FilingsExhausted):
        await file_for_citizen(SUBMISSION, Reporter(), COUNTER, me, ports)


async def test_a_queued_message_is_filed_or_dismissed_once() -> None:
    ports = desk_ports()
    payload = {
        "object": "page",
        "entry": [
            {
                "id": "PAGE",
                "messaging": [
                    {"sender": {"id": f"P{n}"}, "message": {"mid": f"m{n}", "text": f"t{n}"}}
                    for n in (1, 2)
                ],
            }
        ],
    }
    items = incoming(json.dumps(payload).encode())
    assert await receive_messages(items, SOCIAL.desk_id, ports) == 2
    assert await receive_messages(items, SOCIAL.desk_id, ports) == 0  # redelivered
    assert ports.desk is not None
    first, second = await ports.desk.messages.waiting(SOCIAL.desk_id, 10)
    me = agent(SOCIAL.desk_id)
    filed = await file_message(first.message_id, SUBMISSION, SOCIAL, me, ports)
    assert filed.case.submission == replace(SUBMISSION, description="ទារប្រាក់")
    with pytest.raises(MessageNotFound):
        await file_message(first.message_id, SUBMISSION, SOCIAL, me, ports)
    with pytest.raises(MessageNotFound):  # another desk's agent
        await dismiss_message(second.message_id, "spam", COUNTER, me, ports)
    await dismiss_message(second.message_id, "spam", SOCIAL, me, ports)
    assert await ports.desk.messages.waiting(SOCIAL.desk_id, 10) == []
    actions = [e.record.action for e in ports.officers.audit.log]  # type: ignore[attr-defined]
    assert actions == ["case.filed_for_citizen", "desk_message.dismissed"]
