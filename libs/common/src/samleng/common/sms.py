"""How many SMS segments a text takes. Pure: no I/O.

Texts that fit the GSM 03.38 alphabet travel 7-bit (160 characters, 153 per part when
split); anything else, Khmer included, travels UCS-2 (70 UTF-16 units, 67 per part).
Gateways bill per segment, and a Khmer message cut in the wrong place arrives garbled,
so the count is computed here and sent along with the text.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

_GSM_BASIC = frozenset(
    "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?"
    "¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà"
)
_GSM_EXTENDED = frozenset("^{}\\[~]|€\f")


@dataclass(frozen=True)
class SmsSize:
    """The encoding a text needs, its length in that encoding's units, and its segments."""

    encoding: Literal["GSM-7", "UCS-2"]
    units: int
    segments: int


def sms_size(text: str) -> SmsSize:
    """The encoding and number of segments of an SMS text."""
    encoding: Literal["GSM-7", "UCS-2"]
    if all(ch in _GSM_BASIC or ch in _GSM_EXTENDED for ch in text):
        units = sum(2 if ch in _GSM_EXTENDED else 1 for ch in text)
        single, part, encoding = 160, 153, "GSM-7"
    else:
        units = len(text.encode("utf-16-le")) // 2
        single, part, encoding = 70, 67, "UCS-2"
    segments = 1 if units <= single else -(-units // part)
    return SmsSize(encoding=encoding, units=units, segments=segments)
