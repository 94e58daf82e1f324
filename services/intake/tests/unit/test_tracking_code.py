import itertools

import pytest

from samleng.intake.domain.tracking import (
    ALPHABET,
    InvalidTrackingCode,
    TrackingCode,
    TrackingCodeHasher,
)

pytestmark = pytest.mark.unit


def test_generated_code_is_grouped_and_round_trips() -> None:
    code = TrackingCode.generate()
    text = str(code)
    assert len(text) == 21 and text.count("-") == 4
    assert TrackingCode.parse(text) == code


def test_reading_is_forgiving_of_case_spaces_and_lookalikes() -> None:
    code = TrackingCode("0123456789ABCDEF")
    sloppy = str(code).lower().replace("-", " ").replace("0", "o").replace("1", "l")
    assert TrackingCode.parse(sloppy) == code


def test_codes_are_random_enough() -> None:
    codes = {TrackingCode.generate().body for _ in range(2000)}
    assert len(codes) == 2000
    # each character of the alphabet shows up in every position over many codes
    for position in range(16):
        assert len({c[position] for c in codes}) == len(ALPHABET)


def test_every_single_mistyped_character_is_caught() -> None:
    code = TrackingCode.generate()
    text = code.body + code.check
    for i, wrong in itertools.product(range(len(text)), ALPHABET):
        if wrong == text[i]:
            continue
        typo = text[:i] + wrong + text[i + 1 :]
        with pytest.raises(InvalidTrackingCode):
            TrackingCode.parse(typo)


def test_swapped_neighbours_are_caught() -> None:
    code = TrackingCode.generate()
    text = code.body + code.check
    for i in range(len(text) - 1):
        if text[i] == text[i + 1]:
            continue
        swapped = text[:i] + text[i + 1] + text[i] + text[i + 2 :]
        # Luhn mod N misses only the swap of the two symbols whose values sum to N-1
        if {text[i], text[i + 1]} == {ALPHABET[0], ALPHABET[-1]}:
            continue
        with pytest.raises(InvalidTrackingCode):
            TrackingCode.parse(swapped)


@pytest.mark.parametrize(
    ("text", "message"),
    [("ABC", "17 characters"), ("UUUU-UUUU-UUUU-UUUU-U", "cannot contain U")],
)
def test_malformed_codes_say_what_is_wrong(text: str, message: str) -> None:
    with pytest.raises(InvalidTrackingCode, match=message):
        TrackingCode.parse(text)


def test_hash_is_keyed_and_stable() -> None:
    code = TrackingCode.generate()
    a, b = TrackingCodeHasher(b"key-a"), TrackingCodeHasher(b"key-b")
    assert a.hash(code) == a.hash(TrackingCode.parse(str(code)))
    assert a.hash(code) != b.hash(code)
    assert code.body not in a.hash(code)
