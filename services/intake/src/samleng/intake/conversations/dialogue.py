"""The guided conversation that files a case, whatever the channel. Pure: no I/O.

A :class:`Draft` is where one sender's conversation stands; :func:`advance` takes the
draft and the sender's next message and returns the next :class:`Turn`: the new draft
(None when the conversation ends), what to ask next, and whether the case is ready to
file. Steps, in order: kind -> category (complaints only) -> place (commune name or
code, confirmed) -> description -> an optional photo (channels that carry photos:
Telegram) -> "is this about the office that handles it?" (complaints only) -> confirm.
Finding communes is passed in (``find_places``), so the dialogue knows no gazetteer.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from dataclasses import asdict, dataclass, field, replace
from enum import StrEnum
from typing import Any

from samleng.common.events import Category, FeedbackKind
from samleng.common.events.values import Language

#: What the sender can choose by number, in the order the prompts list them. A service
#: evaluation needs a service and a rating: the web and the app ask for those.
KINDS = (
    FeedbackKind.COMPLAINT,
    FeedbackKind.REQUEST_FOR_HELP,
    FeedbackKind.REQUEST_FOR_INFORMATION,
    FeedbackKind.SUGGESTION,
)
CATEGORIES = tuple(Category)
#: How many communes a name search offers to pick from.
MAX_CANDIDATES = 3

_YES = frozenset({"1", "y", "yes", "ok", "បាទ", "ចាស", "ត្រូវ", "បាទ/ចាស", "ផ្ញើ", "send"})
_NO = frozenset({"2", "n", "no", "ទេ", "បោះបង់", "cancel"})
_SKIP = frozenset({"0", "skip", "រំលង", "no", "ទេ"})
_KHMER_DIGITS = str.maketrans("០១២៣៤៥៦៧៨៩", "0123456789")
_COMMUNE_CODE = re.compile(r"\d{6}")

#: Candidate communes for what the sender wrote (codes, best first; empty: none).
FindPlaces = Callable[[str], tuple[str, ...]]


class Step(StrEnum):
    """What the conversation waits for."""

    KIND = "kind"
    CATEGORY = "category"
    PLACE = "place"
    PICK_PLACE = "pick_place"
    CONFIRM_PLACE = "confirm_place"
    DESCRIPTION = "description"
    PHOTO = "photo"
    ABOUT_OFFICE = "about_office"
    CONFIRM = "confirm"


@dataclass(frozen=True)
class Draft:
    """One sender's conversation so far (kept sealed, for 24 hours at most)."""

    language: Language = "km"
    step: Step = Step.KIND
    kind: FeedbackKind | None = None
    category: Category | None = None
    candidates: tuple[str, ...] = ()  # communes offered, by code
    commune_code: str | None = None
    description: str | None = None
    about_office: bool = False
    #: the channel carries photos (Telegram): a photo step follows the description
    photos: bool = False
    #: the channel's reference to the photo chosen (a Telegram file_id), sealed with the rest
    photo: str | None = None

    def to_bytes(self) -> bytes:
        """The draft as JSON bytes (to be sealed)."""
        return json.dumps(asdict(self), ensure_ascii=False).encode()

    @classmethod
    def from_bytes(cls, data: bytes) -> Draft:
        """The draft :meth:`to_bytes` wrote."""
        raw: dict[str, Any] = json.loads(data)
        return cls(
            language=raw["language"],
            step=Step(raw["step"]),
            kind=FeedbackKind(raw["kind"]) if raw["kind"] else None,
            category=Category(raw["category"]) if raw["category"] else None,
            candidates=tuple(raw["candidates"]),
            commune_code=raw["commune_code"],
            description=raw["description"],
            about_office=bool(raw["about_office"]),
            photos=bool(raw.get("photos", False)),
            photo=raw.get("photo"),
        )


@dataclass(frozen=True)
class Prompt:
    """What to say next: a reply's name (see :mod:`.replies`) and what it shows."""

    name: str
    values: dict[str, str] = field(default_factory=dict)
    #: the choices a chat can offer as buttons: (what choosing sends, reply name of label)
    choices: tuple[tuple[str, str], ...] = ()


@dataclass(frozen=True)
class Turn:
    """The outcome of one message: the draft after it, the prompt, and whether to file."""

    draft: Draft | None
    prompt: Prompt
    file: bool = False


def start(language: Language = "km", *, photos: bool = False) -> Turn:
    """A new conversation: ask what kind of feedback it is (``photos``: offer a photo step)."""
    draft = Draft(language=language, photos=photos)
    return Turn(draft, prompt_for(draft))


def answer_of(text: str) -> str:
    """A message as the dialogue reads it: trimmed, case-folded, Khmer digits as digits."""
    return " ".join(text.translate(_KHMER_DIGITS).split()).casefold()


def _number(text: str, count: int) -> int | None:
    answer = answer_of(text)
    if answer.isdigit() and 1 <= int(answer) <= count:
        return int(answer)
    return None


def _yes_no(text: str) -> bool | None:
    answer = answer_of(text)
    return True if answer in _YES else False if answer in _NO else None


def prompt_for(draft: Draft, *, again: bool = False) -> Prompt:
    """The question the draft's step asks (``again``: after an answer it did not take)."""
    yes_no = (("1", "yes"), ("2", "no"))
    prompts: dict[Step, Callable[[], Prompt]] = {
        Step.KIND: lambda: Prompt(
            "ask_kind", choices=tuple((str(i), f"kind_{k}") for i, k in enumerate(KINDS, 1))
        ),
        Step.CATEGORY: lambda: Prompt(
            "ask_category",
            choices=tuple((str(i), f"category_{c}") for i, c in enumerate(CATEGORIES, 1)),
        ),
        Step.PLACE: lambda: Prompt("place_not_found" if again else "ask_place"),
        Step.PICK_PLACE: lambda: Prompt(
            "pick_place",
            {str(i): code for i, code in enumerate(draft.candidates, 1)},
            choices=(*((str(i), "") for i in range(1, len(draft.candidates) + 1)), ("0", "none")),
        ),
        Step.CONFIRM_PLACE: lambda: Prompt(
            "confirm_place", {"commune": draft.candidates[0]}, choices=yes_no
        ),
        Step.DESCRIPTION: lambda: Prompt("ask_description"),
        Step.PHOTO: lambda: Prompt("ask_photo", choices=(("0", "skip"),)),
        Step.ABOUT_OFFICE: lambda: Prompt("ask_about_office", choices=yes_no),
        Step.CONFIRM: lambda: Prompt(
            "confirm_photo" if draft.photo else "confirm",
            {"kind": str(draft.kind), "commune": draft.commune_code or ""},
            choices=(("1", "send"), ("2", "cancel")),
        ),
    }
    return prompts[draft.step]()


def _to(draft: Draft, step: Step, **changes: Any) -> Turn:
    moved = replace(draft, step=step, **changes)
    return Turn(moved, prompt_for(moved))


def _again(draft: Draft) -> Turn:
    return Turn(draft, prompt_for(draft, again=True))


def _place(draft: Draft, text: str, find_places: FindPlaces) -> Turn:
    found = find_places(answer_of(text))[:MAX_CANDIDATES]
    if not found:
        return _again(replace(draft, step=Step.PLACE))
    if len(found) == 1:
        return _to(draft, Step.CONFIRM_PLACE, candidates=found)
    return _to(draft, Step.PICK_PLACE, candidates=found)


def _after_place(draft: Draft, commune_code: str) -> Turn:
    return _to(draft, Step.DESCRIPTION, commune_code=commune_code, candidates=())


def _after_description(draft: Draft, text: str) -> Turn:
    description = " ".join(text.split())
    if not description:
        return _again(draft)
    if draft.photos:
        return _to(draft, Step.PHOTO, description=description)
    return _after_photo(replace(draft, description=description), None)


def _after_photo(draft: Draft, photo: str | None) -> Turn:
    step = Step.ABOUT_OFFICE if draft.kind is FeedbackKind.COMPLAINT else Step.CONFIRM
    return _to(draft, step, photo=photo)


def advance(draft: Draft, text: str, find_places: FindPlaces, photo: str | None = None) -> Turn:
    """The next turn of a conversation, given the sender's message (and the channel's
    reference to a photo it carried, if any)."""
    step = draft.step
    if step is Step.PHOTO:
        if photo is not None:
            return _after_photo(draft, photo)
        return _after_photo(draft, None) if answer_of(text) in _SKIP else _again(draft)
    if step is Step.KIND:
        chosen = _number(text, len(KINDS))
        if chosen is None:
            return _again(draft)
        kind = KINDS[chosen - 1]
        if kind is FeedbackKind.COMPLAINT:
            return _to(draft, Step.CATEGORY, kind=kind)
        return _to(draft, Step.PLACE, kind=kind, category=Category.OTHER)
    if step is Step.CATEGORY:
        chosen = _number(text, len(CATEGORIES))
        if chosen is None:
            return _again(draft)
        return _to(draft, Step.PLACE, category=CATEGORIES[chosen - 1])
    if step is Step.PLACE:
        return _place(draft, text, find_places)
    if step is Step.PICK_PLACE:
        if answer_of(text) == "0":
            return _to(draft, Step.PLACE, candidates=())
        chosen = _number(text, len(draft.candidates))
        if chosen is None:
            return _place(draft, text, find_places)  # a new name instead of a number
        return _after_place(draft, draft.candidates[chosen - 1])
    if step is Step.CONFIRM_PLACE:
        sure = _yes_no(text)
        if sure is None:
            return _again(draft)
        if sure:
            return _after_place(draft, draft.candidates[0])
        return _to(draft, Step.PLACE, candidates=())
    if step is Step.DESCRIPTION:
        return _after_description(draft, text)
    sure = _yes_no(text)
    if sure is None:
        return _again(draft)
    if step is Step.ABOUT_OFFICE:
        return _to(draft, Step.CONFIRM, about_office=sure)
    if not sure:  # Step.CONFIRM
        return Turn(None, Prompt("cancelled"))
    return Turn(draft, Prompt("filing"), file=True)


def commune_code_in(text: str) -> str | None:
    """The 6-digit commune code a message is, if it is one."""
    answer = answer_of(text)
    return answer if _COMMUNE_CODE.fullmatch(answer) else None
