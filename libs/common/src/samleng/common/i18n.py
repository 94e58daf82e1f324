"""Khmer and English for every text a person reads: which one, and how numbers and dates look.

    language_of("en-GB;q=0.3, km;q=0.9")       # "km": the higher q wins
    language_of(None)                           # "km": Khmer unless English is preferred
    number(1234, "km")                          # "១,២៣៤" (Khmer digits)
    month_year(date(2026, 12, 1), "km")         # "ធ្នូ ២០២៦"
    day(date(2026, 12, 6), "en")                # "6 December 2026"

Negotiation follows RFC 9110: each language range may carry a q-value, ``q=0`` means "not
this one", ``*`` stands for any language, and a region (``en-US``) matches its language.
Khmer is the default: most citizens read Khmer only. Formatting uses CLDR data through
Babel; CLDR's Khmer locale writes Latin digits, so Khmer digits (០-៩) are put in for
Khmer readers, as Cambodian public documents write them.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Literal, cast

from babel.dates import format_date
from babel.numbers import format_decimal, format_percent

Language = Literal["km", "en"]
SUPPORTED: tuple[Language, ...] = ("km", "en")
DEFAULT: Language = "km"
_LOCALES = {"km": "km_KH", "en": "en_GB"}


def _quality(parameters: list[str]) -> float:
    for parameter in parameters:
        name, _, value = parameter.strip().partition("=")
        if name.strip().lower() == "q":
            try:
                return max(0.0, min(1.0, float(value)))
            except ValueError:
                return 0.0  # a malformed q-value is not a preference
    return 1.0


def language_of(accept_language: str | None) -> Language:
    """The supported language the client prefers most (Khmer when it names neither)."""
    best: tuple[float, int, Language] | None = None
    refused: set[str] = set()
    wildcard = 0.0
    for position, part in enumerate((accept_language or "")[:500].split(",")):
        tag, *parameters = part.split(";")
        primary = tag.strip().lower().split("-")[0]
        quality = _quality(parameters)
        if primary == "*":
            wildcard = quality
            continue
        if primary not in SUPPORTED:
            continue
        if quality == 0:
            refused.add(primary)
            continue
        candidate = (quality, -position, cast(Language, primary))
        if best is None or candidate > best:
            best = candidate
    if best is not None:
        return best[2]
    if wildcard > 0:
        return next((lang for lang in SUPPORTED if lang not in refused), DEFAULT)
    return (
        DEFAULT
        if DEFAULT not in refused
        else next((lang for lang in SUPPORTED if lang not in refused), DEFAULT)
    )


def number(value: int | float, language: Language) -> str:
    """A number as a reader of ``language`` writes it (Khmer digits for Khmer)."""
    return _digits(format_decimal(value, locale=_LOCALES[language]), language)


def percent(share: float, language: Language) -> str:
    """A share (0.42) as a percentage in the reader's digits."""
    return _digits(format_percent(share, locale=_LOCALES[language]), language)


def digits(text: str, language: Language) -> str:
    """``text`` with its Latin digits as a reader of ``language`` writes them (a year, a code)."""
    return _digits(text, language)


def _digits(text: str, language: Language) -> str:
    if language != "km":
        return text
    return text.translate(str.maketrans("0123456789", "០១២៣៤៥៦៧៨៩"))


def day(value: date | datetime, language: Language) -> str:
    """A calendar day, e.g. "6 December 2026" or "៦ ធ្នូ ២០២៦"."""
    return _digits(format_date(value, format="d MMMM y", locale=_LOCALES[language]), language)


def month_year(value: date | datetime, language: Language) -> str:
    """A month of a year, e.g. "December 2026" or "ធ្នូ ២០២៦"."""
    return _digits(format_date(value, format="MMMM y", locale=_LOCALES[language]), language)


def month_name(month: int, language: Language) -> str:
    """The name of a month (1-12) in the reader's language."""
    return format_date(date(2000, month, 1), format="MMMM", locale=_LOCALES[language])


def short_month(month: int, language: Language) -> str:
    """A month's short name for a chart's axis ("Dec"; Khmer names are short already)."""
    return format_date(date(2000, month, 1), format="MMM", locale=_LOCALES[language])
