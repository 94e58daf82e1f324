"""``python -m samleng.devstack.faults``: run the fault suite and write docs/faults.md."""

from __future__ import annotations

import argparse
import sys
import tempfile
from datetime import UTC, datetime
from pathlib import Path

from samleng.devstack.faults.report import write_report
from samleng.devstack.faults.runner import run_scenarios, selected
from samleng.devstack.faults.scenarios import SCENARIOS, Options
from samleng.devstack.paths import find_repo_root


def main(argv: list[str] | None = None) -> int:
    """Run the chosen scenarios, print and write the table; exit 1 on an unexpected result."""
    defaults = Options()
    parser = argparse.ArgumentParser(prog="python -m samleng.devstack.faults")
    parser.add_argument(
        "--only", help=f"comma-separated scenarios of {','.join(s.key for s in SCENARIOS)}"
    )
    parser.add_argument("--rate", type=float, default=defaults.rate, help="complaints a second")
    parser.add_argument("--seconds", type=float, default=defaults.seconds, help="load duration")
    parser.add_argument("--mongo-outage", type=float, default=120.0, help="seconds MongoDB is down")
    parser.add_argument("--stall-seconds", type=float, default=defaults.stall_seconds)
    parser.add_argument("--kill-loop", type=int, default=defaults.kill_loop)
    parser.add_argument("--crashes", type=int, default=defaults.crashes)
    parser.add_argument("--settle", type=float, default=defaults.settle)
    parser.add_argument("--output", type=Path, default=find_repo_root() / "docs/faults.md")
    parser.add_argument("--no-write", action="store_true", help="print the table only")
    args = parser.parse_args(argv)
    options = Options(
        rate=args.rate,
        seconds=args.seconds,
        mongo_outage=args.mongo_outage,
        stall_seconds=args.stall_seconds,
        kill_loop=args.kill_loop,
        crashes=args.crashes,
        settle=args.settle,
    )
    keys = args.only.split(",") if args.only else None
    selected(keys)  # fail on an unknown name before starting anything
    started = datetime.now(UTC)
    with tempfile.TemporaryDirectory(prefix="samleng-faults-") as workdir:
        rows = run_scenarios(keys, options, Path(workdir))
    if not args.no_write:
        write_report(args.output, rows, options, started)
        print(f"wrote {args.output}")
    unexpected = [row.key for row in rows if not row.expected]
    if unexpected:
        print(f"unexpected results: {', '.join(unexpected)}")
    return 1 if unexpected else 0


if __name__ == "__main__":
    sys.exit(main())
