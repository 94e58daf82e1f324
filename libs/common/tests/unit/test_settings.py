import pytest
from pydantic import SecretStr

from samleng.common.settings import Environment, ServiceSettings

pytestmark = pytest.mark.unit


def test_production_refuses_short_and_placeholder_secrets() -> None:
    production = ServiceSettings(environment=Environment.PRODUCTION)
    with pytest.raises(ValueError, match="must be set"):
        production.require_secret("admin_token", SecretStr(""))
    with pytest.raises(ValueError, match="at least 32"):
        production.require_secret("admin_token", SecretStr("short"))
    with pytest.raises(ValueError, match="placeholder"):
        production.require_secret("admin_token", SecretStr("change-me-at-least-32-characters-long"))
    production.require_secret("admin_token", SecretStr("x" * 40))


def test_development_accepts_any_non_empty_secret() -> None:
    ServiceSettings(environment=Environment.DEVELOPMENT).require_secret(
        "admin_token", SecretStr("change-me")
    )
