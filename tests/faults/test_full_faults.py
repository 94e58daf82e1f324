"""Every scenario of the fault suite as a test, each in a world of its own.

Runs only with ``SAMLENG_FAULTS=full`` (``make faults`` runs the same scenarios and writes
the table; this is the pytest form, e.g. for CI). A scenario that found a bug is
``xfail`` while the bug is listed in ``KNOWN_BUGS``: strict, so its fix flips it, unless
the bug is intermittent (a race a run may miss).
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from samleng.devstack.faults.outcome import KNOWN_BUGS, Options
from samleng.devstack.faults.runner import run_scenarios
from samleng.devstack.faults.scenarios import SCENARIOS

pytestmark = [
    pytest.mark.e2e,
    pytest.mark.timeout(900),
    pytest.mark.skipif(
        os.environ.get("SAMLENG_FAULTS") != "full", reason="full fault suite: SAMLENG_FAULTS=full"
    ),
]

OPTIONS = Options(mongo_outage=float(os.environ.get("SAMLENG_FAULTS_MONGO_OUTAGE", "120")))


def params() -> list[object]:
    """One parameter per scenario, xfail(strict) while it is a known bug."""
    return [
        pytest.param(
            scenario.key,
            id=scenario.key,
            marks=[
                pytest.mark.xfail(
                    reason=KNOWN_BUGS[scenario.key].reason,
                    strict=not KNOWN_BUGS[scenario.key].intermittent,
                )
            ]
            if scenario.key in KNOWN_BUGS
            else [],
        )
        for scenario in SCENARIOS
    ]


@pytest.mark.parametrize("key", params())
def test_scenario(key: str, tmp_path: Path) -> None:
    (row,) = run_scenarios([key], OPTIONS, tmp_path, say=lambda _: None)
    assert row.passed, f"{row.scenario}: {row}"
