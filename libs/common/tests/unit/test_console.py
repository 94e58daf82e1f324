import pytest

from samleng.common.console import main

pytestmark = pytest.mark.unit


def test_unknown_commands_are_refused(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["teleport"]) == 2
    assert "unknown command" in capsys.readouterr().out


def test_a_shortcut_reaches_its_service(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["audit", "--help"]) == 0
    assert "verify" in capsys.readouterr().out


def test_a_service_command_runs_that_service(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["routing", "directory", "--help"]) == 0
    assert "activate" in capsys.readouterr().out
