"""What the bot shows: a reply's inline keyboard, and the province -> district -> commune
pickers (callback data ``p:<province>``, ``d:<district>``; a commune sends its code to
the conversation). Pure, over the gazetteer."""

from __future__ import annotations

from typing import Any

from samleng.common.events.values import Language
from samleng.intake.adapters.gazetteer import places_within
from samleng.intake.conversations.dialogue import Prompt
from samleng.intake.conversations.replies import label, text

Keyboard = dict[str, Any]
#: Buttons a row, by what they show.
_WIDE, _NARROW = 1, 2


def _rows(buttons: list[dict[str, str]], width: int) -> list[list[dict[str, str]]]:
    return [buttons[i : i + width] for i in range(0, len(buttons), width)]


def for_prompt(prompt: Prompt | None, language: Language) -> Keyboard | None:
    """The inline keyboard of a prompt: its choices, or the provinces when it asks a place."""
    if prompt is None:
        return None
    if prompt.name in ("ask_place", "place_not_found"):
        return places("", language)
    if not prompt.choices:
        return None
    buttons = [
        {"text": label(prompt, name, value, language), "callback_data": value}
        for value, name in prompt.choices
    ]
    return {"inline_keyboard": _rows(buttons, _WIDE if len(buttons) > 4 else _NARROW)}


def places(parent: str, language: Language) -> Keyboard:
    """Buttons of the provinces (no parent), a province's districts or a district's communes."""
    areas = places_within(parent or None) or []
    prefix = {0: "p:", 2: "d:", 4: ""}[len(parent)]
    pick = 1 if language == "km" else 2
    buttons = [{"text": area[pick], "callback_data": f"{prefix}{area[0]}"} for area in areas]
    return {"inline_keyboard": _rows(buttons, _NARROW)}


def place_question(parent: str, language: Language) -> str:
    """What the picker asks at a level."""
    if not parent:
        return text("ask_place", language)
    return {"km": "ជ្រើសរើស៖", "en": "Choose:"}[language]
