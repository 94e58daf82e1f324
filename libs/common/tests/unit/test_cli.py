"""The shared service command line: help without configuration, one-line errors."""

from __future__ import annotations

import pytest
from pydantic import SecretStr

from samleng.common.cli import ExtraCommand, ServiceParts, service_main, without_password
from samleng.common.settings import ServiceSettings

pytestmark = pytest.mark.unit


class _DemoSettings(ServiceSettings):
    service_name: str = "demo"
    demo_key: SecretStr = SecretStr("")

    def model_post_init(self, context: object) -> None:
        self.require_secret("demo_key", self.demo_key)


def _never(*args: object) -> None:
    raise AssertionError("nothing may run")


def _parts() -> ServiceParts:
    return ServiceParts(_DemoSettings, _never, _never)  # type: ignore[arg-type]


def _run(argv: list[str]) -> int:
    return service_main("demo", _parts, argv=argv)


def test_help_needs_no_configuration_and_runs_nothing(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("SAMLENG_DEMO_KEY", raising=False)
    with pytest.raises(SystemExit) as ended:
        _run(["--help"])
    assert ended.value.code == 0
    assert "python -m samleng.demo" in capsys.readouterr().out


def test_bad_configuration_is_one_line_naming_the_variable(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SAMLENG_ENVIRONMENT", "production")
    monkeypatch.setenv("SAMLENG_DEMO_KEY", "a" * 40)
    assert _run(["serve"]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "Traceback" not in err
    assert "SAMLENG_DEMO_KEY is too predictable" in err


def test_an_unreachable_broker_is_named_with_its_address_but_no_password(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SAMLENG_ENVIRONMENT", "test")
    monkeypatch.setenv("SAMLENG_DEMO_KEY", "k")
    monkeypatch.setenv("SAMLENG_AMQP_URL", "amqp://guest:s3cret@127.0.0.1:1/")
    assert _run(["serve"]) == 1
    err = capsys.readouterr().err
    assert "broker unreachable at amqp://guest:***@127.0.0.1:1/" in err
    assert "check SAMLENG_AMQP_URL" in err and "s3cret" not in err


def test_passwords_are_hidden_in_printed_urls() -> None:
    assert without_password("mongodb://u:p@h:1/?x=1") == "mongodb://u:***@h:1/?x=1"
    assert without_password("amqp://h:5672/") == "amqp://h:5672/"


def test_a_services_own_command_gets_the_rest_of_the_line_and_no_settings(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.delenv("SAMLENG_DEMO_KEY", raising=False)
    seen: list[list[str]] = []

    def directory(argv: list[str]) -> int:
        seen.append(argv)
        return 7

    commands = {"directory": ExtraCommand(lambda: directory, "the office directory")}
    assert service_main("demo", _parts, commands=commands, argv=["directory", "list"]) == 7
    assert seen == [["list"]]
