"""The officer's session and the sign-in's transient state, sealed in cookies.

    sealer = CookieSealer(settings.session_key.get_secret_value())
    value = sealer.seal({"sub": ...})          # Fernet: AES-128-CBC + HMAC-SHA256, timestamped
    sealer.open(value, max_age_seconds=3600)   # None if forged, altered or too old

The key is derived with HKDF from ``SAMLENG_SESSION_KEY`` per purpose, so the sign-in
cookie can never be replayed as a session and vice versa. Citizens never get a cookie.
"""

from __future__ import annotations

import base64
import json
from dataclasses import dataclass
from typing import Any

from cryptography.fernet import Fernet, InvalidToken
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

SESSION_COOKIE = "samleng_officer"
SIGN_IN_COOKIE = "samleng_sign_in"


def _fernet(secret: str, purpose: str) -> Fernet:
    key = HKDF(
        algorithm=hashes.SHA256(), length=32, salt=None, info=f"samleng-web/{purpose}".encode()
    ).derive(secret.encode("utf-8"))
    return Fernet(base64.urlsafe_b64encode(key))


class CookieSealer:
    """Encrypts and authenticates small JSON documents for one purpose."""

    def __init__(self, secret: str, purpose: str) -> None:
        self._fernet = _fernet(secret, purpose)

    def seal(self, data: dict[str, Any]) -> str:
        """The encrypted, timestamped cookie value."""
        return self._fernet.encrypt(json.dumps(data).encode("utf-8")).decode("ascii")

    def open(self, value: str | None, max_age_seconds: int) -> dict[str, Any] | None:
        """The document, or None if the value is missing, forged, altered or too old."""
        if not value:
            return None
        try:
            raw = self._fernet.decrypt(value.encode("ascii"), ttl=max_age_seconds)
        except (InvalidToken, ValueError, UnicodeEncodeError):
            return None
        found = json.loads(raw)
        return found if isinstance(found, dict) else None


@dataclass(frozen=True)
class OfficerSession:
    """Who is signed in, their access token for intake, and the form token (CSRF)."""

    subject: str
    roles: tuple[str, ...]
    offices: tuple[str, ...]
    access_token: str
    expires_at: float
    csrf: str
    desks: tuple[str, ...] = ()  # a desk agent's desks (``counter:district:1702``)

    def to_dict(self) -> dict[str, Any]:
        """The cookie document."""
        return {
            "sub": self.subject,
            "roles": list(self.roles),
            "offices": list(self.offices),
            "token": self.access_token,
            "exp": self.expires_at,
            "csrf": self.csrf,
            "desks": list(self.desks),
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> OfficerSession:
        """Read a cookie document."""
        return cls(
            subject=str(data["sub"]),
            roles=tuple(data.get("roles", ())),
            offices=tuple(data.get("offices", ())),
            access_token=str(data["token"]),
            expires_at=float(data["exp"]),
            csrf=str(data["csrf"]),
            desks=tuple(data.get("desks", ())),
        )

    def has(self, *roles: str) -> bool:
        """True if the officer holds any of these roles."""
        return bool(set(self.roles).intersection(roles))
