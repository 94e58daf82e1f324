"""Tracking codes as people type and read them, and the ids that may go into API paths.

compact("7k3m q9tx-2hbd w4ne r")  # "7K3MQ9TX2HBDW4NER" (intake checks the check character)
groups("7K3M-Q9TX-2HBD-W4NE-R")   # ["7K3M", "Q9TX", "2HBD", "W4NE", "R"]
"""

from __future__ import annotations

import re

#: Crockford base-32 plus the look-alikes intake accepts (O for 0, I and L for 1).
_CODE_CHARS = re.compile(r"^[0-9A-Z]{10,40}$")
_SEPARATORS = re.compile(r"[\s\-‐-―_.]+")
_ID = re.compile(r"^[A-Za-z0-9_-]{1,64}$")
_OFFICE = re.compile(r"^[A-Za-z0-9:._-]{1,64}$")
GROUP = 4


def compact(raw: str) -> str | None:
    """The code without separators, upper case; None if it cannot be a code at all."""
    value = _SEPARATORS.sub("", raw or "").upper()
    return value if _CODE_CHARS.match(value) else None


def groups(code: str) -> list[str]:
    """The code in groups of four, for reading aloud and writing down."""
    value = _SEPARATORS.sub("", code).upper()
    return [value[i : i + GROUP] for i in range(0, len(value), GROUP)]


def safe_id(value: str) -> bool:
    """True for a case, attachment or event id that may be put into an API path."""
    return bool(_ID.match(value))


def safe_office(value: str) -> bool:
    """True for an office id (``commune:170201``) that may be put into an API path."""
    return bool(_OFFICE.match(value))
