"""The conversation use cases: one inbound message in, the replies to it out.

No HTTP here: the SMS and Telegram edges verify and decode a message, then call
:func:`converse`. The sender's address (number or chat id) is used in memory only: it is
turned into a keyed hash (the conversation's key) and, when a case is filed, sealed as
the case's reply contact; it is never stored in clear, logged or put in a reply.

What a message does, in order:

1. past the sender's hourly limit: nothing (one "slow down" reply, then silence);
2. a command: ``HELP``; ``STOP`` (erase the conversation, and tell notification, through
   each followed case, to send nothing more to this address about any case); ``START``
   (undo a STOP; in a chat it also starts a conversation); ``NEW`` (start a new report,
   even while an office's question is open); ``STATUS <code>`` (status, office, and the
   office's open question, if any); ``EN``/``KM`` (language);
3. no conversation under way and an office's question open on a followed case: the
   message is the answer (the existing answer use case; the reply says how to send NEW);
4. otherwise a step of the guided conversation (:mod:`.dialogue`); at its end the case
   is filed through the same validation, rate limits and outbox as the web, and a photo
   chosen in a chat is attached (:mod:`.photos`).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from typing import Literal

from samleng.common.events.values import Language
from samleng.intake.adapters.gazetteer import locate_commune
from samleng.intake.citizen.handlers import (
    CaseNotFound,
    LookupsExhausted,
    find_case,
    submit_feedback,
)
from samleng.intake.conversations import dialogue, following
from samleng.intake.conversations.dialogue import Draft, Prompt, Turn
from samleng.intake.conversations.following import desk_of as _desk
from samleng.intake.conversations.photos import attach_photo
from samleng.intake.conversations.ports import (
    Conversation,
    ConversationDesk,
    Followed,
    PhotoSource,
)
from samleng.intake.conversations.replies import render, status_label, text
from samleng.intake.domain.model import Case
from samleng.intake.domain.tracking import InvalidTrackingCode, TrackingCode
from samleng.intake.entrypoints.forms import Form, InvalidSubmission, to_submission
from samleng.intake.open311.places import GOOD_MATCH, communes_like
from samleng.intake.ports import IntakePorts

log = logging.getLogger(__name__)

InboundChannel = Literal["sms", "telegram"]
#: How much weaker than the best a name may score and still be offered to pick from.
_OFFER_WITHIN = 8.0
#: Channels where START also starts a conversation (Telegram's Start button sends /start).
_START_CONVERSES = frozenset({"telegram"})


@dataclass(frozen=True)
class Inbound:
    """One message a sender wrote (the address only ever lives in memory)."""

    channel: InboundChannel
    address: str  # an E.164 number, or a Telegram chat id
    text: str
    photo: str | None = None  # the channel's reference to a photo sent (a Telegram file_id)

    def __repr__(self) -> str:  # never show the address, even in a traceback
        return f"Inbound(channel={self.channel!r})"


@dataclass(frozen=True)
class Reply:
    """One reply: its text, and the prompt it renders (a chat shows its choices)."""

    text: str
    language: Language
    prompt: Prompt | None = None


def find_places(answer: str) -> tuple[str, ...]:
    """Communes a message names: a 6-digit code, or names close to the best match."""
    code = dialogue.commune_code_in(answer)
    if code is not None:
        return (code,) if locate_commune(code) is not None else ()
    ranked = communes_like(answer)
    if not ranked or ranked[0][1] < GOOD_MATCH:
        return ()
    top = ranked[0][1]
    return tuple(c for c, score in ranked if score >= top - _OFFER_WITHIN)[
        : dialogue.MAX_CANDIDATES
    ]


def _command(message: str) -> tuple[str, str]:
    word, _, rest = message.strip().partition(" ")
    name = word.upper().lstrip("/").split("@")[0]  # Telegram: /status@SamlengBot
    return name, rest.strip()


async def converse(
    message: Inbound, ports: IntakePorts, now: datetime, photos: PhotoSource | None = None
) -> list[Reply]:
    """The replies to one inbound message (often one; none past the sender's limit).

    ``photos``: where the channel keeps the photos people send (a chat); without it the
    conversation asks for no photo.
    """
    desk = _desk(ports)
    sender = desk.keys.senders.of(f"{message.channel}:{message.address}".encode())
    hour = now.strftime("%Y%m%d%H")
    count = await desk.store.count_message(sender, hour, now + timedelta(hours=2))
    state = await desk.store.load(sender)
    language: Language = state.language if state else await _followed_language(desk, sender)
    if count > desk.messages_per_hour:
        return (
            [Reply(text("slow_down", language), language)]
            if count == desk.messages_per_hour + 1
            else []
        )
    name, argument = _command(message.text)
    if name in ("EN", "KM", "ENGLISH", "ខ្មែរ"):
        return await _switch_language(
            desk, sender, state, "en" if name in ("EN", "ENGLISH") else "km", now
        )
    if name in ("HELP", "ជំនួយ"):
        return [Reply(text("help", language), language)]
    if name in ("STOP", "ឈប់"):
        await following.stop(message.channel, message.address, ports, sender, now)
        return [Reply(text("stopped", language), language)]
    if name in ("START", "ចាប់ផ្ដើម"):
        resumed = await following.resume(message.channel, message.address, ports, sender, now)
        replies = [Reply(text("resumed", language), language)] if resumed else []
        if message.channel not in _START_CONVERSES:
            return replies or [Reply(text("help", language), language)]
        case = None if state and state.sealed_draft else await following.asking(ports, sender)
        if case is not None:  # the next message answers it: show the question
            return [*replies, _question(case, language)]
        return replies + await _step(
            message, ports, sender, state, language, now, photos, repeat=True
        )
    if name in ("STATUS", "ស្ថានភាព"):
        return [await _status(argument, ports, sender, language, now)]
    if name in ("NEW", "ថ្មី"):
        turn = dialogue.start(language, photos=photos is not None)
        return [await _after(turn, message, ports, sender, now, photos)]
    draft = _open_draft(desk, sender, state)
    if draft is None and await following.answer_open_question(message.text, ports, sender, now):
        return [Reply(text("answered", language), language)]
    return await _step(message, ports, sender, state, language, now, photos)


async def _step(
    message: Inbound,
    ports: IntakePorts,
    sender: str,
    state: Conversation | None,
    language: Language,
    now: datetime,
    photos: PhotoSource | None,
    *,
    repeat: bool = False,
) -> list[Reply]:
    """A step of the guided conversation: the first question, or the next one (``repeat``:
    the question under way again)."""
    draft = _open_draft(_desk(ports), sender, state)
    if draft is None:
        turn = dialogue.start(language, photos=photos is not None)
    elif repeat:
        turn = Turn(draft, dialogue.prompt_for(draft))
    else:
        turn = dialogue.advance(draft, message.text, find_places, message.photo)
    return [await _after(turn, message, ports, sender, now, photos)]


async def language_of(message: Inbound, ports: IntakePorts) -> Language:
    """The language the sender's conversation is in (Khmer unless they asked for English)."""
    desk = _desk(ports)
    sender = desk.keys.senders.of(f"{message.channel}:{message.address}".encode())
    state = await desk.store.load(sender)
    return state.language if state else await _followed_language(desk, sender)


async def _followed_language(desk: ConversationDesk, sender: str) -> Language:
    followed = await desk.store.followed(sender)
    return followed[-1].language if followed else "km"


def _open_draft(desk: ConversationDesk, sender: str, state: Conversation | None) -> Draft | None:
    if state is None or state.sealed_draft is None:
        return None
    return Draft.from_bytes(desk.keys.drafts.open(state.sealed_draft, sender))


async def _keep(
    desk: ConversationDesk, sender: str, draft: Draft | None, language: Language, now: datetime
) -> None:
    sealed = desk.keys.drafts.seal(draft.to_bytes(), sender) if draft else None
    await desk.store.keep(sender, Conversation(language, sealed), now + desk.lifetime)


async def _switch_language(
    desk: ConversationDesk,
    sender: str,
    state: Conversation | None,
    language: Language,
    now: datetime,
) -> list[Reply]:
    draft = _open_draft(desk, sender, state)
    if draft is None:
        await _keep(desk, sender, None, language, now)
        return [Reply(text("help", language), language)]
    draft = replace(draft, language=language)
    await _keep(desk, sender, draft, language, now)
    prompt = dialogue.prompt_for(draft)
    return [Reply(render(prompt, language), language, prompt)]


async def _after(
    turn: Turn,
    message: Inbound,
    ports: IntakePorts,
    sender: str,
    now: datetime,
    photos: PhotoSource | None,
) -> Reply:
    desk = _desk(ports)
    draft = turn.draft
    language: Language = draft.language if draft else "km"
    if draft is None:  # cancelled
        await desk.store.forget(sender)
        return Reply(render(turn.prompt, language), language)
    if not turn.file:
        await _keep(desk, sender, draft, language, now)
        return Reply(render(turn.prompt, language), language, turn.prompt)
    return await _file(draft, message, ports, sender, now, photos)


async def _file(
    draft: Draft,
    message: Inbound,
    ports: IntakePorts,
    sender: str,
    now: datetime,
    photos: PhotoSource | None,
) -> Reply:
    desk, language = _desk(ports), draft.language
    assert draft.kind and draft.category and draft.commune_code and draft.description
    commune = draft.commune_code
    try:
        submission, reporter = to_submission(
            Form(
                kind=draft.kind,
                category=draft.category,
                commune_code=commune,
                description=draft.description,
                language=language,
                channel=message.channel,
                about_office_id=f"commune:{commune}" if draft.about_office else None,
                about_office_conduct=draft.about_office,
                contacts=((message.channel, message.address),),
            ),
            max_description=ports.settings.max_description_length,
        )
    except InvalidSubmission as refused:
        back = dialogue.Step.DESCRIPTION if refused.field == "description" else dialogue.Step.PLACE
        await _keep(desk, sender, replace(draft, step=back), language, now)
        reason = refused.km if language == "km" else refused.en
        return Reply(text("refused", language, reason=reason), language)
    if await ports.budgets.submissions.for_client(f"conversation:{sender}").take() is not None:
        await _keep(desk, sender, draft, language, now)  # "1" again later files it
        return Reply(text("try_later", language), language)
    submitted = await submit_feedback(
        submission, ports.cases, ports.keys, reporter=replace(reporter, from_holder=True)
    )
    ports.relay.wake()
    await desk.store.forget(sender)
    await desk.store.follow(
        sender, Followed(submitted.case.complaint_id, language), now + desk.follow_for
    )
    await desk.store.unmark_stopped(sender)  # filing from the address resumes its messages
    log.info("a case was filed by %s", message.channel)
    filed = text("filed", language, code=str(submitted.code))
    if draft.photo is not None and photos is not None:
        photo = await attach_photo(draft.photo, submitted.code, photos, ports, sender, language)
        filed = f"{filed}\n{photo}"
    return Reply(filed, language)


async def _status(
    argument: str, ports: IntakePorts, sender: str, language: Language, now: datetime
) -> Reply:
    desk = _desk(ports)
    misses = ports.budgets.lookup_misses.for_client(f"conversation:{sender}")
    try:
        code = TrackingCode.parse(argument)
        case = await find_case(code, ports.cases, ports.keys.hasher, misses)
    except (InvalidTrackingCode, CaseNotFound):
        return Reply(text("unknown_code", language), language)
    except LookupsExhausted:
        return Reply(text("try_later", language), language)
    await desk.store.follow(sender, Followed(case.complaint_id, language), now + desk.follow_for)
    if case.open_questions:
        return _question(case, language)
    status = status_label(case.status, language)
    office = "-"
    if case.office is not None:
        office = case.office.name_km if language == "km" else case.office.name_en
    return Reply(text("status", language, status=status, office=office), language)


def _question(case: Case, language: Language) -> Reply:
    """The case's status and the office's open question, which the next message answers."""
    status, question = status_label(case.status, language), case.open_questions[0].text
    return Reply(text("status_question", language, status=status, question=question), language)
