"""Conversations on in-memory ports: filing, STATUS, STOP, answers, limits, privacy."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from samleng.common.events import ComplaintSubmitted, ContactStopped, InformationProvided
from samleng.intake.conversations.handlers import Inbound, converse
from samleng.intake.conversations.replies import cost
from samleng.intake.domain import citizen
from samleng.intake.ports import IntakePorts
from services.intake.tests.unit.conversation_fakes import InMemoryConversations
from services.intake.tests.unit.fakes import InMemoryCases, fake_ports

pytestmark = pytest.mark.unit

NUMBER = "+85512345678"
NOW = datetime(2026, 12, 6, 3, 0, tzinfo=UTC)


async def say(ports: IntakePorts, text: str, *, number: str = NUMBER) -> str:
    replies = await converse(Inbound("sms", number, text), ports, NOW)
    assert len(replies) == 1, replies
    return replies[0].text


async def file_by_sms(ports: IntakePorts) -> str:
    """Walk the whole conversation in Khmer; the tracking code of the filed case."""
    for message in ("សួស្ដី", "1", "1", "Chub Ta Trav", "1", "ទារប្រាក់ ៥០០០០ រៀល", "2"):
        await say(ports, message)
    filed = await say(ports, "1")
    assert filed.startswith("បានទទួល។ លេខកូដ៖ "), filed
    return filed.split("លេខកូដ៖ ")[1].split()[0]


def store(ports: IntakePorts) -> InMemoryConversations:
    assert ports.conversations is not None
    assert isinstance(ports.conversations.store, InMemoryConversations)
    return ports.conversations.store


async def test_a_case_filed_by_sms_carries_the_channel_and_the_sealed_number() -> None:
    ports = fake_ports()
    code = await file_by_sms(ports)
    assert isinstance(ports.cases, InMemoryCases)
    (submitted,) = [e for e in ports.cases.outbox if isinstance(e, ComplaintSubmitted)]
    assert submitted.data.channel == "sms" and submitted.data.location.commune_code == "170201"
    (contact,) = submitted.data.contacts
    assert contact.channel == "sms" and contact.from_holder and NUMBER not in contact.ciphertext
    assert not submitted.data.about_office_conduct
    assert store(ports).conversations == {}  # erased once filed
    assert len(code.replace("-", "")) == 17


async def test_the_conflict_of_interest_answer_names_the_commune_office() -> None:
    ports = fake_ports()
    for message in ("hi", "1", "4", "170201", "1", "rude", "1"):
        await say(ports, message)
    await say(ports, "1")
    assert isinstance(ports.cases, InMemoryCases)
    (case,) = ports.cases.cases.values()
    assert case.submission.about_office_conduct
    assert case.submission.about_office_id == "commune:170201"


async def test_nothing_kept_names_the_sender() -> None:
    ports = fake_ports()
    await say(ports, "hello")
    await say(ports, "1")
    kept = store(ports)
    everything = repr(kept.conversations) + repr(kept.counters) + repr(kept.follows)
    assert NUMBER not in everything and NUMBER[1:] not in everything
    assert NUMBER not in repr(Inbound("sms", NUMBER, "x"))


async def test_an_unfinished_conversation_is_gone_after_its_lifetime() -> None:
    ports = fake_ports()
    await say(ports, "hello")
    await say(ports, "1")
    kept = store(ports)
    ((_, expires_at),) = kept.conversations.values()
    assert expires_at == NOW + timedelta(hours=24)


async def test_status_shows_the_office_question_and_the_next_message_answers_it() -> None:
    ports = fake_ports()
    code = await file_by_sms(ports)
    assert isinstance(ports.cases, InMemoryCases)
    (case,) = ports.cases.cases.values()
    asked, _ = citizen.ask_question(case, "Which day did it happen?", "commune:170201", NOW)
    ports.cases.cases[case.complaint_id] = asked
    status = await say(ports, f"status {code.lower()}")
    assert "Which day did it happen?" in status
    assert await say(ports, "Monday morning") == "អរគុណ។ ចម្លើយបានផ្ញើទៅការិយាល័យ។ NEW=រាយការណ៍ថ្មី"
    answered = ports.cases.cases[case.complaint_id]
    assert answered.questions[0].answer == "Monday morning"
    assert isinstance(ports.cases.outbox[-1], InformationProvided)


async def test_status_of_an_unknown_code_and_help_and_english() -> None:
    ports = fake_ports()
    assert "រកមិនឃើញ" in await say(ports, "STATUS 7K3M-Q9TX-2HBD-W4NE-R")
    assert (await say(ports, "EN")).startswith("Samleng: write to give feedback")
    assert (await say(ports, "hello")).startswith("Samleng: what is it?")
    assert "STOP" in await say(ports, "help")


async def test_stop_erases_the_conversation_and_stops_every_followed_case() -> None:
    ports = fake_ports()
    await file_by_sms(ports)
    await file_by_sms(ports)
    await say(ports, "hello")  # a third, unfinished
    assert await say(ports, "STOP") == "អ្នកនឹងមិនទទួលសារពីសំឡេងទៀតទេ។"
    assert isinstance(ports.cases, InMemoryCases)
    stops = [e for e in ports.cases.outbox if isinstance(e, ContactStopped)]
    assert len(stops) == 2 and {s.complaint_id for s in stops} == set(ports.cases.cases)
    assert all(s.data.contact.channel == "sms" for s in stops)
    assert store(ports).conversations == {}


async def test_a_sender_past_the_hourly_limit_is_told_once_then_hears_nothing() -> None:
    ports = fake_ports(conversation_messages_per_hour=3)
    for _ in range(3):
        await say(ports, "hello")
    assert await say(ports, "hello") == "សារច្រើនពេក។ សូមរង់ចាំមួយម៉ោង"
    assert await converse(Inbound("sms", NUMBER, "hello"), ports, NOW) == []
    assert (await say(ports, "hello", number="+85512345679")).startswith("សំឡេង")


async def test_each_prompt_fits_two_sms_segments() -> None:
    ports = fake_ports()
    sizes = []
    for message in ("hi", "1", "1", "Samraong", "1", "ទារប្រាក់", "1", "1", "STOP"):
        for reply in await converse(Inbound("sms", NUMBER, message), ports, NOW):
            sizes.append(cost(reply.text).segments)
    assert sizes and max(sizes) <= 2, sizes
