import secrets

import pytest
from pydantic import SecretStr

from samleng.common.settings import Environment, ServiceSettings, estimated_bits

pytestmark = pytest.mark.unit


def test_production_refuses_short_and_placeholder_secrets() -> None:
    production = ServiceSettings(environment=Environment.PRODUCTION)
    with pytest.raises(ValueError, match="must be set"):
        production.require_secret("admin_token", SecretStr(""))
    with pytest.raises(ValueError, match="at least 32"):
        production.require_secret("admin_token", SecretStr("short"))
    with pytest.raises(ValueError, match="placeholder"):
        production.require_secret("admin_token", SecretStr("change-me-at-least-32-characters-long"))
    production.require_secret("admin_token", SecretStr(secrets.token_urlsafe(32)))


def test_production_refuses_predictable_secrets() -> None:
    production = ServiceSettings(environment=Environment.PRODUCTION)
    for weak in ("a" * 32, "ab" * 20, "abcd" * 10):
        with pytest.raises(ValueError, match="too predictable"):
            production.require_secret("admin_token", SecretStr(weak))
    assert estimated_bits(secrets.token_urlsafe(32)) > 128


class _Keys(ServiceSettings):
    first_key: SecretStr = SecretStr("")
    second_key: SecretStr = SecretStr("")


def test_production_refuses_one_secret_for_two_keys() -> None:
    shared = secrets.token_urlsafe(32)
    with pytest.raises(ValueError, match="SAMLENG_SECOND_KEY and SAMLENG_FIRST_KEY hold the same"):
        _Keys(environment=Environment.PRODUCTION, first_key=shared, second_key=shared)
    _Keys(environment=Environment.DEVELOPMENT, first_key=shared, second_key=shared)
    _Keys(
        environment=Environment.PRODUCTION,
        first_key=shared,
        second_key=secrets.token_urlsafe(32),
    )


def test_development_accepts_any_non_empty_secret() -> None:
    ServiceSettings(environment=Environment.DEVELOPMENT).require_secret(
        "admin_token", SecretStr("change-me")
    )
