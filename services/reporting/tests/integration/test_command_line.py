"""The ``samleng`` command in a process of its own: ``samleng reporting rebuild --help``
answers with broken configuration (so it reads no setting) and runs nothing."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

pytestmark = pytest.mark.integration


def test_samleng_reporting_rebuild_help_works_with_broken_configuration() -> None:
    broken = {**os.environ, "SAMLENG_HTTP_PORT": "not-a-port", "SAMLENG_MONGO_URL": "nowhere"}
    shown = subprocess.run(
        [sys.executable, "-m", "samleng.common.console", "reporting", "rebuild", "--help"],
        env=broken,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert shown.returncode == 0, shown.stderr
    assert "--yes" in shown.stdout
    assert "rebuilt" not in shown.stdout
