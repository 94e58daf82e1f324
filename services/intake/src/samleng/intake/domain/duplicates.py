"""Likely duplicates of a case among its office's open cases. Pure: no I/O.

Khmer is written without spaces between words, so texts are compared as sets of
character 3-grams over a normalised form (:func:`matching_form`): NFC, case folded, Khmer
digits as ASCII, zero-width spaces, punctuation and Latin accents gone. Latin words are
also reduced to a consonant skeleton (``Vat Phnum`` and ``Wat Phnom`` both give ``wt pnm``)
so two romanisations of one place name match. The similarity of two texts is the mean of
their Dice coefficient and their containment (a short report inside a longer one)::

    found = likely_duplicates(case, open_cases_of_the_office, rule, now)
    found[0].score, found[0].reasons_en    # 0.71, ("same service", "same commune", ...)

Only cases of the same office, service (its category when no service is named) and
commune, submitted within the rule's window, are scored; the adapter's query already
selects them (an indexed query of the office's open cases), and :func:`comparable` says so
again here so the rule lives in one place.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import lru_cache

from samleng.common.events import OPEN
from samleng.intake.domain.model import Case

__all__ = [
    "Candidate",
    "DuplicateRule",
    "comparable",
    "likely_duplicates",
    "matching_form",
    "text_similarity",
]

#: The threshold measured on the labelled set (docs/channels.md, "## Duplicates").
DEFAULT_THRESHOLD = 0.35
DEFAULT_WINDOW_DAYS = 30
#: At most this many candidates are kept for one case, best first.
MAX_CANDIDATES = 5

_KHMER_DIGITS = str.maketrans("០១២៣៤៥៦៧៨៩", "0123456789")
_INVISIBLE = dict.fromkeys(map(ord, "\u200b\u200c\u200d\u2060\ufeff\u17b4\u17b5"))
_LATIN_WORD = re.compile(r"[a-z]+")
_VOWELS = re.compile(r"[aeiouy]+")


@dataclass(frozen=True)
class DuplicateRule:
    """When two cases are likely one problem: the window, and the text score needed."""

    threshold: float = DEFAULT_THRESHOLD
    window_days: int = DEFAULT_WINDOW_DAYS

    @property
    def window(self) -> timedelta:
        """How far apart two submissions may be."""
        return timedelta(days=self.window_days)


@dataclass(frozen=True)
class Candidate:
    """An open case that is likely the same problem, with its score and why."""

    complaint_id: str
    score: float
    same_service: bool  # False: the same category (neither case names a service)
    days_apart: int
    submitted_at: datetime

    @property
    def reasons_en(self) -> tuple[str, ...]:
        """Why it matched, in English."""
        what = "same service" if self.same_service else "same category"
        days = max(self.days_apart, 1)
        return (
            what,
            "same commune",
            f"submitted within {days} day{'s' if days > 1 else ''}",
            f"text similarity {self.score:.2f}",
        )

    @property
    def reasons_km(self) -> tuple[str, ...]:
        """Why it matched, in Khmer."""
        what = "សេវាដូចគ្នា" if self.same_service else "ប្រភេទដូចគ្នា"
        return (
            what,
            "ឃុំ/សង្កាត់ដូចគ្នា",
            f"បានដាក់ក្នុងរយៈពេល {max(self.days_apart, 1)} ថ្ងៃ",
            f"អត្ថបទស្រដៀងគ្នា {self.score:.2f}",
        )


def _fold_latin(ch: str) -> str:
    if ord(ch) < 0x250:  # Latin only: Khmer vowel signs are combining marks too
        return "".join(c for c in unicodedata.normalize("NFKD", ch) if not unicodedata.combining(c))
    return ch


def matching_form(text: str) -> str:
    """The text as it is compared: folded, without punctuation or invisible characters."""
    folded = unicodedata.normalize("NFC", text).casefold().translate(_INVISIBLE)
    folded = "".join(_fold_latin(ch) for ch in folded.translate(_KHMER_DIGITS))
    kept = (ch if unicodedata.category(ch)[0] in "LMN" else " " for ch in folded)
    return " ".join("".join(kept).split())


@lru_cache(maxsize=4096)
def _matching(text: str) -> str:
    return matching_form(text)


def _skeleton(word: str) -> str:
    """A Latin word without its vowels (but the first letter), ``v`` as ``w``."""
    word = word.replace("v", "w").replace("h", "")
    return word[:1] + _VOWELS.sub("", word[1:])


@lru_cache(maxsize=4096)  # a new case is scored against many: its grams are made once
def _grams(form: str) -> frozenset[str]:
    padded = f" {form} "
    grams = {padded[i : i + 3] for i in range(len(padded) - 2)}
    skeleton = " ".join(_skeleton(w) for w in _LATIN_WORD.findall(form))
    padded = f" {skeleton} "
    grams |= {"~" + padded[i : i + 3] for i in range(len(padded) - 2)} if skeleton else set()
    return frozenset(grams)


def text_similarity(a: str, b: str) -> float:
    """How alike two texts are, from 0 to 1 (the mean of n-gram Dice and containment)."""
    ga, gb = _grams(_matching(a)), _grams(_matching(b))
    if not ga or not gb:
        return 0.0
    shared = len(ga & gb)
    dice = 2 * shared / (len(ga) + len(gb))
    containment = shared / min(len(ga), len(gb))
    return (dice + containment) / 2


def _service(case: Case) -> str:
    sub = case.submission
    return sub.service_code or f"category:{sub.category.value}"


def comparable(case: Case, other: Case, rule: DuplicateRule) -> bool:
    """Whether ``other`` may be a duplicate of ``case`` at all: another open, unlinked case
    of the same office, service and commune, submitted within the window."""
    return (
        other.complaint_id != case.complaint_id
        and other.status in OPEN
        and other.linked_to is None
        and case.office is not None
        and other.office is not None
        and other.office.office_id == case.office.office_id
        and _service(other) == _service(case)
        and other.submission.location.commune_code == case.submission.location.commune_code
        and abs(other.submitted_at - case.submitted_at) <= rule.window
    )


def likely_duplicates(case: Case, others: list[Case], rule: DuplicateRule) -> tuple[Candidate, ...]:
    """The comparable cases whose text scores at least the threshold, best first."""
    found = []
    for other in others:
        if not comparable(case, other, rule):
            continue
        score = text_similarity(case.submission.description, other.submission.description)
        if score >= rule.threshold:
            found.append(
                Candidate(
                    complaint_id=other.complaint_id,
                    score=round(score, 3),
                    same_service=case.submission.service_code is not None,
                    days_apart=abs((case.submitted_at - other.submitted_at).days),
                    submitted_at=other.submitted_at,
                )
            )
    found.sort(key=lambda c: (-c.score, c.submitted_at))
    return tuple(found[:MAX_CANDIDATES])
