"""A small OpenID Connect issuer for local runs and tests: a key pair and signed tokens.

The private key stays in ``.local/dev-issuer/`` (or in memory for a test session); the
services get only its public JWKS (``SAMLENG_OIDC_JWKS_FILE``). Production uses a real
identity provider instead, by configuration only.

    python -m samleng.devstack token --role officer --office commune:170201
"""

from __future__ import annotations

import base64
import hashlib
import html
import json
import secrets
import threading
import time
import urllib.parse
import uuid
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
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


# --- the authorization-code flow (with PKCE) for the web console's sign-in ------------

#: Who the dev sign-in page offers by default (an officer of a pilot commune office).
DEFAULT_SUBJECT = "dev-officer"
DEFAULT_OFFICE = "commune:170201"
ROLES = (
    "officer",
    "office_head",
    "ombudsman",
    "ministry_liaison",
    "national_analyst",
    "partner_expert",
    "admin",
    "desk_agent",
)
#: The dev stack's civil-society partner: reviews every case of Siem Reap province.
PARTNER_SUBJECT = "partner-expert-dev"
PARTNER_SCOPE = "province:17"
CODE_LIFETIME_SECONDS = 120


@dataclass(frozen=True)
class Grant:
    """An authorization code's promise: to whom, for which client, under which challenge."""

    client_id: str
    redirect_uri: str
    challenge: str
    nonce: str
    subject: str
    roles: tuple[str, ...]
    offices: tuple[str, ...]
    expires_at: float
    desks: tuple[str, ...] = ()


def s256(verifier: str) -> str:
    """The PKCE S256 challenge of a code verifier (RFC 7636)."""
    digest = hashlib.sha256(verifier.encode("ascii")).digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode("ascii")


class AuthorizationServer:
    """The dev issuer's OpenID endpoints: discovery, JWKS, authorize, token, logout.

        server = AuthorizationServer(DevIssuer.generate(), "http://127.0.0.1:8009")
        server.start(port=8009)   # a daemon thread; server.stop() ends it

    ``/authorize`` shows a sign-in form where a developer picks a subject, roles and an
    office (there are no passwords: it is never shipped). ``/token`` checks the code's
    client, redirect URI and PKCE verifier, once, and answers an access token that the
    services accept (issuer and audience as ``DevIssuer.token``) and an ID token for the
    client with the request's nonce.
    """

    def __init__(self, issuer: DevIssuer, base_url: str) -> None:
        self.issuer = issuer
        self.base_url = base_url.rstrip("/")
        self._grants: dict[str, Grant] = {}
        self._lock = threading.Lock()
        self._server: ThreadingHTTPServer | None = None

    def metadata(self) -> dict[str, Any]:
        """The OpenID Provider configuration document."""
        return {
            "issuer": ISSUER,
            "authorization_endpoint": f"{self.base_url}/authorize",
            "token_endpoint": f"{self.base_url}/token",
            "jwks_uri": f"{self.base_url}/jwks",
            "end_session_endpoint": f"{self.base_url}/logout",
            "response_types_supported": ["code"],
            "grant_types_supported": ["authorization_code"],
            "code_challenge_methods_supported": ["S256"],
            "subject_types_supported": ["public"],
            "id_token_signing_alg_values_supported": ["RS256"],
            "token_endpoint_auth_methods_supported": ["none", "client_secret_post"],
        }

    def grant(self, params: dict[str, str]) -> str:
        """Record a signed-in developer's grant; return the one-time authorization code."""
        code = secrets.token_urlsafe(24)
        roles = tuple(r for r in params.get("roles", "").split() if r in ROLES) or ("officer",)
        offices = tuple(params.get("offices", "").split())
        desks = tuple(params.get("desks", "").split())
        with self._lock:
            self._grants[code] = Grant(
                client_id=params["client_id"],
                redirect_uri=params["redirect_uri"],
                challenge=params["code_challenge"],
                nonce=params.get("nonce", ""),
                subject=params.get("subject") or DEFAULT_SUBJECT,
                roles=roles,
                offices=offices,
                expires_at=time.time() + CODE_LIFETIME_SECONDS,
                desks=desks,
            )
        return code

    def exchange(self, form: dict[str, str]) -> tuple[int, dict[str, Any]]:
        """The token endpoint: (HTTP status, JSON body) for an authorization_code grant."""
        if form.get("grant_type") != "authorization_code":
            return 400, {"error": "unsupported_grant_type"}
        with self._lock:
            grant = self._grants.pop(form.get("code", ""), None)  # a code works once
        if grant is None or grant.expires_at < time.time():
            return 400, {"error": "invalid_grant", "error_description": "unknown or used code"}
        if (
            form.get("client_id") != grant.client_id
            or form.get("redirect_uri") != grant.redirect_uri
        ):
            return 400, {"error": "invalid_grant", "error_description": "client or redirect"}
        if s256(form.get("code_verifier", "")) != grant.challenge:
            return 400, {"error": "invalid_grant", "error_description": "PKCE verification failed"}
        lifetime = 3600
        desks: dict[str, Any] = {"samleng_desks": list(grant.desks)} if grant.desks else {}
        access = self.issuer.token(
            grant.subject,
            list(grant.roles),
            list(grant.offices),
            lifetime_seconds=lifetime,
            **desks,
        )
        id_token = self.issuer.token(
            grant.subject,
            list(grant.roles),
            list(grant.offices),
            lifetime_seconds=lifetime,
            audience=grant.client_id,
            nonce=grant.nonce,
            **desks,
        )
        return 200, {
            "access_token": access,
            "id_token": id_token,
            "token_type": "Bearer",
            "expires_in": lifetime,
        }

    def sign_in_page(self, params: dict[str, str]) -> str:
        """The developer's sign-in form (no password: pick who you are)."""
        hidden = "".join(
            f'<input type="hidden" name="{html.escape(k)}" value="{html.escape(v)}">'
            for k, v in params.items()
            if k in ("client_id", "redirect_uri", "state", "nonce", "code_challenge")
        )
        options = "".join(f'<option value="{r}">{r}</option>' for r in ROLES)
        return (
            '<!doctype html><html lang="en"><head><meta charset="utf-8">'
            '<meta name="viewport" content="width=device-width,initial-scale=1">'
            "<title>Dev sign-in</title></head><body><main><h1>Samleng dev identity provider</h1>"
            "<p>Development only: choose who you are. No password.</p>"
            f'<form method="post" action="/authorize">{hidden}'
            '<p><label for="subject">Subject</label> '
            f'<input id="subject" name="subject" value="{DEFAULT_SUBJECT}"></p>'
            '<p><label for="roles">Role</label> '
            f'<select id="roles" name="roles">{options}</select></p>'
            '<p><label for="offices">Offices (space separated)</label> '
            f'<input id="offices" name="offices" value="{DEFAULT_OFFICE}"></p>'
            '<p><label for="desks">Desks of a desk agent (space separated, e.g. '
            "counter:district:1702)</label> "
            '<input id="desks" name="desks" value=""></p>'
            '<p><button type="submit">Sign in</button></p></form>'
            f'<form method="post" action="/authorize">{hidden}'
            "<h2>Partner expert (civil society)</h2>"
            "<p>Reads every case of Siem Reap province and adds partner notes; acts on none.</p>"
            f'<input type="hidden" name="subject" value="{PARTNER_SUBJECT}">'
            '<input type="hidden" name="roles" value="partner_expert">'
            f'<input type="hidden" name="offices" value="{PARTNER_SCOPE}">'
            '<p><button type="submit">Sign in as the partner expert</button></p></form>'
            "</main></body></html>"
        )

    def start(self, port: int, host: str = "127.0.0.1") -> int:
        """Serve on ``host:port`` (0 picks a port) in a daemon thread; return the port."""
        self._server = ThreadingHTTPServer((host, port), _handler(self))
        threading.Thread(target=self._server.serve_forever, daemon=True).start()
        return int(self._server.server_address[1])

    def serve_forever(self, port: int, host: str = "127.0.0.1") -> None:
        """Serve in the calling thread until interrupted."""
        self._server = ThreadingHTTPServer((host, port), _handler(self))
        try:
            self._server.serve_forever()
        finally:
            self._server.server_close()

    def stop(self) -> None:
        """Stop serving."""
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()


def _handler(server: AuthorizationServer) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def _send(self, status: int, body: str, content_type: str, **headers: str) -> None:
            data = body.encode("utf-8")
            self.send_response(status)
            self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(data)))
            self.send_header("Cache-Control", "no-store")
            for name, value in headers.items():
                self.send_header(name.replace("_", "-"), value)
            self.end_headers()
            self.wfile.write(data)

        def _json(self, status: int, body: Any) -> None:
            self._send(status, json.dumps(body), "application/json")

        def _form(self) -> dict[str, str]:
            length = int(self.headers.get("Content-Length") or 0)
            parsed = urllib.parse.parse_qs(self.rfile.read(length).decode("utf-8"))
            return {key: values[0] for key, values in parsed.items()}

        def do_GET(self) -> None:
            url = urllib.parse.urlsplit(self.path)
            query = {k: v[0] for k, v in urllib.parse.parse_qs(url.query).items()}
            if url.path == "/.well-known/openid-configuration":
                self._json(200, server.metadata())
            elif url.path == "/jwks":
                self._json(200, server.issuer.jwks())
            elif url.path in ("/healthz", "/readyz"):
                self._json(200, {"status": "ok"})
            elif url.path == "/authorize":
                missing = [
                    k
                    for k in ("client_id", "redirect_uri", "state", "code_challenge")
                    if not query.get(k)
                ]
                if query.get("response_type") != "code" or missing:
                    self._send(400, f"bad request: response_type=code and {missing}", "text/plain")
                elif query.get("code_challenge_method") != "S256":
                    self._send(400, "bad request: code_challenge_method must be S256", "text/plain")
                else:
                    self._send(200, server.sign_in_page(query), "text/html; charset=utf-8")
            elif url.path == "/logout":
                target = query.get("post_logout_redirect_uri", "")
                if target.startswith(("http://", "https://")):
                    self._send(303, "", "text/plain", Location=target)
                else:
                    self._send(200, "signed out", "text/plain")
            else:
                self._send(404, "not found", "text/plain")

        def do_POST(self) -> None:
            form = self._form()
            if self.path == "/token":
                status, body = server.exchange(form)
                self._json(status, body)
            elif self.path == "/authorize" and form.get("redirect_uri", "").startswith("http"):
                code = server.grant(form)
                query = urllib.parse.urlencode({"code": code, "state": form.get("state", "")})
                self._send(303, "", "text/plain", Location=f"{form['redirect_uri']}?{query}")
            else:
                self._send(400, "bad request", "text/plain")

        def log_message(self, format: str, *args: Any) -> None:  # quiet: no client addresses
            return

    return Handler
