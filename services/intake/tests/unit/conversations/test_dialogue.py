"""The guided conversation, pure: each step, what it accepts and where it goes next."""

from __future__ import annotations

import pytest

from samleng.common.events import Category, FeedbackKind
from samleng.intake.conversations.dialogue import Draft, Step, Turn, advance, start

pytestmark = pytest.mark.unit


def places(answer: str) -> tuple[str, ...]:
    """A gazetteer of two names (one clear commune, one shared by three) and any code."""
    if answer.isdigit():
        return (answer,)
    return {"chub ta trav": ("170201",), "samraong": ("010101", "020202", "030303")}.get(answer, ())


def walk(*messages: str) -> Turn:
    turn = start()
    for message in messages:
        assert turn.draft is not None
        turn = advance(turn.draft, message, places)
    return turn


def test_a_complaint_walks_every_step_and_is_ready_to_file() -> None:
    turn = walk("1", "7", "Chub Ta Trav", "1", "ទារលុយ ៥០០០០ រៀល", "1", "1")
    assert turn.file and turn.draft is not None
    assert turn.draft == Draft(
        step=Step.CONFIRM,
        kind=FeedbackKind.COMPLAINT,
        category=Category.CORRUPTION,
        commune_code="170201",
        description="ទារលុយ ៥០០០០ រៀល",
        about_office=True,
    )


def test_khmer_digits_and_words_answer_like_numbers() -> None:
    turn = walk("១", "៨", "170201", "បាទ", "late", "ទេ")
    assert turn.draft is not None and turn.draft.step is Step.CONFIRM
    assert turn.draft.category is Category.OTHER and not turn.draft.about_office


def test_a_request_skips_the_category_and_the_office_question() -> None:
    turn = walk("3", "Chub Ta Trav", "1", "When is the office open?")
    assert turn.draft is not None and turn.draft.step is Step.CONFIRM
    assert turn.draft.kind is FeedbackKind.REQUEST_FOR_INFORMATION
    assert turn.draft.category is Category.OTHER


def test_a_shared_name_offers_its_communes_and_a_number_picks_one() -> None:
    turn = walk("1", "1", "Samraong")
    assert turn.draft is not None and turn.draft.step is Step.PICK_PLACE
    assert turn.prompt.values == {"1": "010101", "2": "020202", "3": "030303"}
    picked = advance(turn.draft, "2", places)
    assert picked.draft is not None and picked.draft.commune_code == "020202"
    assert picked.draft.step is Step.DESCRIPTION


def test_an_unknown_place_is_asked_again_and_no_goes_back_to_the_place() -> None:
    unknown = walk("1", "1", "Atlantis")
    assert unknown.prompt.name == "place_not_found"
    refused = walk("1", "1", "Chub Ta Trav", "2")
    assert refused.draft is not None and refused.draft.step is Step.PLACE


def test_an_answer_that_is_no_choice_asks_again_without_moving() -> None:
    turn = walk("9")
    assert turn.draft == Draft() and turn.prompt.name == "ask_kind"


def test_cancel_at_the_end_ends_the_conversation() -> None:
    turn = walk("4", "170201", "1", "More buses", "2")
    assert turn.draft is None and turn.prompt.name == "cancelled" and not turn.file


def test_a_draft_survives_sealing_as_bytes() -> None:
    draft = walk("1", "2", "Chub Ta Trav").draft
    assert draft is not None
    assert Draft.from_bytes(draft.to_bytes()) == draft


def test_a_chat_offers_a_photo_after_the_description_and_confirms_with_it() -> None:
    turn = start(photos=True)
    for message in ("1", "7", "Chub Ta Trav", "1", "ទារលុយ"):
        assert turn.draft is not None
        turn = advance(turn.draft, message, places)
    assert turn.draft is not None and turn.draft.step is Step.PHOTO
    assert turn.prompt.name == "ask_photo" and turn.prompt.choices == (("0", "skip"),)
    assert advance(turn.draft, "hello", places).draft == turn.draft  # asked again
    with_photo = advance(turn.draft, "", places, photo="file-id-1")
    assert with_photo.draft is not None and with_photo.draft.photo == "file-id-1"
    assert with_photo.draft.step is Step.ABOUT_OFFICE
    assert with_photo.draft == Draft.from_bytes(with_photo.draft.to_bytes())
    ready = advance(with_photo.draft, "2", places)
    assert ready.prompt.name == "confirm_photo"
    assert advance(ready.draft or Draft(), "1", places).file
    skipped = advance(turn.draft, "រំលង", places)
    assert skipped.draft is not None and skipped.draft.photo is None
    assert skipped.draft.step is Step.ABOUT_OFFICE


def test_sms_has_no_photo_step_and_a_photo_elsewhere_moves_nothing() -> None:
    turn = walk("1", "7", "Chub Ta Trav", "1", "ទារលុយ")
    assert turn.draft is not None and turn.draft.step is Step.ABOUT_OFFICE
    assert (
        Draft.from_bytes(
            b'{"language": "km", "step": "kind", "kind": null, '
            b'"category": null, "candidates": [], "commune_code": null, '
            b'"description": null, "about_office": false}'
        )
        == Draft()
    )
    asking_place = walk("1", "7")
    assert asking_place.draft is not None
    assert advance(asking_place.draft, "", places, photo="x").draft == asking_place.draft
