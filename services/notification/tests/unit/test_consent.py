"""Consent and the daily cap on in-memory fakes: codes, the request's words, the cap."""

from __future__ import annotations

import uuid

import pytest

from samleng.common.events import InformationRequested, OfficeActionData, SealedContact
from samleng.notification.domain import templates
from samleng.notification.domain.consent import (
    CONFIRMATION_KIND,
    ContactIndex,
    parse_code,
    shown,
)
from samleng.notification.domain.delivery import DeliveryState
from samleng.notification.handlers import HANDLERS, confirm_contact
from services.notification.tests.integration.helpers import assigned, office, submitted
from services.notification.tests.unit.fakes import FakeDeliveryQueue, fake_ports

pytestmark = pytest.mark.unit

NUMBER = SealedContact(channel="sms", ciphertext="sealed:+85512345678", key_id="k1")


def test_a_code_is_the_same_for_a_contact_and_reads_back_however_it_is_typed() -> None:
    index = ContactIndex(b"k")
    code = index.code_for("case-1", 0)
    assert code == index.code_for("case-1", 0) != index.code_for("case-1", 1)
    assert len(code) == 10 and parse_code(shown(code)) == code
    assert parse_code(" " + shown(code).lower() + " ") == code
    assert parse_code("O1234-56789") == parse_code("01234 56789") == "0123456789"
    assert parse_code("០១២៣៤-៥៦៧៨៩") == "0123456789"
    assert parse_code("ABCDE-FGHJ") is None and parse_code("UUUUU-UUUUU") is None


@pytest.mark.parametrize("language", ["km", "en"])
def test_the_request_says_nothing_of_a_case(language: templates.Language) -> None:
    message = templates.confirmation_request(language, "https://x.example/confirm", "C0DE5")
    assert "C0DE5" in message.text and "https://x.example/confirm" in message.text
    for word in ("case", "complaint", "ករណី", "បណ្តឹង", "ពាក្យបណ្តឹង"):
        assert word not in (message.subject + message.text).lower()


async def test_one_number_thrice_gets_one_request_and_the_news_once_confirmed() -> None:
    ports = fake_ports()
    first = submitted(str(uuid.uuid4()), (NUMBER, NUMBER, NUMBER), language="en")
    assignment = assigned(first, office("commune:a"))
    question = InformationRequested.caused_by(
        assignment, producer="test", data=OfficeActionData(office_id="commune:a")
    )
    dispatch = HANDLERS.bind(ports)
    for event in (first, assignment, question, first):  # the submission redelivered
        await dispatch(event)
    queue = ports.deliveries
    assert isinstance(queue, FakeDeliveryQueue)
    citizen = [d for d in queue.deliveries.values() if d.audience == "citizen"]
    assert [d.kind for d in citizen] == [CONFIRMATION_KIND]
    assert "{confirmation_code}" in citizen[0].text  # the code itself is never stored

    assert not await confirm_contact("ABCDE-FGHJK", ports)
    code = ports.consent.index.code_for(first.complaint_id, 0)
    assert await confirm_contact(code, ports)
    assert await confirm_contact(code, ports)  # twice: nothing twice
    kinds = [d.kind for d in queue.deliveries.values() if d.audience == "citizen"]
    assert kinds == [CONFIRMATION_KIND, "case_assigned", "question_asked"]


async def test_over_the_daily_cap_a_delivery_is_suppressed_with_the_reason() -> None:
    ports = fake_ports()
    dispatch = HANDLERS.bind(ports)
    for _ in range(7):
        await dispatch(submitted(str(uuid.uuid4()), (NUMBER,)))
    queue = ports.deliveries
    assert isinstance(queue, FakeDeliveryQueue)
    states = [d.state for d in queue.deliveries.values()]
    assert states == [DeliveryState.PENDING] * 5 + [DeliveryState.SUPPRESSED] * 2
    assert all(
        "daily cap" in (d.last_error or "") for d in queue.in_state(DeliveryState.SUPPRESSED)
    )
