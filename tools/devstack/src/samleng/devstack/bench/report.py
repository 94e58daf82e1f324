"""The results of one run: ``docs/benchmarks.json`` (machine-readable) and ``docs/benchmarks.md``.

``new_results(options)`` starts the record with the machine and the date; ``write``
derives the headline figures from the phases measured so far and writes both files, so
it can run after every phase.
"""

from __future__ import annotations

import dataclasses
import json
import os
import platform
import re
import subprocess
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

#: issue #19's figures, measured before the rework (2 cores)
BEFORE = {
    "ceiling_per_s": "270–350",
    "whole_flow_per_s": "15–27",
    "whole_flow_ratio": "≈ 0.1",
    "whole_flow_per_s_at_1m": "not measured",
    "whole_flow_ratio_at_1m": "not measured",
    "whole_flow_kept_at_1m": "not measured (a peer: 37 → 6.3/s, 0.17)",
    "p99_submit_to_assigned_ms": "not measured",
    "cpu_total": "≈ 75–90",
    "rss_max": "not measured",
    "mongo_ops": "≈ 32 round trips (≈ 20 w:majority writes and a transaction)",
}
BEFORE_CPU = {
    "mongod": "21–27",
    "reporting": "14–16",
    "notification": "12–14",
    "routing": "11–13",
    "intake": "7–10 (3 submitting, 4–7 applying)",
    "rabbitmq": "4–7",
}
GOALS = {
    "whole_flow_ratio": (">=", 0.6),
    "whole_flow_ratio_at_1m": (">=", 0.5),
    "p99_submit_to_assigned_ms": ("<", 250.0),
    "cpu_total": ("<=", 8.0),
    "rss_max": ("<", 150.0),
    "lost": ("==", 0),
    "duplicated": ("==", 0),
}


def machine() -> str:
    """A one-line description of this machine."""
    model, memory = "unknown CPU", ""
    if Path("/proc/cpuinfo").is_file():
        found = re.search(r"model name\s*:\s*(.+)", Path("/proc/cpuinfo").read_text())
        model = found.group(1).strip() if found else model
    if Path("/proc/meminfo").is_file():
        found = re.search(r"MemTotal:\s*(\d+) kB", Path("/proc/meminfo").read_text())
        memory = f", {int(found.group(1)) / 1024 / 1024:.0f} GiB" if found else ""
    return (
        f"{os.cpu_count()} cores ({model}){memory}, {platform.system()} "
        f"{platform.release()}, Python {platform.python_version()}"
    )


def _commit() -> str | None:
    try:
        done = subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"], capture_output=True, text=True, check=False
        )
    except OSError:
        return None
    return done.stdout.strip() or None


def new_results(options: Any) -> dict[str, Any]:
    """An empty record of a run with the machine, the date and the options (and the
    headline figures of the baseline run, if one is given)."""
    settings = {k: str(v) for k, v in dataclasses.asdict(options).items()}
    results: dict[str, Any] = {
        "date": datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "machine": machine(),
        "commit": _commit(),
        "status": "running",
        "options": settings,
        "phases": {},
    }
    if getattr(options, "baseline", None):
        results["baseline"] = baseline_of(Path(options.baseline))
    return results


#: what a baseline run contributes to the comparison
BASELINE_KEYS = (
    "date",
    "commit",
    "machine",
    *("ceiling_per_s", "whole_flow_per_s", "whole_flow_ratio", "whole_flow_per_s_at_1m"),
    *("whole_flow_ratio_at_1m", "whole_flow_kept_at_1m", "p99_submit_to_assigned_ms"),
    *("lost", "duplicated", "rss_mb", "round_trips_per_complaint"),
    *("cpu_ms_per_complaint", "cpu_ms_per_complaint_at_1m", "mongo_ops_per_complaint"),
)


def baseline_of(path: Path) -> dict[str, Any]:
    """The headline figures of an earlier run's ``benchmarks.json``."""
    earlier = json.loads(path.read_text(encoding="utf-8"))
    return {key: earlier.get(key) for key in BASELINE_KEYS}


def _get(phases: dict[str, Any], phase: str, *path: str) -> Any:
    value: Any = phases.get(phase)
    for key in path:
        value = value.get(key) if isinstance(value, dict) else None
    return value


def headline(results: dict[str, Any]) -> dict[str, Any]:
    """The figures issue #19 asks for, from the phases measured so far (None if not yet)."""
    phases = results["phases"]
    ceiling = _get(phases, "ceiling", "per_s")
    flow = _get(phases, "flow", "per_s")
    at_history = _get(phases, "flow_at_history", "per_s")
    checked = [
        p for p in ("flow", "latency", "flow_at_history", "latency_at_history") if p in phases
    ]
    last_flow = "flow_at_history" if "flow_at_history" in phases else "flow"
    return {
        "ceiling_per_s": ceiling,
        "whole_flow_per_s": flow,
        "whole_flow_ratio": flow / ceiling if flow and ceiling else None,
        "history_cases": _get(phases, "preload", "cases"),
        "whole_flow_per_s_at_1m": at_history,
        "whole_flow_ratio_at_1m": at_history / ceiling if at_history and ceiling else None,
        # how flat the flow stays: at the history against at an empty one
        "whole_flow_kept_at_1m": at_history / flow if at_history and flow else None,
        "p99_submit_to_assigned_ms": _get(phases, "latency", "submit_to_assigned_ms", "p99"),
        "p99_submit_to_assigned_ms_at_1m": _get(
            phases, "latency_at_history", "submit_to_assigned_ms", "p99"
        ),
        "p99_submit_ms": _get(phases, "latency", "submit_ms", "p99"),
        "lost": sum(phases[p]["lost"] for p in checked) if checked else None,
        "duplicated": sum(phases[p]["duplicated"] for p in checked) if checked else None,
        "rss_mb": _get(phases, last_flow, "rss_mb"),
        "cpu_ms_per_complaint": _get(phases, "flow", "cpu_ms_per_complaint"),
        "cpu_ms_per_complaint_at_1m": _get(phases, "flow_at_history", "cpu_ms_per_complaint"),
        "mongo_ops_per_complaint": _get(phases, "flow", "mongo_ops_per_complaint"),
        "round_trips_per_complaint": _get(phases, "flow", "round_trips_per_complaint"),
    }


def write(results: dict[str, Any], directory: Path) -> None:
    """Write ``benchmarks.json`` and ``benchmarks.md`` into ``directory``."""
    directory.mkdir(parents=True, exist_ok=True)
    record = {**headline(results), **results}
    (directory / "benchmarks.json").write_text(
        json.dumps(record, indent=2, ensure_ascii=False, default=str) + "\n", encoding="utf-8"
    )
    (directory / "benchmarks.md").write_text(markdown(record), encoding="utf-8")


def _n(value: Any, digits: int = 1, unit: str = "") -> str:
    if value is None:
        return "—"
    if isinstance(value, float):
        return f"{value:,.{digits}f}{unit}"
    return f"{value:,}{unit}"


def _goal(name: str, value: Any) -> str:
    if value is None or name not in GOALS:
        return ""
    sign, target = GOALS[name]
    met = {
        ">=": value >= target,
        "<": value < target,
        "<=": value <= target,
        "==": value == target,
    }[sign]
    return f"{'met' if met else 'not met'} ({sign} {target})"


def markdown(r: dict[str, Any]) -> str:
    """The human report."""
    phases, options = r["phases"], r["options"]
    cpu = r["cpu_ms_per_complaint"] or {}
    cpu_at = r["cpu_ms_per_complaint_at_1m"] or {}
    history = r["history_cases"]
    lines = [
        "# Benchmarks",
        "",
        "Written by `make bench` (`python -m samleng.devstack.bench`, see its `--help`);",
        "earlier results are in git history, the figures as data in `benchmarks.json`.",
        "Timing goals are checked here, never in tests.",
        "",
        f"- **Date:** {r['date']}  (commit {r['commit']}, status: {r['status']})",
        f"- **Machine:** {r['machine']}",
        "- **Set-up:** the four services as separate processes (uvicorn, one worker each) on",
        "  the local RabbitMQ and MongoDB single-node replica set, with a vhost and databases",
        "  of their own; load from a separate process (wrk for the ceiling, a lean keep-alive",
        "  HTTP client for the flow); a tap queue on the events follows every complaint.",
        f"- **Sizes:** {options.get('complaints')} complaints per flow phase from "
        f"{options.get('connections')} connections after {options.get('warmup')} to warm up; "
        f"{_n(history)} cases of history; latency over {options.get('latency_seconds')} s.",
        "",
        *([f"> **Note:** {options['note']}", ""] if options.get("note") else []),
        "## Before and after (issue #19)",
        "",
        *_baseline_intro(r.get("baseline")),
        f"| what | before{_b_head(r)} | now | goal |",
        f"|---|---|{_b_rule(r)}---|---|",
    ]
    rows = {
        "ceiling_per_s": "ceiling: FastAPI + one transaction (case + outbox, w:majority), /s",
        "whole_flow_per_s": "whole flow at an empty history, complaints/s",
        "whole_flow_ratio": "whole flow ÷ ceiling",
        "whole_flow_per_s_at_1m": f"whole flow at {_n(history)} cases of history, complaints/s",
        "whole_flow_ratio_at_1m": "whole flow at that history ÷ ceiling",
        "whole_flow_kept_at_1m": "whole flow at that history ÷ at an empty history",
        "p99_submit_to_assigned_ms": "p99 submitted → assigned at half the rate, ms",
        "cpu_total": "CPU ms per complaint, every process",
        "rss_max": "largest RSS of a service after load, MiB",
    }
    rss = r["rss_mb"] or {}
    base = r.get("baseline")
    for key, label in rows.items():
        value = _derived(r, key)
        digits = 2 if "ratio" in key or "kept" in key else 1
        now = _n(value, digits)
        was = f" {_n(_derived(base, key), digits)} |" if base else ""
        lines.append(f"| {label} | {BEFORE.get(key, '—')} |{was} {now} | {_goal(key, value)} |")
    both = f"{_n(r['lost'])} / {_n(r['duplicated'])}"
    goal = _goal("duplicated", r["duplicated"]) if r["lost"] == 0 else _goal("lost", r["lost"])
    was = f" {_n(base.get('lost'))} / {_n(base.get('duplicated'))} |" if base else ""
    lines.append(f"| lost / duplicated complaints | — |{was} {both} | {goal} |")
    lines += [
        "",
        "## CPU per complaint (ms) and memory",
        "",
        "CPU is user + system time from `/proc/<pid>/stat` over the measured window divided",
        "by the complaints in it; a service counts with its child processes. mongod and",
        "RabbitMQ are shared with anything else running on the machine.",
        "",
        f"| process | before{_b_head(r)} | empty history | at the history "
        "| RSS after load (MiB, goal < 150) |",
        f"|---|---|{_b_rule(r)}---|---|---|",
    ]
    base_cpu = (base or {}).get("cpu_ms_per_complaint") or {}
    base_rss = (base or {}).get("rss_mb") or {}
    for name in sorted(set(cpu) | set(BEFORE_CPU) - {"total"}, key=lambda n: (n == "total", n)):
        was = ""
        if base:
            memory = f", {_n(base_rss[name])} MiB" if name in base_rss else ""
            was = f" {_n(base_cpu.get(name), 2)}{memory} |"
        lines.append(
            f"| {name} | {BEFORE_CPU.get(name, BEFORE['cpu_total'] if name == 'total' else '—')} "
            f"|{was} {_n(cpu.get(name), 2)} | {_n(cpu_at.get(name), 2)} | {_n(rss.get(name))} |"
        )
    ceiling_cpu = _get(phases, "ceiling", "cpu_ms_per_request") or {}
    if ceiling_cpu:
        lines.append(
            "\nThe ceiling, per request: "
            + ", ".join(f"{name} {_n(ms, 2)} ms" for name, ms in ceiling_cpu.items())
            + "."
        )
    overhead = _get(phases, "flow", "bench_overhead_cpu_ms_per_complaint") or {}
    loadgen = _get(phases, "flow", "loadgen_cpu_ms_per_complaint")
    lines.append(
        f"\nNot counted above (the bench's own): load generator {_n(loadgen, 2)} ms, "
        + ", ".join(f"{k} {_n(v, 2)} ms" for k, v in overhead.items())
        + " per complaint."
    )
    orphans = r.get("orphaned_child_processes")
    if orphans:
        names = ", ".join(f"{name} × {orphans.count(name)}" for name in sorted(set(orphans)))
        lines.append(
            f"\nChild processes that outlived their service (stopped by the bench): {names}."
        )
    ops = r["mongo_ops_per_complaint"] or {}
    base_ops = (base or {}).get("mongo_ops_per_complaint") or {}
    if ops or base_ops:
        lines += [
            "",
            "## MongoDB operations per complaint (empty history)",
            "",
            f"From the `top` command, per service database. Before: {BEFORE['mongo_ops']}.",
            "",
            "| service | insert | update | remove | queries | getmore | commands | total |",
            "|---|---|---|---|---|---|---|---|",
        ]
        kinds = ("insert", "update", "remove", "queries", "getmore", "commands", "total")
        for label, table in (("", ops), (", baseline", base_ops)):
            for name, counts in table.items():
                cells = " | ".join(_n(counts.get(k), 2) for k in kinds)
                lines.append(f"| {name}{label} | {cells} |")
    lines += _round_trips(r.get("round_trips_per_complaint") or {})
    lines += ["", "## Phases", ""]
    lines += _phase_table(phases)
    summary = phases.get("reporting_summary")
    if summary:
        lines += [
            "",
            f"## Reporting: summary and open data ({_n(summary['cases'])} case records)",
            "",
            "```",
            summary["output"],
            "```",
        ]
    return "\n".join([*lines, *METHOD]) + "\n"


METHOD = """
## How it is measured

- **Ceiling**: `samleng.devstack.bench.ceiling_app` under uvicorn in its own process: one
  `POST /cases` stores a case document and its outbox entry in one transaction with
  w:majority and answers 202 — no validation, middleware or relay. wrk (one thread)
  drives it after a warm-up; without wrk, the Python generator does.
- **Whole flow**: complaints (20 communes of the pilot provinces × 3 categories) are
  POSTed to intake's `/v1/complaints` back to back from `connections` keep-alive clients
  in a separate process. A complaint is done when routing's decision was seen on a tap
  queue bound to the events exchange, and intake applied it, notification planned the
  office's alert and reporting counted it (one query per service database,
  `bench/probes.py`). Rate = accepted ÷ (first request → last complaint done).
- **Settings**: production's, but for the flood limits (the load comes from one address):
  reporting releases its public tables as of each month's start (`open_data_as_of =
  month_end`), not rebuilt every 30 s from the running year as in development.
- **Latency at half the rate**: an open loop at half the whole flow's rate; each request
  is timed from when it was due. Submitted → assigned is from the `complaint.submitted`
  event's `occurred_at` (stamped by intake while it handles the POST) to the moment the tap
  received routing's `complaint.assigned`.
- **History**: after the warm-up, every document of a warm-up complaint in any service's
  database is a template; the loader clones it with fresh ids (the same ids across the
  services for one case), dates one to 25 months back and the state of a case closed
  long ago, with `insert_many` from one process per service. Collections with a TTL index
  (outboxes, budgets) are not filled. The services are then restarted on it and the bench
  waits until they and mongod are idle before measuring again.
- **Lost** = accepted but not done by every service when the phase ended; **duplicated** =
  more cases than accepted submissions, more than one routing decision (distinct event ids)
  for a complaint, or more than one office alert for one assignment.
- **CPU**: utime + stime from `/proc/<pid>/stat` of each service process with its
  children, mongod and RabbitMQ's beam.smp, over the measured window. **MongoDB
  operations**: deltas of the `top` command's counters summed over each service's
  collections (the bench's own few completion queries included).
""".splitlines()


WRITE_COMMANDS = ("insert", "update", "delete", "findAndModify", "commitTransaction")
READ_COMMANDS = ("find", "getMore", "aggregate", "count", "distinct")


def _round_trips(trips: dict[str, dict[str, float]]) -> list[str]:
    """Round trips per complaint as each service counted them (its ``/metrics``)."""
    if not trips:
        return []
    lines = [
        "",
        "## Round trips per complaint (empty history)",
        "",
        "As each service counted them itself (`samleng_mongodb_commands_total`,",
        "`samleng_events_published_total`, `samleng_events_consumed_total`): a MongoDB",
        "command is one round trip however many documents it writes (the `top` counts",
        "above count every document a bulk update changes). Broker: events published",
        "(each awaits a confirm) and messages consumed (each acked).",
        "",
        "| service | MongoDB commands | writes | reads | other | published | consumed |",
        "|---|---|---|---|---|---|---|",
    ]
    totals = [0.0] * 6
    for service, counts in sorted(trips.items()):
        mongo = {k.split(".", 1)[1]: v for k, v in counts.items() if k.startswith("mongodb.")}
        writes = sum(v for k, v in mongo.items() if k in WRITE_COMMANDS)
        reads = sum(v for k, v in mongo.items() if k in READ_COMMANDS)
        row = [
            sum(mongo.values()),
            writes,
            reads,
            max(0.0, sum(mongo.values()) - writes - reads),
            counts.get("broker.published", 0.0),
            counts.get("broker.consumed", 0.0),
        ]
        totals = [a + b for a, b in zip(totals, row, strict=True)]
        lines.append(f"| {service} | " + " | ".join(_n(v, 2) for v in row) + " |")
    lines.append("| total | " + " | ".join(_n(v, 2) for v in totals) + " |")
    return lines


def _derived(r: dict[str, Any], key: str) -> Any:
    """A row of the before/after table from a run's headline figures."""
    if key == "cpu_total":
        return (r.get("cpu_ms_per_complaint") or {}).get("total")
    if key == "rss_max":
        rss = r.get("rss_mb") or {}
        return max(rss.values()) if rss else None
    return r.get(key)


def _baseline_intro(base: dict[str, Any] | None) -> list[str]:
    if not base:
        return []
    return [
        f"*Baseline*: an earlier run of this bench on commit {base.get('commit')} "
        f"({base.get('date')}; {base.get('machine')}), given with `--baseline`.",
        "",
    ]


def _b_head(r: dict[str, Any]) -> str:
    base = r.get("baseline")
    return f" | baseline ({base.get('commit')})" if base else ""


def _b_rule(r: dict[str, Any]) -> str:
    return "---|" if r.get("baseline") else ""


def _phase_table(phases: dict[str, Any]) -> list[str]:
    lines = [
        "| phase | complaints | seconds | per s | submit p50 / p99 ms "
        "| submitted → assigned p50 / p99 ms | lost | dup. |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for name, p in phases.items():
        if name in ("preload", "reporting_summary"):
            continue
        if name == "ceiling":
            lines.append(
                f"| ceiling ({p['driver']}, {p['connections']} connections) | {_n(p['accepted'])} "
                f"| {_n(p['seconds'])} | {_n(p['per_s'])} "
                f"| {_n(p['p50_ms'])} / {_n(p['p99_ms'])} | | | |"
            )
            continue
        submit, routed = p.get("submit_ms", {}), p.get("submit_to_assigned_ms", {})
        lines.append(
            f"| {name}{' (timed out)' if p.get('timed_out') else ''} | {_n(p.get('accepted'))} "
            f"| {_n(p.get('seconds'))} | {_n(p.get('per_s', p.get('achieved_per_s')))} "
            f"| {_n(submit.get('p50'))} / {_n(submit.get('p99'))} "
            f"| {_n(routed.get('p50'))} / {_n(routed.get('p99'))} "
            f"| {p['lost']} | {p['duplicated']} |"
        )
    preload = phases.get("preload")
    if preload:
        lines.append(
            f"\nHistory: {_n(preload['cases'])} closed cases cloned from the warm-up's documents "
            f"into {', '.join(preload['collections'])} in {_n(preload['seconds'], 0)} s; the "
            f"services were ready {_n(preload['restart_to_ready_s'])} s after a restart on it "
            f"and idle after {_n(preload['settled_after_s'])} s."
        )
    return lines
