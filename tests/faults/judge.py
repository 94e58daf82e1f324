"""How a fault test judges a scenario's row, known bugs included (see KNOWN_BUGS)."""

from __future__ import annotations

import pytest

from samleng.devstack.faults.outcome import KNOWN_BUGS, Row


def judge(row: Row, key: str) -> None:
    """Pass; xfail on a failure a known bug explains; fail otherwise, and fail when a bug
    that always showed stops showing (it was fixed: delete it from KNOWN_BUGS)."""
    row.key = key
    known = KNOWN_BUGS.get(key)
    if row.passed:
        if known is not None and not known.intermittent:
            pytest.fail(f"{key} passed: is the known bug fixed? delete it from KNOWN_BUGS")
        return
    if row.bug is not None:
        pytest.xfail(f"{row.bug.reason}; measured: {'; '.join(row.notes)}")
    pytest.fail(f"{row.scenario}: {row}")
