"""Every scenario of the fault suite as a test, each in a world of its own.

Runs only with ``SAMLENG_FAULTS=full`` (``make faults`` runs the same scenarios and writes
the table; this is the pytest form, e.g. for CI). A failure that a bug listed in
``KNOWN_BUGS`` explains is an xfail; a scenario whose bug always showed fails once it
passes (the fix flips it), unless the bug is intermittent (a race a run may miss).
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from samleng.devstack.faults.outcome import Options
from samleng.devstack.faults.runner import run_scenarios
from samleng.devstack.faults.scenarios import SCENARIOS
from tests.faults.judge import judge

pytestmark = [
    pytest.mark.e2e,
    pytest.mark.timeout(900),
    pytest.mark.skipif(
        os.environ.get("SAMLENG_FAULTS") != "full", reason="full fault suite: SAMLENG_FAULTS=full"
    ),
]

OPTIONS = Options(mongo_outage=float(os.environ.get("SAMLENG_FAULTS_MONGO_OUTAGE", "120")))


@pytest.mark.parametrize("key", [scenario.key for scenario in SCENARIOS])
def test_scenario(key: str, tmp_path: Path) -> None:
    (row,) = run_scenarios([key], OPTIONS, tmp_path, say=lambda _: None)
    judge(row, key)
