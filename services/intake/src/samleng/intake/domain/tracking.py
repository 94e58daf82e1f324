"""Tracking codes: the only thing that links an anonymous citizen to their case.

A code is 16 random Crockford base-32 characters (80 bits) plus one Luhn mod-32 check
character, grouped for reading aloud: ``7K3M-Q9TX-2HBD-W4NE-R``. The check character
catches any single mistyped character and most swapped neighbours before a lookup is
spent. Crockford's alphabet has no I, L, O or U, and reading is forgiving: lower case,
spaces and dashes are ignored, ``O`` reads as ``0`` and ``I``/``L`` as ``1``.

Codes are never stored: :class:`TrackingCodeHasher` turns one into a keyed hash
(HMAC-SHA-256), so a copy of the database does not reveal them.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass

ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
BODY_LENGTH = 16  # 16 x 5 bits = 80 bits of randomness
GROUP = 4
_VALUE = {ch: i for i, ch in enumerate(ALPHABET)}
_READ_AS = {"O": "0", "I": "1", "L": "1"}


class InvalidTrackingCode(ValueError):
    """The text is not a well-formed tracking code (wrong length, character or check)."""


def _check_character(body: str) -> str:
    """Luhn mod N over the Crockford alphabet (N = 32)."""
    total, factor, n = 0, 2, len(ALPHABET)
    for ch in reversed(body):
        addend = factor * _VALUE[ch]
        factor = 1 if factor == 2 else 2
        total += addend // n + addend % n
    return ALPHABET[(n - total % n) % n]


@dataclass(frozen=True)
class TrackingCode:
    """A well-formed tracking code: 16 body characters and the check character."""

    body: str

    @classmethod
    def generate(cls) -> TrackingCode:
        """A new random code from the operating system's CSPRNG."""
        return cls("".join(secrets.choice(ALPHABET) for _ in range(BODY_LENGTH)))

    @classmethod
    def parse(cls, text: str) -> TrackingCode:
        """Read a code as a person typed it; InvalidTrackingCode says what is wrong."""
        chars = [_READ_AS.get(c, c) for c in text.upper() if c not in " -\t"]
        if len(chars) != BODY_LENGTH + 1:
            raise InvalidTrackingCode(
                f"a tracking code has {BODY_LENGTH + 1} characters (dashes and spaces aside); "
                f"this one has {len(chars)}"
            )
        bad = sorted({c for c in chars if c not in _VALUE})
        if bad:
            raise InvalidTrackingCode(f"a tracking code cannot contain {', '.join(bad)}")
        body, check = "".join(chars[:-1]), chars[-1]
        if _check_character(body) != check:
            raise InvalidTrackingCode("the check character does not match: a character is mistyped")
        return cls(body)

    @property
    def check(self) -> str:
        """The check character."""
        return _check_character(self.body)

    def __str__(self) -> str:
        groups = [self.body[i : i + GROUP] for i in range(0, BODY_LENGTH, GROUP)]
        return "-".join([*groups, self.check])


class TrackingCodeHasher:
    """Keyed hash of a tracking code, the only form in which codes are stored."""

    def __init__(self, key: bytes) -> None:
        if not key:
            raise ValueError("the tracking-code key must not be empty")
        self._key = key

    def hash(self, code: TrackingCode) -> str:
        """Hex HMAC-SHA-256 of the code's canonical body."""
        return hmac.new(self._key, code.body.encode(), hashlib.sha256).hexdigest()
