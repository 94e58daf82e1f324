"""Settings of the web front end (``SAMLENG_`` environment variables).

The web service holds no case data and has no broker or database of its own: it is a
client of intake's HTTP API (and of notification's feed), exactly as a mobile app is.
The AMQP and MongoDB settings it inherits from the shared base are never used.

    SAMLENG_INTAKE_URL=http://intake:8000
    SAMLENG_NOTIFICATION_URL=http://notification:8002
    SAMLENG_PUBLIC_URL=https://samleng.example.gov.kh       # where browsers reach this service
    SAMLENG_SESSION_KEY=<32+ random characters>             # encrypts the officer session cookie
    SAMLENG_OIDC_ISSUER=https://id.example.gov.kh/realms/samleng
    SAMLENG_OIDC_CLIENT_ID=samleng-web
    SAMLENG_OIDC_JWKS_URL=https://id.example.gov.kh/realms/samleng/protocol/openid-connect/certs
"""

from __future__ import annotations

from typing import Self

from pydantic import Field, SecretStr, model_validator

from samleng.common.settings import Environment, ServiceSettings


class WebSettings(ServiceSettings):
    """Where intake and notification are, how officers sign in, how the session is sealed."""

    service_name: str = "web"
    http_port: int = Field(default=8004, ge=1, le=65535)
    intake_url: str = "http://127.0.0.1:8000"
    notification_url: str = "http://127.0.0.1:8002"
    reporting_url: str = Field(
        default="http://127.0.0.1:8003", description="The public dashboard, linked from pages"
    )
    public_url: str = Field(default="", description="Base URL browsers use; default host:port")
    api_timeout_seconds: float = Field(default=10.0, gt=0)
    session_key: SecretStr = SecretStr("")
    session_hours: float = Field(default=8.0, gt=0, le=24)
    oidc_client_id: str = "samleng-web"
    oidc_client_secret: SecretStr = SecretStr("")
    oidc_discovery_url: str = Field(
        default="", description="Default: the issuer's /.well-known/openid-configuration"
    )
    cookie_secure: bool | None = Field(
        default=None, description="Secure cookies; default on in production (HTTPS)"
    )

    @model_validator(mode="after")
    def _complete(self) -> Self:
        if not self.public_url:
            object.__setattr__(self, "public_url", f"http://{self.http_host}:{self.http_port}")
        object.__setattr__(self, "public_url", self.public_url.rstrip("/"))
        if self.cookie_secure is None:
            object.__setattr__(self, "cookie_secure", self.environment is Environment.PRODUCTION)
        if self.is_production:
            self.require_secret("session_key", self.session_key)
        return self

    @property
    def officers_enabled(self) -> bool:
        """True when an issuer and a session key are configured (the console can sign in)."""
        return bool(self.oidc_issuer and self.session_key.get_secret_value())

    @property
    def discovery_url(self) -> str:
        """Where the issuer's OpenID configuration is read."""
        if self.oidc_discovery_url:
            return self.oidc_discovery_url
        return self.oidc_issuer.rstrip("/") + "/.well-known/openid-configuration"
