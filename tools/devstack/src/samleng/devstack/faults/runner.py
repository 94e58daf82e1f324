"""Run scenarios in the worlds they need and collect the rows of the results table.

    rows = run_scenarios(["kill-once", "poison"], Options(mongo_outage=15), workdir)

Scenarios of the ``shared`` kind run in one world, one after another; after a scenario
that failed, the next one gets a fresh world so that one failure is reported once.
Every world is torn down (services stopped, private servers killed) even on failure.
"""

from __future__ import annotations

import logging
import time
import traceback
from collections.abc import Callable, Iterable
from pathlib import Path

from samleng.devstack.faults.outcome import Options, Row, verdict
from samleng.devstack.faults.scenarios import SCENARIOS, Scenario
from samleng.devstack.faults.world import World

log = logging.getLogger(__name__)

Say = Callable[[str], None]

WORLD_KINDS: dict[str, dict[str, object]] = {
    "shared": {},
    "proxied": {"proxied": True},
    "cluster": {"rabbit_nodes": 3},
    "replica-set": {"mongo_members": 3},
    "crash-loop": {"services": ("intake", "notification", "reporting")},
}


def selected(keys: Iterable[str] | None) -> list[Scenario]:
    """The scenarios named by ``keys`` (all when None), in the suite's order."""
    if keys is None:
        return list(SCENARIOS)
    wanted = list(keys)
    unknown = set(wanted) - {s.key for s in SCENARIOS}
    if unknown:
        raise ValueError(
            f"unknown scenarios {sorted(unknown)}; known: {[s.key for s in SCENARIOS]}"
        )
    return [s for s in SCENARIOS if s.key in wanted]


def run_scenarios(
    keys: Iterable[str] | None, options: Options, workdir: Path, say: Say = print
) -> list[Row]:
    """Run the chosen scenarios; return one row each (a crashed scenario is a failed row)."""
    rows: list[Row] = []
    shared: World | None = None
    try:
        for number, scenario in enumerate(selected(keys), start=1):
            if scenario.world != "shared" and shared is not None:
                shared.__exit__(None, None, None)  # its servers would slow the next worlds
                shared = None
            if scenario.world == "shared" and shared is None:
                shared = _open(workdir / f"world-{number}-shared", "shared", say)
            world = shared if scenario.world == "shared" else None
            row = _run_one(
                scenario, options, workdir / f"world-{number}-{scenario.key}", world, say
            )
            row.key = scenario.key
            rows.append(row)
            say(describe(row))
            if scenario.world == "shared" and not row.passed and shared is not None:
                shared.__exit__(None, None, None)
                shared = None
    finally:
        if shared is not None:
            shared.__exit__(None, None, None)
    return rows


def _open(workdir: Path, kind: str, say: Say) -> World:
    say(f"starting a {kind} world in {workdir}")
    started = time.monotonic()
    world = World(workdir, **WORLD_KINDS[kind]).__enter__()  # type: ignore[arg-type]
    say(f"  ready in {time.monotonic() - started:.0f} s")
    return world


def _run_one(
    scenario: Scenario, options: Options, workdir: Path, world: World | None, say: Say
) -> Row:
    say(f"scenario {scenario.key}")
    own = world is None
    try:
        if world is None:
            world = _open(workdir, scenario.world, say)
        return scenario.run(world, options)
    except Exception as error:
        log.debug("scenario %s crashed", scenario.key, exc_info=True)
        detail = traceback.format_exception_only(type(error), error)[-1].strip()
        return Row(scenario.key, "-", notes=[f"scenario crashed: {detail[:500]}"], key=scenario.key)
    finally:
        if own and world is not None:
            world.__exit__(None, None, None)


def describe(row: Row) -> str:
    """One line for the terminal."""
    recovery = f"{row.recovery:.1f} s" if row.recovery is not None else "never"
    notes = "; ".join(row.notes)
    return (
        f"  {verdict(row).upper()} {row.scenario}: load {row.load}, accepted {row.accepted}, "
        f"assigned {row.assigned}, counted {row.counted}, duplicates {row.duplicates}, "
        f"recovery {recovery}. {notes}"
    )
