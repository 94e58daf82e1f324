"""A citizen's consent to messages, and the daily cap per address. Pure: no I/O.

Anyone can type someone else's number into a complaint form. So a contact gets nothing
about a case until its holder has said yes: the first message to a contact is a
**confirmation request** that says nothing of any case (not even that a complaint
exists), carrying a short code; status messages go only to contacts whose holder typed
that code in (``POST /v1/contact-confirmations``). The code reaches only the address, so
no one else can confirm for its holder. And whatever the number of cases that list an
address, it gets at most ``cap`` messages a day.

Every secret here is a keyed hash under the deployment's ``CONTACT_INDEX_KEY``:

- a confirmation code is derived from (case, contact), so planning twice makes the same
  code, and it is never stored: the delivery keeps a slot the courier fills at send time,
  and the confirmation store keeps only the code's keyed hash;
- the daily counter of an address is keyed by a hash of (day, channel, address): counters
  of two days, or of two addresses, cannot be linked without the key, and they expire.
"""

from __future__ import annotations

import hashlib
import hmac
from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta

#: The kind of a confirmation request delivery.
CONFIRMATION_KIND = "contact_confirmation"
#: Where the courier writes the code into a confirmation request, at send time.
CODE_SLOT = "{confirmation_code}"
#: Crockford's base32: no I, L, O or U, so a code read aloud or typed is hard to get wrong.
ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
CODE_LENGTH = 10  # 50 bits: guessing one of the codes outstanding is impractical
_READ_AS = str.maketrans("OIL០១២៣៤៥៦៧៨៩", "0110123456789")


def parse_code(text: str) -> str | None:
    """The code a citizen typed, in its canonical form (None if it cannot be one).

    Case, spaces and hyphens do not matter; O reads as 0, I and L as 1; Khmer digits
    are digits.
    """
    code = "".join(text.upper().split()).replace("-", "").translate(_READ_AS)
    if len(code) != CODE_LENGTH or any(c not in ALPHABET for c in code):
        return None
    return code


def shown(code: str) -> str:
    """A code as the message shows it: two groups of five."""
    return f"{code[:5]}-{code[5:]}"


def citizen_recipient(complaint_id: str, index: int) -> str:
    """How deliveries name a case's contact number ``index``."""
    return f"citizen:{complaint_id}:{index}"


def contact_of(recipient: str) -> tuple[str, int] | None:
    """(complaint id, contact index) of a citizen recipient; None for anyone else."""
    kind, _, rest = recipient.partition(":")
    complaint_id, _, index = rest.rpartition(":")
    if kind != "citizen" or not index.isdigit():
        return None
    return complaint_id, int(index)


def same_address(channel: str, address: str) -> tuple[str, str]:
    """What makes two contacts the same: @Sok and @sok are one user, one mailbox."""
    return channel, address.strip() if channel == "sms" else address.strip().casefold()


@dataclass(frozen=True)
class ContactIndex:
    """Keyed hashes of addresses and confirmation codes (HMAC-SHA256 under one key)."""

    key: bytes

    def _mac(self, *parts: str) -> bytes:
        return hmac.new(self.key, "\x1f".join(parts).encode(), hashlib.sha256).digest()

    def code_for(self, complaint_id: str, index: int) -> str:
        """The confirmation code of a case's contact (the same every time it is asked)."""
        number = int.from_bytes(self._mac("code", complaint_id, str(index))[:8], "big")
        number >>= 64 - 5 * CODE_LENGTH
        chars = [ALPHABET[(number >> (5 * i)) & 31] for i in reversed(range(CODE_LENGTH))]
        return "".join(chars)

    def code_key(self, code: str) -> str:
        """How the confirmation store finds a code without keeping it."""
        return self._mac("code-key", code).hex()

    def daily_key(self, day: str, channel: str, address: str) -> str:
        """The counter of one address on one day."""
        return self._mac("day", day, *same_address(channel, address)).hex()

    def stop_key(self, channel: str, address: str) -> str:
        """How the list of addresses that sent STOP knows one, without holding it."""
        return self._mac("stop", *same_address(channel, address)).hex()

    def token(self, delivery_id: str) -> str:
        """A delivery as the daily counter knows it (the id names the case; this does not)."""
        return self._mac("delivery", delivery_id).hex()[:32]


@dataclass(frozen=True)
class ConsentPolicy:
    """The deployment's key, cap and code lifetime."""

    index: ContactIndex
    daily_cap: int = 5  # messages per citizen address per day, across all cases
    code_days: int = 14  # how long a confirmation code can be used

    def code_expiry(self, now: datetime) -> datetime:
        """When codes sent now stop working."""
        return now + timedelta(days=self.code_days)

    def counter(self, now: datetime, channel: str, address: str) -> tuple[str, datetime]:
        """The counter an address's message counts against now, and when it expires
        (the day after its (UTC) day ends)."""
        start = datetime.combine(now.date(), time(), tzinfo=UTC)
        return self.index.daily_key(now.date().isoformat(), channel, address), start + timedelta(
            days=2
        )
