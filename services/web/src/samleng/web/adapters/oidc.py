"""OpenID Connect sign-in for officers: authorization code flow with PKCE (RFC 7636).

    start = oidc.begin(redirect_uri)            # SignInStart: where to send the browser,
                                                # and the state/nonce/verifier to keep
    session = await oidc.finish(code, kept, redirect_uri)   # SignInFailed says why not

The issuer's endpoints come from its discovery document; the access token is checked
exactly as intake checks it (``samleng.common.auth``), and the ID token's audience and
nonce bind the answer to this sign-in.
"""

from __future__ import annotations

import base64
import hashlib
import secrets
import time
import urllib.parse
from dataclasses import dataclass
from typing import Any

import httpx
import jwt

from samleng.common.auth import ALLOWED_ALGORITHMS, InvalidToken, JwksSource, TokenVerifier
from samleng.web.adapters.session import OfficerSession
from samleng.web.settings import WebSettings


class SignInFailed(Exception):
    """The sign-in could not be completed; the message is safe to show."""


@dataclass(frozen=True)
class SignInStart:
    """Where to send the browser, and what to keep until it comes back."""

    url: str
    state: str
    nonce: str
    verifier: str


def pkce_challenge(verifier: str) -> str:
    """The S256 code challenge of a verifier."""
    digest = hashlib.sha256(verifier.encode("ascii")).digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode("ascii")


class OidcClient:
    """A public (or confidential) OIDC client of the configured issuer."""

    def __init__(self, settings: WebSettings, http: httpx.AsyncClient) -> None:
        self._settings = settings
        self._http = http
        self._metadata: dict[str, Any] | None = None
        self._verifier: TokenVerifier | None = None
        self._keys: JwksSource | None = None

    async def metadata(self) -> dict[str, Any]:
        """The issuer's discovery document (read once)."""
        if self._metadata is None:
            try:
                response = await self._http.get(self._settings.discovery_url)
                response.raise_for_status()
            except httpx.HTTPError:
                raise SignInFailed("the identity provider cannot be reached") from None
            self._metadata = dict(response.json())
        return self._metadata

    async def _token_verifier(self) -> tuple[TokenVerifier, JwksSource]:
        if self._verifier is None or self._keys is None:
            settings = self._settings
            jwks_url = settings.oidc_jwks_url
            if not (jwks_url or settings.oidc_jwks_file or settings.oidc_jwks):
                jwks_url = str((await self.metadata()).get("jwks_uri", ""))
            self._keys = JwksSource(
                url=jwks_url, path=settings.oidc_jwks_file, document=settings.oidc_jwks
            )
            self._verifier = TokenVerifier(
                self._keys, issuer=settings.oidc_issuer, audience=settings.oidc_audience
            )
        return self._verifier, self._keys

    async def begin(self, redirect_uri: str) -> SignInStart:
        """A fresh state, nonce and PKCE verifier, and the authorization URL they go into."""
        endpoint = str((await self.metadata())["authorization_endpoint"])
        state, nonce = secrets.token_urlsafe(24), secrets.token_urlsafe(24)
        verifier = secrets.token_urlsafe(48)
        query = urllib.parse.urlencode(
            {
                "response_type": "code",
                "client_id": self._settings.oidc_client_id,
                "redirect_uri": redirect_uri,
                "scope": "openid",
                "state": state,
                "nonce": nonce,
                "code_challenge": pkce_challenge(verifier),
                "code_challenge_method": "S256",
            }
        )
        return SignInStart(f"{endpoint}?{query}", state, nonce, verifier)

    async def finish(
        self, code: str, nonce: str, verifier: str, redirect_uri: str
    ) -> OfficerSession:
        """Exchange the code (with the verifier) and check the tokens; the new session."""
        endpoint = str((await self.metadata())["token_endpoint"])
        form = {
            "grant_type": "authorization_code",
            "code": code,
            "redirect_uri": redirect_uri,
            "client_id": self._settings.oidc_client_id,
            "code_verifier": verifier,
        }
        secret = self._settings.oidc_client_secret.get_secret_value()
        if secret:
            form["client_secret"] = secret
        try:
            response = await self._http.post(endpoint, data=form)
        except httpx.HTTPError:
            raise SignInFailed("the identity provider cannot be reached") from None
        if response.status_code != 200:
            raise SignInFailed("the identity provider refused the sign-in code")
        tokens = response.json()
        access = str(tokens.get("access_token", ""))
        verifier_, keys = await self._token_verifier()
        try:
            principal = await verifier_.verify(access)
            await self._check_id_token(str(tokens.get("id_token", "")), nonce, keys)
        except InvalidToken as error:
            raise SignInFailed(str(error)) from None
        lifetime = float(tokens.get("expires_in") or 300)
        return OfficerSession(
            subject=principal.subject,
            roles=tuple(sorted(role.value for role in principal.roles)),
            offices=tuple(sorted(principal.offices)),
            desks=tuple(sorted(principal.desks)),
            access_token=access,
            expires_at=time.time() + min(lifetime, self._settings.session_hours * 3600),
            csrf=secrets.token_urlsafe(24),
        )

    async def _check_id_token(self, id_token: str, nonce: str, keys: JwksSource) -> None:
        if not id_token:
            raise InvalidToken("the identity provider sent no ID token")
        try:
            header = jwt.get_unverified_header(id_token)
            key = await keys.key(header.get("kid"))
            claims = jwt.decode(
                id_token,
                key=key,
                algorithms=list(ALLOWED_ALGORITHMS),
                audience=self._settings.oidc_client_id,
                issuer=self._settings.oidc_issuer,
                leeway=30,
            )
        except jwt.PyJWTError:
            raise InvalidToken("the ID token is not valid for this client") from None
        if not secrets.compare_digest(str(claims.get("nonce", "")), nonce):
            raise InvalidToken("the ID token answers another sign-in (nonce)")

    async def sign_out_url(self, after: str) -> str | None:
        """The issuer's end-session URL that returns to ``after``, if it has one."""
        try:
            endpoint = (await self.metadata()).get("end_session_endpoint")
        except SignInFailed:
            return None
        if not endpoint:
            return None
        query = urllib.parse.urlencode(
            {"post_logout_redirect_uri": after, "client_id": self._settings.oidc_client_id}
        )
        return f"{endpoint}?{query}"
