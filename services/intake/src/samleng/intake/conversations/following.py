"""What a sender does to the cases they follow from a channel: answer an office's
question, STOP every message to their address, and START them again.

A STOP reaches notification through each followed case (``complaint.contact_stopped``,
carrying the sealed address); notification then sends nothing to that address about any
case. START undoes it the same way (``complaint.contact_resumed``), once, only after a
STOP: intake keeps the keyed hash of a sender who stopped for as long as their follows.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import datetime

from samleng.intake.citizen.handlers import act_on_found
from samleng.intake.conversations.ports import ConversationDesk
from samleng.intake.domain import citizen
from samleng.intake.domain.citizen import ActionRefused
from samleng.intake.domain.model import Case
from samleng.intake.ports import IntakePorts


def desk_of(ports: IntakePorts) -> ConversationDesk:
    """The conversation desk ``bootstrap`` wired (a RuntimeError when there is none)."""
    if ports.conversations is None:
        raise RuntimeError("this intake has no conversation store")
    return ports.conversations


def _loader(ports: IntakePorts, complaint_id: str) -> Callable[[], Awaitable[Case]]:
    async def load() -> Case:
        found = await ports.cases.get(complaint_id)
        assert found is not None  # cases are never deleted
        return found

    return load


async def asking(ports: IntakePorts, sender: str) -> Case | None:
    """The oldest followed case whose office asked a question not answered yet."""
    for followed in await desk_of(ports).store.followed(sender):
        case = await ports.cases.get(followed.complaint_id)
        if case is not None and case.open_questions:
            return case
    return None


async def answer_open_question(text: str, ports: IntakePorts, sender: str, now: datetime) -> bool:
    """Answer the oldest open question of a followed case with ``text``; whether one was."""
    answer = text.strip()[: ports.settings.max_text_length]
    if not answer:
        return False  # a photo alone, say: no answer to give
    case = await asking(ports, sender)
    if case is None:
        return False
    question_id = case.open_questions[0].question_id
    try:
        await act_on_found(
            _loader(ports, case.complaint_id),
            ports.cases,
            lambda c: citizen.answer_question(c, question_id, answer, now),
        )
    except ActionRefused:
        return False  # answered meanwhile (another message) or closed: start afresh
    ports.relay.wake()
    return True


async def stop(channel: str, address: str, ports: IntakePorts, sender: str, now: datetime) -> None:
    """STOP: erase the conversation; nothing more goes to the address, about any case."""
    desk = desk_of(ports)
    await desk.store.forget(sender)
    await desk.store.mark_stopped(sender, now + desk.follow_for)
    contact = ports.keys.contacts.seal(channel, address)
    for followed in await desk.store.followed(sender):
        await act_on_found(
            _loader(ports, followed.complaint_id),
            ports.cases,
            lambda c: citizen.stop_messages(c, contact, now),
        )
    ports.relay.wake()


async def resume(
    channel: str, address: str, ports: IntakePorts, sender: str, now: datetime
) -> bool:
    """START after a STOP: messages go to the address again; False when it had not stopped."""
    desk = desk_of(ports)
    if not await desk.store.unmark_stopped(sender):
        return False
    contact = ports.keys.contacts.seal(channel, address)
    try:
        for followed in await desk.store.followed(sender):
            await act_on_found(
                _loader(ports, followed.complaint_id),
                ports.cases,
                lambda c: citizen.resume_messages(c, contact, now),
            )
    except BaseException:
        await desk.store.mark_stopped(sender, now + desk.follow_for)  # START again retries
        raise
    ports.relay.wake()
    return True
