"""Opens the contacts intake sealed: Fernet keys by id, used only at send time."""

from __future__ import annotations

import json

from cryptography.fernet import Fernet, InvalidToken

from samleng.notification.domain.delivery import SendFailed


class ContactKeyring:
    """The Fernet keys notification holds, by key id (several during a key rotation)."""

    def __init__(self, keys: dict[str, str]) -> None:
        self._keys = {key_id: Fernet(key.encode()) for key_id, key in keys.items()}

    @classmethod
    def from_json(cls, raw: str) -> ContactKeyring:
        """A keyring from ``{"key_id": "fernet key", ...}``; ValueError says what is wrong."""
        try:
            parsed = json.loads(raw or "{}")
        except json.JSONDecodeError:
            raise ValueError("SAMLENG_CONTACT_SEALING_KEYS must be a JSON object") from None
        if not isinstance(parsed, dict) or not all(
            isinstance(k, str) and isinstance(v, str) for k, v in parsed.items()
        ):
            raise ValueError('SAMLENG_CONTACT_SEALING_KEYS must look like {"key_id": "key"}')
        try:
            return cls(parsed)
        except ValueError:
            raise ValueError(
                "SAMLENG_CONTACT_SEALING_KEYS holds a key that is not a Fernet key"
            ) from None

    def __len__(self) -> int:
        return len(self._keys)

    def open(self, ciphertext: str, key_id: str) -> str:
        """The address in clear; a permanent SendFailed (without the address) otherwise."""
        fernet = self._keys.get(key_id)
        if fernet is None:
            raise SendFailed(f"no contact sealing key {key_id!r} is configured", permanent=True)
        try:
            return fernet.decrypt(ciphertext.encode()).decode()
        except (InvalidToken, UnicodeDecodeError):
            raise SendFailed("the sealed contact could not be opened", permanent=True) from None
