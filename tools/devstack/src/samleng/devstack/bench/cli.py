"""Command line of ``make bench``."""

from __future__ import annotations

import argparse
import asyncio
from pathlib import Path

from samleng.devstack import bench, infra
from samleng.devstack.bench.runner import Bench, Options
from samleng.devstack.paths import find_repo_root


def parse(argv: list[str] | None = None) -> Options:
    """Options from the command line."""
    defaults = Options()
    parser = argparse.ArgumentParser(
        prog="python -m samleng.devstack.bench",
        description=bench.__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    add = parser.add_argument
    add("--complaints", type=int, default=defaults.complaints, help="per flow phase")
    add(
        "--warmup",
        type=int,
        default=defaults.warmup,
        help="complaints; also the history's templates",
    )
    add("--connections", type=int, default=defaults.connections, help="concurrent HTTP clients")
    add(
        "--history",
        type=int,
        default=defaults.history,
        help="cases preloaded; 0 skips those phases",
    )
    add("--ceiling-seconds", type=float, default=defaults.ceiling_seconds)
    add("--latency-seconds", type=float, default=defaults.latency_seconds)
    add(
        "--settle-seconds",
        type=float,
        default=defaults.settle_seconds,
        help="max wait after restart",
    )
    add("--reporting-cases", type=int, default=defaults.reporting_cases)
    add("--skip-reporting", action="store_true", help="skip reporting's summary benchmark")
    add("--output", type=Path, default=find_repo_root() / "docs", help="where the results go")
    add("--note", default="", help="a remark printed at the top of the report")
    add(
        "--baseline",
        type=Path,
        default=None,
        help="an earlier run's benchmarks.json (e.g. of an older commit) to compare with",
    )
    args = parser.parse_args(argv)
    return Options(
        complaints=args.complaints,
        warmup=args.warmup,
        connections=args.connections,
        history=args.history,
        ceiling_seconds=args.ceiling_seconds,
        latency_seconds=args.latency_seconds,
        settle_seconds=args.settle_seconds,
        reporting_cases=args.reporting_cases,
        reporting=not args.skip_reporting,
        output=args.output,
        note=args.note,
        baseline=args.baseline,
    )


def main(argv: list[str] | None = None) -> int:
    """Run the benchmark; the results are written after every phase."""
    options = parse(argv)
    infra.ensure_infra()
    try:
        asyncio.run(Bench(options).run())
    except KeyboardInterrupt:
        print(f"interrupted: what was measured is in {options.output}/benchmarks.md")
        return 130
    return 0
