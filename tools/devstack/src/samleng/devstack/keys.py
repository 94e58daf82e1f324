"""Development and test secrets, and which service gets which.

Intake hashes tracking codes, encrypts what it stores and seals contact details for
notification; notification opens sealed contacts. Both sides must hold the same sealing
key, so it is generated once and handed to each in the form its settings expect. Web
seals the officer session cookie with a key of its own.
"""

from __future__ import annotations

import base64
import json
import os
import secrets

CONTACT_KEY_ID = "dev"


def fernet_key() -> str:
    """A new Fernet key (32 random bytes, URL-safe base64)."""
    return base64.urlsafe_b64encode(os.urandom(32)).decode()


def generate() -> dict[str, str]:
    """A fresh set of every secret the stack needs."""
    return {
        "SAMLENG_TRACKING_CODE_KEY": secrets.token_urlsafe(32),
        "SAMLENG_ENCRYPTION_KEY": fernet_key(),
        "SAMLENG_CONTACT_SEALING_KEY": fernet_key(),
        "SAMLENG_SESSION_KEY": secrets.token_urlsafe(32),
    }


def for_service(service: str, generated: dict[str, str]) -> dict[str, str]:
    """The secrets one service receives, as SAMLENG_* variables."""
    if service == "intake":
        return {
            "SAMLENG_TRACKING_CODE_KEY": generated["SAMLENG_TRACKING_CODE_KEY"],
            "SAMLENG_ENCRYPTION_KEY": generated["SAMLENG_ENCRYPTION_KEY"],
            "SAMLENG_CONTACT_SEALING_KEY_ID": CONTACT_KEY_ID,
            "SAMLENG_CONTACT_SEALING_KEY": generated["SAMLENG_CONTACT_SEALING_KEY"],
        }
    if service == "notification":
        keyring = {CONTACT_KEY_ID: generated["SAMLENG_CONTACT_SEALING_KEY"]}
        return {"SAMLENG_CONTACT_SEALING_KEYS": json.dumps(keyring)}
    if service == "web":
        return {"SAMLENG_SESSION_KEY": generated["SAMLENG_SESSION_KEY"]}
    return {}
