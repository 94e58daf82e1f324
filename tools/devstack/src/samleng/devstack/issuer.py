"""A small OpenID Connect issuer for local runs and tests: a key pair and signed tokens.

The private key stays in ``.local/dev-issuer/`` (or in memory for a test session); the
services get only its public JWKS (``SAMLENG_OIDC_JWKS_FILE``). Production uses a real
identity provider instead, by configuration only.

    python -m samleng.devstack token --role officer --office commune:170201
"""

from __future__ import annotations

import json
import time
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import jwt
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from jwt.algorithms import RSAAlgorithm

ISSUER = "https://dev-issuer.samleng.local"
AUDIENCE = "samleng"


@dataclass(frozen=True)
class DevIssuer:
    """Signs tokens with one RSA key; publishes its public half as a JWKS."""

    private_key: rsa.RSAPrivateKey
    kid: str

    @classmethod
    def generate(cls) -> DevIssuer:
        """A fresh key pair."""
        key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        return cls(key, uuid.uuid4().hex[:12])

    @classmethod
    def load_or_create(cls, folder: Path) -> DevIssuer:
        """The issuer kept in ``folder`` (created on first use); writes ``jwks.json``."""
        folder.mkdir(parents=True, exist_ok=True)
        pem, kid_file = folder / "key.pem", folder / "kid"
        if pem.is_file() and kid_file.is_file():
            loaded = serialization.load_pem_private_key(pem.read_bytes(), password=None)
            assert isinstance(loaded, rsa.RSAPrivateKey)
            issuer = cls(loaded, kid_file.read_text().strip())
        else:
            issuer = cls.generate()
            pem.write_bytes(
                issuer.private_key.private_bytes(
                    serialization.Encoding.PEM,
                    serialization.PrivateFormat.PKCS8,
                    serialization.NoEncryption(),
                )
            )
            pem.chmod(0o600)
            kid_file.write_text(issuer.kid)
        (folder / "jwks.json").write_text(issuer.jwks_json())
        return issuer

    def jwks(self) -> dict[str, Any]:
        """The public JWKS document."""
        public = json.loads(RSAAlgorithm.to_jwk(self.private_key.public_key()))
        public.update({"kid": self.kid, "use": "sig", "alg": "RS256"})
        return {"keys": [public]}

    def jwks_json(self) -> str:
        """The JWKS as JSON text."""
        return json.dumps(self.jwks())

    def token(
        self,
        subject: str,
        roles: list[str],
        offices: list[str] | None = None,
        *,
        lifetime_seconds: int = 3600,
        audience: str = AUDIENCE,
        issuer: str = ISSUER,
        **claims: Any,
    ) -> str:
        """A signed access token for a user with these roles and offices."""
        now = int(time.time())
        payload = {
            "iss": issuer,
            "aud": audience,
            "sub": subject,
            "iat": now,
            "nbf": now,
            "exp": now + lifetime_seconds,
            "samleng_roles": roles,
            "samleng_offices": offices or [],
            **claims,
        }
        return jwt.encode(payload, self.private_key, algorithm="RS256", headers={"kid": self.kid})

    def settings_env(self) -> dict[str, str]:
        """The SAMLENG_OIDC_* variables that make a service trust this issuer (inline JWKS)."""
        return {
            "SAMLENG_OIDC_ISSUER": ISSUER,
            "SAMLENG_OIDC_AUDIENCE": AUDIENCE,
            "SAMLENG_OIDC_JWKS": self.jwks_json(),
        }

    @staticmethod
    def settings_env_for_file(jwks_file: Path) -> dict[str, str]:
        """The SAMLENG_OIDC_* variables pointing a service at a JWKS file."""
        return {
            "SAMLENG_OIDC_ISSUER": ISSUER,
            "SAMLENG_OIDC_AUDIENCE": AUDIENCE,
            "SAMLENG_OIDC_JWKS_FILE": str(jwks_file),
        }
