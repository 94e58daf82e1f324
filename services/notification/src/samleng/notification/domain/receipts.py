"""The tracking code sent once to a citizen a desk agent filed for. Pure: no I/O.

Intake seals the code for notification (``SealedReceipt``). The delivery keeps it sealed
inside its text, in a slot ``{sealed:<key id>:<ciphertext>}``; the courier opens it in
memory when it sends (:func:`written_in`), exactly as it opens the address, so the code
is never stored in clear here either.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from samleng.common.events import SealedReceipt

#: The kind of the delivery that carries a tracking code.
RECEIPT_KIND = "tracking_code_receipt"
_SLOT = re.compile(r"\{sealed:([A-Za-z0-9_.-]{1,64}):([A-Za-z0-9_=-]{1,4096})\}")


def sealed_slot(receipt: SealedReceipt) -> str:
    """Where the courier writes the code in, carrying the code still sealed."""
    return f"{{sealed:{receipt.key_id}:{receipt.ciphertext}}}"


def written_in(text: str, open_sealed: Callable[[str, str], str]) -> str:
    """The text with its sealed code opened (``open_sealed(ciphertext, key_id)``)."""
    return _SLOT.sub(lambda m: open_sealed(m.group(2), m.group(1)), text)
