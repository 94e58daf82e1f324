"""START undoes STOP, NEW starts a report while a question is open, and a photo chosen in
a chat is attached at filing (on in-memory ports)."""

from __future__ import annotations

from dataclasses import dataclass, field

import pytest

from samleng.common.events import ContactResumed, ContactStopped, InformationProvided
from samleng.intake.conversations.handlers import Inbound, converse
from samleng.intake.conversations.ports import PhotoRefused
from samleng.intake.domain import citizen
from samleng.intake.ports import IntakePorts
from services.intake.tests.unit.conversations.test_converse import (
    NOW,
    NUMBER,
    file_by_sms,
    say,
    store,
)
from services.intake.tests.unit.fakes import InMemoryAttachments, InMemoryCases, fake_ports

pytestmark = pytest.mark.unit

CHAT = "700123456"


@dataclass
class FakePhotos:
    """Photos by file id; records what was fetched with which limit."""

    photos: dict[str, bytes] = field(default_factory=dict)
    fetched: list[tuple[str, int]] = field(default_factory=list)

    async def fetch(self, photo: str, limit: int) -> bytes:
        self.fetched.append((photo, limit))
        if photo not in self.photos:
            raise PhotoRefused("Telegram did not give the photo.", "Telegram មិនបានផ្ដល់រូបថតទេ។")
        return self.photos[photo]


def outbox(ports: IntakePorts) -> list[object]:
    assert isinstance(ports.cases, InMemoryCases)
    return list(ports.cases.outbox)


async def chat(ports: IntakePorts, photos: FakePhotos, text: str, photo: str | None = None) -> str:
    replies = await converse(Inbound("telegram", CHAT, text, photo), ports, NOW, photos)
    return "\n".join(r.text for r in replies)


async def file_in_chat(ports: IntakePorts, photos: FakePhotos, photo: str | None) -> str:
    for message in ("/start", "1", "1", "170201", "1", "ទារប្រាក់"):
        await chat(ports, photos, message)
    await chat(ports, photos, "" if photo else "0", photo)
    await chat(ports, photos, "2")
    return await chat(ports, photos, "1")


async def test_start_after_stop_resumes_each_followed_case_once() -> None:
    ports = fake_ports()
    await file_by_sms(ports)
    await file_by_sms(ports)
    assert "STOP" in await say(ports, "START")  # never stopped: START is help
    assert not [e for e in outbox(ports) if isinstance(e, ContactResumed)]
    await say(ports, "STOP")
    assert await say(ports, "start") == "អ្នកនឹងទទួលសារពីសំឡេងម្ដងទៀត។ STOP=ឈប់"
    resumed = [e for e in outbox(ports) if isinstance(e, ContactResumed)]
    stopped = [e for e in outbox(ports) if isinstance(e, ContactStopped)]
    assert {e.complaint_id for e in resumed} == {e.complaint_id for e in stopped}
    assert len(resumed) == 2 and all(e.data.contact.channel == "sms" for e in resumed)
    assert NUMBER not in resumed[0].data.contact.ciphertext
    await say(ports, "START")  # a second START changes nothing
    assert len([e for e in outbox(ports) if isinstance(e, ContactResumed)]) == 2


async def test_start_in_a_chat_resumes_and_asks_the_first_question() -> None:
    ports, photos = fake_ports(), FakePhotos()
    await file_in_chat(ports, photos, None)
    await chat(ports, photos, "/stop")
    again = await chat(ports, photos, "/start")
    assert again.startswith("អ្នកនឹងទទួលសារពីសំឡេងម្ដងទៀត។") and "ជាអ្វី?" in again
    assert len([e for e in outbox(ports) if isinstance(e, ContactResumed)]) == 1
    await chat(ports, photos, "1")  # complaint: now the category is asked
    assert (await chat(ports, photos, "/start")).startswith("អំពីអ្វី?")  # the same question


async def test_while_a_question_is_open_new_starts_a_report_and_the_answer_says_so() -> None:
    ports = fake_ports()
    await file_by_sms(ports)
    assert isinstance(ports.cases, InMemoryCases)
    (case,) = ports.cases.cases.values()
    asked, _ = citizen.ask_question(case, "Which day?", "commune:170201", NOW)
    ports.cases.cases[case.complaint_id] = asked
    assert (await say(ports, "NEW")).startswith("សំឡេង៖ ជាអ្វី?")
    assert (await say(ports, "1")).startswith("អំពីអ្វី?")  # a step, not an answer
    assert not ports.cases.cases[case.complaint_id].questions[0].answer
    await say(ports, "ថ្មី")  # NEW in Khmer starts over too
    await say(ports, "CANCEL")  # not a choice: asked again
    for message in ("1", "8", "170201", "1", "x", "2"):
        await say(ports, message)
    assert (await say(ports, "2")).startswith("បានបោះបង់")  # the new report cancelled
    answered = await say(ports, "Monday")  # no conversation under way: the answer
    assert "NEW" in answered
    assert ports.cases.cases[case.complaint_id].questions[0].answer == "Monday"
    assert isinstance(outbox(ports)[-1], InformationProvided)


async def test_a_photo_chosen_in_a_chat_is_fetched_at_filing_and_attached() -> None:
    ports, photos = fake_ports(), FakePhotos({"file-1": b"\x89PNG photo bytes"})
    filed = await file_in_chat(ports, photos, "file-1")
    assert filed.startswith("បានទទួល។") and filed.endswith("រូបថតត្រូវបានភ្ជាប់។")
    assert photos.fetched == [("file-1", ports.settings.max_attachment_bytes)]
    assert isinstance(ports.cases, InMemoryCases) and isinstance(
        ports.attachments, InMemoryAttachments
    )
    (case,) = ports.cases.cases.values()
    (attachment,) = case.attachments
    assert ports.attachments.files[attachment.attachment_id] == b"\x89PNG photo bytes"
    assert "file-1" not in repr(store(ports).conversations)


async def test_a_photo_that_cannot_be_fetched_leaves_the_case_filed_and_says_why() -> None:
    ports, photos = fake_ports(), FakePhotos()
    filed = await file_in_chat(ports, photos, "gone")
    assert filed.startswith("បានទទួល។") and "Telegram មិនបានផ្ដល់រូបថតទេ។" in filed
    assert isinstance(ports.cases, InMemoryCases)
    (case,) = ports.cases.cases.values()
    assert case.attachments == ()


async def test_sms_never_asks_for_a_photo() -> None:
    ports = fake_ports()
    for message in ("hi", "1", "1", "170201", "1"):
        await say(ports, message)
    assert (await say(ports, "ទារប្រាក់")).startswith("តើរឿងនេះ")


async def test_start_in_a_chat_shows_an_open_question_which_the_next_message_answers() -> None:
    ports, photos = fake_ports(), FakePhotos()
    await file_in_chat(ports, photos, None)
    assert isinstance(ports.cases, InMemoryCases)
    (case,) = ports.cases.cases.values()
    asked, _ = citizen.ask_question(case, "Which day?", "commune:170201", NOW)
    ports.cases.cases[case.complaint_id] = asked
    await chat(ports, photos, "/stop")
    shown = await chat(ports, photos, "/start")
    assert shown.startswith("អ្នកនឹងទទួលសារពីសំឡេងម្ដងទៀត។") and "Which day?" in shown
    assert "NEW" in await chat(ports, photos, "Tuesday")
    assert ports.cases.cases[case.complaint_id].questions[0].answer == "Tuesday"
