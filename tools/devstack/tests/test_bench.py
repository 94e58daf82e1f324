"""``make bench`` end to end at a tiny size, and its pure parts; no timed assertions."""

from __future__ import annotations

import json
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from bson import ObjectId

from samleng.devstack import infra
from samleng.devstack.bench import history, report
from samleng.devstack.bench.runner import Bench, Options
from samleng.devstack.services import BACK_END

HEADLINE = {
    "ceiling_per_s",
    "whole_flow_per_s",
    "whole_flow_ratio",
    "whole_flow_per_s_at_1m",
    "whole_flow_ratio_at_1m",
    "p99_submit_to_assigned_ms",
    "lost",
    "duplicated",
    "rss_mb",
    "cpu_ms_per_complaint",
    "mongo_ops_per_complaint",
    "round_trips_per_complaint",
    "machine",
    "date",
}
COMPLAINT = "cd9a9289-1e44-44e4-af36-43d4f1f53f30"
EVENT = "58684f9a-7c00-59d7-b8a4-cfef110a83d9"
CODE_HASH = "5855b98e5a3e99bdceb7f1fe04cfcb12cac8980594ec58f2d18bb0fc202a9cb3"
AT = datetime(2026, 12, 6, 9, 40, 34, 627000)


@pytest.mark.e2e
@pytest.mark.timeout(900)
async def test_the_bench_measures_every_phase_and_loses_nothing(tmp_path: Path) -> None:
    infra.ensure_infra()
    options = Options(
        complaints=30,
        warmup=10,
        connections=4,
        history=1000,
        ceiling_seconds=1,
        latency_seconds=2,
        settle_seconds=30,
        reporting=False,
        output=tmp_path,
    )
    said: list[str] = []
    await Bench(options, say=said.append).run()

    record = json.loads((tmp_path / "benchmarks.json").read_text(encoding="utf-8"))
    assert record["status"] == "complete"
    assert record.keys() >= HEADLINE
    assert all(record[key] is not None for key in HEADLINE)
    assert record["lost"] == 0
    assert record["duplicated"] == 0
    assert record["history_cases"] == 1000
    assert set(record["rss_mb"]) == set(BACK_END)
    assert {*BACK_END, "mongod", "rabbitmq", "total"} <= set(record["cpu_ms_per_complaint"])
    assert set(record["mongo_ops_per_complaint"]) == set(BACK_END)
    trips = record["round_trips_per_complaint"]
    assert set(trips) == set(BACK_END)  # each service counted its own round trips
    assert trips["intake"]["broker.published"] >= 1  # the submission, relayed
    assert all(trips[name]["broker.consumed"] >= 1 for name in BACK_END if name != "intake")
    assert all(
        sum(v for k, v in trips[name].items() if k.startswith("mongodb.")) > 0 for name in BACK_END
    )
    for phase in ("flow", "latency", "flow_at_history", "latency_at_history"):
        measured = record["phases"][phase]
        assert not measured["timed_out"]
        assert set(measured["done"].values()) == {measured["accepted"]}
    preload = record["phases"]["preload"]
    # every service's database got the whole history, not only reporting's
    assert all(preload["documents"][name] >= 1000 for name in BACK_END)
    assert not any(preload["duplicate_keys_skipped"].values())
    assert any(line.startswith("[bench") and "preload" in line for line in said)
    assert "## Before and after (issue #19)" in (tmp_path / "benchmarks.md").read_text()


def _case() -> dict[str, Any]:
    return {
        "_id": COMPLAINT,
        "code_hash": CODE_HASH,
        "status": "assigned",
        "submitted_at": AT,
        "next_due": AT + timedelta(days=1),
        "timers": [{"due_at": AT}],
        "outbox": [{"event_id": EVENT}],
        "outbox_since": AT,
        "timeline": [{"event_id": EVENT, "at": AT, "text_en": "Assigned."}],
        "body": {"occurred_at": "2026-12-06T09:40:34.627590Z", "complaint_id": COMPLAINT},
    }


@pytest.mark.unit
def test_a_history_clone_gets_new_ids_older_dates_and_a_closed_state() -> None:
    plan = history.compile_plan(history.as_history(_case()))
    first, again, other = history.Clone(7), history.Clone(7), history.Clone(8)
    clone = first.build(plan)

    assert clone["_id"] != COMPLAINT
    assert clone["_id"] == again.build(plan)["_id"]  # the same case in every service
    assert clone["_id"] != other.build(plan)["_id"]
    assert clone["body"]["complaint_id"] == clone["_id"]
    assert clone["timeline"][0]["event_id"] not in (EVENT, clone["_id"])
    assert len(clone["code_hash"]) == 64 and clone["code_hash"] != CODE_HASH
    assert AT - timedelta(days=800) < clone["submitted_at"] <= AT - timedelta(days=30)
    shifted = datetime.fromisoformat(clone["body"]["occurred_at"].removesuffix("Z"))
    assert shifted == clone["submitted_at"].replace(microsecond=627590)
    assert clone["status"] == "closed"
    assert clone["next_due"] is None and clone["timers"] == [] and clone["outbox"] == []
    assert "outbox_since" not in clone


@pytest.mark.unit
def test_object_ids_are_fresh_in_every_clone() -> None:
    plan = history.compile_plan({"_id": ObjectId(), "complaint_id": COMPLAINT})
    assert history.Clone(1).build(plan)["_id"] != history.Clone(1).build(plan)["_id"]


@pytest.mark.unit
def test_a_run_cut_short_still_writes_what_it_measured(tmp_path: Path) -> None:
    results = report.new_results(Options(output=tmp_path))
    results["status"] = "interrupted during flow"
    results["phases"]["ceiling"] = {
        "per_s": 300.0,
        "driver": "wrk",
        "connections": 16,
        "accepted": 3000,
        "seconds": 10.0,
        "p50_ms": 20.0,
        "p99_ms": 90.0,
    }
    report.write(results, tmp_path)

    record = json.loads((tmp_path / "benchmarks.json").read_text(encoding="utf-8"))
    assert record["ceiling_per_s"] == 300.0
    assert record["whole_flow_per_s"] is None
    assert record.keys() >= HEADLINE
    assert "interrupted during flow" in (tmp_path / "benchmarks.md").read_text()


def test_a_baseline_run_is_shown_beside_this_one(tmp_path: Path) -> None:
    earlier = report.new_results(Options(output=tmp_path))
    earlier["commit"] = "abc1234"
    ceiling = {"driver": "wrk", "connections": 16, "accepted": 1, "seconds": 1.0}
    ceiling |= {"p50_ms": 1.0, "p99_ms": 2.0}
    earlier["phases"]["ceiling"] = {**ceiling, "per_s": 400.0}
    earlier["phases"]["flow"] = {
        "per_s": 40.0,
        "cpu_ms_per_complaint": {"intake": 7.5, "total": 30.0},
        "mongo_ops_per_complaint": {
            "intake": {k: 1.0 for k in ("update", "remove", "queries", "getmore", "commands")}
            | {"insert": 2.0, "total": 7.0}
        },
        "rss_mb": {"intake": 151.0},
        "lost": 0,
        "duplicated": 0,
    }
    report.write(earlier, tmp_path / "earlier")

    results = report.new_results(
        Options(output=tmp_path, baseline=tmp_path / "earlier" / "benchmarks.json")
    )
    results["phases"]["ceiling"] = {**ceiling, "per_s": 500.0}
    results["phases"]["flow"] = {
        "per_s": 100.0,
        "cpu_ms_per_complaint": {"intake": 2.5, "total": 12.0},
        "lost": 0,
        "duplicated": 0,
    }
    text = report.markdown({**report.headline(results), **results})
    assert "| whole flow ÷ ceiling | ≈ 0.1 | 0.10 | 0.20 |" in text
    assert "| baseline (abc1234) |" in text
    assert "| intake | 7–10 (3 submitting, 4–7 applying) | 7.50, 151.0 MiB | 2.50 |" in text
    assert "| intake, baseline | 2.00 |" in text
