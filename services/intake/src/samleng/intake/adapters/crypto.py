"""Encryption at rest and sealing for notification, from keys in configuration.

``SAMLENG_ENCRYPTION_KEY`` is treated as an opaque secret string: :func:`derive_key`
stretches it with HKDF-SHA-256 into one independent 256-bit key per purpose, so the
same secret never encrypts two kinds of data and no key format is imposed on operators.
:class:`SealedBox` is AES-256-GCM with a random nonce and the record's id as associated
data (a ciphertext copied onto another record does not open). :class:`ContactSealer`
seals a contact for notification with the shared Fernet key it names by id.
"""

from __future__ import annotations

import hashlib
import hmac
import os

from cryptography.fernet import Fernet
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from samleng.common.events import SealedContact, SealedReceipt

_SALT = b"samleng-intake-v1"
_NONCE_BYTES = 12


def derive_key(secret: str, purpose: str) -> bytes:
    """A 256-bit key for one purpose, derived from the configured secret with HKDF."""
    if not secret:
        raise ValueError("the encryption secret must not be empty")
    hkdf = HKDF(algorithm=hashes.SHA256(), length=32, salt=_SALT, info=purpose.encode())
    return hkdf.derive(secret.encode())


class SealedBox:
    """AES-256-GCM encryption of small records, bound to the record they belong to."""

    def __init__(self, key: bytes) -> None:
        self._aead = AESGCM(key)

    def seal(self, plaintext: bytes, record_id: str) -> bytes:
        """Nonce followed by ciphertext and tag."""
        nonce = os.urandom(_NONCE_BYTES)
        return nonce + self._aead.encrypt(nonce, plaintext, record_id.encode())

    def open(self, sealed: bytes, record_id: str) -> bytes:
        """The plaintext; raises if the data was altered or belongs to another record."""
        return self._aead.decrypt(sealed[:_NONCE_BYTES], sealed[_NONCE_BYTES:], record_id.encode())


class Fingerprint:
    """Keyed hash for looking things up without storing them (e.g. idempotency keys)."""

    def __init__(self, key: bytes) -> None:
        self._key = key

    def of(self, data: bytes) -> str:
        """Hex HMAC-SHA-256 of the data."""
        return hmac.new(self._key, data, hashlib.sha256).hexdigest()


class ContactSealer:
    """Seals a citizen's contact for notification, the only service that can open it."""

    def __init__(self, key_id: str, fernet_key: str) -> None:
        if not key_id or not fernet_key:
            raise ValueError("a contact sealing key id and key are required")
        self._key_id = key_id
        self._fernet = Fernet(fernet_key.encode())

    def seal(self, channel: str, address: str) -> SealedContact:
        """The contact as an event may carry it."""
        token = self._fernet.encrypt(address.encode()).decode()
        return SealedContact.model_validate(
            {"channel": channel, "ciphertext": token, "key_id": self._key_id}
        )

    def seal_receipt(self, code: str, contact: int) -> SealedReceipt:
        """A tracking code sealed for notification to send to contact number ``contact``."""
        token = self._fernet.encrypt(code.encode()).decode()
        return SealedReceipt(contact=contact, ciphertext=token, key_id=self._key_id)
