"""Reporting's command line: arguments are parsed before settings are read, and the
destructive rebuild runs only when confirmed (``--yes`` or the typed word)."""

from __future__ import annotations

import sys
from typing import Any

import pytest

import samleng.reporting.entrypoints.cli as command_line
from samleng.reporting.settings import ReportingSettings

pytestmark = pytest.mark.unit


@pytest.fixture
def calls(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Records what the command line would have built or run, instead of doing it."""
    done: list[str] = []

    def settings(settings_type: Any) -> ReportingSettings:
        done.append("settings")
        return ReportingSettings(environment="test")

    async def rebuild(settings: Any) -> int:
        done.append("rebuild")
        return 3

    async def no_consumers(settings: Any) -> int:
        return 0

    monkeypatch.setattr(command_line, "load_settings", settings)
    monkeypatch.setattr(command_line, "consumers_running", no_consumers)
    monkeypatch.setattr(command_line, "rebuild_statistics", rebuild)
    monkeypatch.setattr(command_line, "configure_logging", lambda *args: None)
    return done


def _interactive(monkeypatch: pytest.MonkeyPatch, typed: str) -> None:
    monkeypatch.setattr(sys.stdin, "isatty", lambda: True)
    monkeypatch.setattr("builtins.input", lambda prompt: typed)


def test_help_of_rebuild_runs_nothing_and_reads_no_settings(
    calls: list[str], capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(SystemExit) as done:
        command_line.run_rebuild(["--help"])
    assert done.value.code == 0
    assert "--yes" in capsys.readouterr().out
    assert calls == []


def test_rebuild_without_a_terminal_or_yes_refuses_and_changes_nothing(
    calls: list[str], monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setattr(sys.stdin, "isatty", lambda: False)
    assert command_line.run_rebuild([]) == 1
    assert "--yes" in capsys.readouterr().err
    assert calls == []


def test_rebuild_asks_and_runs_only_on_the_confirmation_word(
    calls: list[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    _interactive(monkeypatch, "y")
    assert command_line.run_rebuild([]) == 1
    assert calls == []
    _interactive(monkeypatch, "rebuild")
    assert command_line.run_rebuild([]) == 0
    assert calls == ["settings", "rebuild"]


def test_rebuild_with_yes_runs_without_asking(
    calls: list[str], monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setattr("builtins.input", lambda prompt: pytest.fail("asked for confirmation"))
    assert command_line.run_rebuild(["--yes"]) == 0
    assert calls == ["settings", "rebuild"]
    assert "rebuilt 3 case records" in capsys.readouterr().out


def test_rebuild_refuses_while_a_reporting_consumer_runs(
    calls: list[str], monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    async def one_consumer(settings: Any) -> int:
        return 1

    monkeypatch.setattr(command_line, "consumers_running", one_consumer)
    assert command_line.run_rebuild(["--yes"]) == 1
    assert "stop them first" in capsys.readouterr().err
    assert calls == ["settings"]  # nothing was rebuilt
