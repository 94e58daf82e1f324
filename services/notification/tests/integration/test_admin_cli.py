"""The admin CLI manages an office's recipients in the service's database."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import uuid
from typing import Any

import pytest

pytestmark = pytest.mark.integration


def cli(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    """Run ``python -m samleng.notification recipients ...``."""
    return subprocess.run(
        [sys.executable, "-m", "samleng.notification", "recipients", *args],
        env={**os.environ, **env},
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def test_recipients_are_set_listed_and_removed(stack: Any) -> None:
    env = stack.env_for("notification", mongo_database=f"{stack.db_prefix}_notification_cli")
    office = f"commune:{uuid.uuid4().hex[:8]}"
    made = cli(env, "set", "--office", office, "--id", "dara", "--language", "en",
               "--email", "dara@commune.example", "--sms", "+85510000001", "--digest")  # fmt: skip
    assert made.returncode == 0, made.stderr
    listed = cli(env, "list", "--office", office)
    assert [json.loads(line) for line in listed.stdout.splitlines()] == [
        {
            "recipient_id": "dara",
            "language": "en",
            "digest": True,
            "endpoints": [
                {"channel": "email", "address": "dara@commune.example"},
                {"channel": "sms", "address": "+85510000001"},
            ],
        }
    ]
    assert cli(env, "remove", "--office", office, "--id", "dara").returncode == 0
    assert cli(env, "remove", "--office", office, "--id", "dara").returncode == 1
    assert cli(env, "list", "--office", office).stdout == ""
