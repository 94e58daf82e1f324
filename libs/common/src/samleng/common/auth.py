"""Officer authentication: OpenID Connect bearer tokens (JWT) verified against a JWKS.

Production points at a real identity provider (Keycloak, ...) by configuration only::

    SAMLENG_OIDC_ISSUER=https://id.example.gov.kh/realms/samleng
    SAMLENG_OIDC_AUDIENCE=samleng
    SAMLENG_OIDC_JWKS_URL=https://id.example.gov.kh/realms/samleng/protocol/openid-connect/certs

Local runs and tests use the dev issuer of ``samleng.devstack`` (a key pair in ``.local``,
its public JWKS given as ``SAMLENG_OIDC_JWKS_FILE``). Who someone is, and where they work,
comes from claims: ``sub`` (a pseudonymous id), ``samleng_roles`` (or Keycloak's
``realm_access.roles``) and ``samleng_offices`` (office ids, e.g. ``commune:170201``).

    verifier = TokenVerifier.from_settings(settings)
    principal = await verifier.verify(token)       # InvalidToken says why not
"""

from __future__ import annotations

import asyncio
import json
import time
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path
from typing import Any

import httpx
import jwt
from jwt import PyJWK

ALLOWED_ALGORITHMS = ("RS256", "ES256", "PS256", "EdDSA")
JWKS_REFRESH_SECONDS = 300.0
MIN_REFRESH_INTERVAL_SECONDS = 10.0


class Role(StrEnum):
    """What a signed-in user may do; see docs/officers.md (weakest first)."""

    DESK_AGENT = "desk_agent"  # files for citizens at a desk; reads no case (docs/channels.md)
    PARTNER_EXPERT = "partner_expert"  # civil society: reads cases in scope, adds partner notes
    OFFICER = "officer"
    OFFICE_HEAD = "office_head"
    OMBUDSMAN = "ombudsman"
    MINISTRY_LIAISON = "ministry_liaison"
    NATIONAL_ANALYST = "national_analyst"
    ADMIN = "admin"


@dataclass(frozen=True)
class Principal:
    """A verified user: pseudonymous subject, roles and the offices they belong to."""

    subject: str
    roles: frozenset[Role]
    offices: frozenset[str]
    #: desk ids (``counter:district:1702``) a desk agent files at, from ``samleng_desks``
    desks: frozenset[str] = frozenset()

    def has(self, *roles: Role) -> bool:
        """True if the user holds any of these roles."""
        return bool(self.roles.intersection(roles))

    def primary_role(self) -> Role:
        """The most powerful role held, for audit entries and events."""
        for role in reversed(list(Role)):
            if role in self.roles:
                return role
        raise InvalidToken("the token grants no Samleng role")


class InvalidToken(Exception):
    """The bearer token cannot be accepted; the message says why (safe to show)."""


class JwksSource:
    """Signing keys from a JWKS URL (cached, refreshed on an unknown key id) or a file."""

    def __init__(self, *, url: str = "", path: str = "", document: str = "") -> None:
        if not (url or path or document):
            raise ValueError("a JWKS URL, file or document is required to verify tokens")
        self._url, self._path, self._document = url, path, document
        self._keys: dict[str, PyJWK] = {}
        self._loaded_at = 0.0
        self._lock = asyncio.Lock()

    async def key(self, kid: str | None) -> PyJWK:
        """The key with this id (or the only key, for a token without ``kid``)."""
        stale = time.monotonic() - self._loaded_at > JWKS_REFRESH_SECONDS
        if stale or (kid not in self._keys and self._may_refresh()):
            await self._load()
        if kid is None and len(self._keys) == 1:
            return next(iter(self._keys.values()))
        if kid is None or kid not in self._keys:
            raise InvalidToken("the token was signed with an unknown key")
        return self._keys[kid]

    def _may_refresh(self) -> bool:
        return time.monotonic() - self._loaded_at > MIN_REFRESH_INTERVAL_SECONDS

    async def _load(self) -> None:
        async with self._lock:
            document = await self._fetch()
            keys: dict[str, PyJWK] = {}
            for raw in document.get("keys", []):
                if raw.get("use", "sig") != "sig":
                    continue
                keys[str(raw.get("kid"))] = PyJWK.from_dict(raw)
            self._keys = keys
            self._loaded_at = time.monotonic()

    async def _fetch(self) -> dict[str, Any]:
        if self._document:
            return dict(json.loads(self._document))
        if self._path:
            text = await asyncio.to_thread(Path(self._path).read_text, encoding="utf-8")
            return dict(json.loads(text))
        async with httpx.AsyncClient(timeout=10.0) as client:
            response = await client.get(self._url)
            response.raise_for_status()
            return dict(response.json())


#: The longest sign-in a token may carry (exp - iat): one working day and a margin.
MAX_TOKEN_LIFETIME_SECONDS = 12 * 3600


class TokenVerifier:
    """Checks signature, issuer, audience, expiry and not-before; maps claims to roles."""

    def __init__(
        self,
        keys: JwksSource,
        *,
        issuer: str,
        audience: str,
        leeway_seconds: int = 30,
        max_lifetime_seconds: int = MAX_TOKEN_LIFETIME_SECONDS,
    ) -> None:
        if not issuer or not audience:
            raise ValueError("an OIDC issuer and audience are required to verify tokens")
        self._keys = keys
        self._issuer = issuer
        self._audience = audience
        self._leeway = leeway_seconds
        self._max_lifetime = max_lifetime_seconds

    @classmethod
    def from_settings(cls, settings: Any) -> TokenVerifier:
        """Build from ``SAMLENG_OIDC_*`` settings (see ServiceSettings)."""
        keys = JwksSource(
            url=settings.oidc_jwks_url,
            path=settings.oidc_jwks_file,
            document=settings.oidc_jwks,
        )
        return cls(
            keys,
            issuer=settings.oidc_issuer,
            audience=settings.oidc_audience,
            max_lifetime_seconds=settings.oidc_max_token_lifetime_seconds,
        )

    async def verify(self, token: str) -> Principal:
        """The principal a valid token names; InvalidToken otherwise."""
        try:
            header = jwt.get_unverified_header(token)
        except jwt.PyJWTError:
            raise InvalidToken("the bearer token is not a JWT") from None
        if header.get("alg") not in ALLOWED_ALGORITHMS:
            raise InvalidToken("the token's signing algorithm is not accepted")
        key = await self._keys.key(header.get("kid"))
        try:
            claims = jwt.decode(
                token,
                key=key,
                algorithms=list(ALLOWED_ALGORITHMS),
                audience=self._audience,
                issuer=self._issuer,
                leeway=self._leeway,
                options={"require": ["exp", "iat", "sub", "iss", "aud"]},
            )
        except jwt.ExpiredSignatureError:
            raise InvalidToken("the token has expired") from None
        except jwt.InvalidAudienceError:
            raise InvalidToken("the token is not meant for this service (audience)") from None
        except jwt.InvalidIssuerError:
            raise InvalidToken("the token comes from an unknown issuer") from None
        except jwt.InvalidSignatureError:
            raise InvalidToken("the token's signature is not valid") from None
        except jwt.PyJWTError as exc:
            raise InvalidToken(f"the token is not valid: {exc}") from None
        lifetime = _seconds(claims["exp"]) - _seconds(claims["iat"])
        if lifetime > self._max_lifetime:
            # a stolen long-lived token would open every case of the office for years
            raise InvalidToken(
                f"the token lives {lifetime} s; at most {self._max_lifetime} s is accepted"
            )
        return principal_from_claims(claims)


def _seconds(value: Any) -> int:
    try:
        return int(value)
    except (TypeError, ValueError):
        raise InvalidToken("the token's exp and iat must be numbers") from None


def principal_from_claims(claims: dict[str, Any]) -> Principal:
    """Map verified claims to a Principal; roles outside Samleng's are ignored."""
    raw_roles = claims.get("samleng_roles")
    if raw_roles is None:
        raw_roles = (claims.get("realm_access") or {}).get("roles", [])
    known = {role.value for role in Role}
    roles = frozenset(Role(r) for r in raw_roles if isinstance(r, str) and r in known)
    offices = frozenset(o for o in claims.get("samleng_offices", []) if isinstance(o, str))
    desks = frozenset(d for d in claims.get("samleng_desks", []) if isinstance(d, str))
    if not roles:
        raise InvalidToken("the token grants no Samleng role")
    return Principal(subject=str(claims["sub"]), roles=roles, offices=offices, desks=desks)
