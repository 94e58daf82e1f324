"""The results table of the fault suite, written into ``docs/faults.md``.

    write_report(Path("docs/faults.md"), rows, options, started)

Only the part between ``<!-- results:start -->`` and ``<!-- results:end -->`` is
rewritten; the prose around it (what each scenario means, what was found) is kept.
Earlier results stay in git history.
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

from samleng.devstack.bench.report import machine
from samleng.devstack.faults.outcome import Options, Row, verdict

START = "<!-- results:start -->"
END = "<!-- results:end -->"


def table(rows: list[Row], options: Options, started: datetime) -> str:
    """The results as Markdown: date, machine, sizes, one row per scenario, then notes."""
    lines = [
        f"- **Date:** {started.strftime('%Y-%m-%d %H:%M UTC')}",
        f"- **Machine:** {machine()}",
        f"- **Sizes:** load {options.rate:g} complaints/s; MongoDB outage "
        f"{options.mongo_outage:g} s; stall {options.stall_seconds:g} s; "
        f"{options.kill_loop} kills in the loop; {options.crashes} consumer crashes "
        f"(prefetch {options.prefetch}); each check waits at most {options.settle:g} s",
        "",
        "Scenarios of the shared world run one after another in it, and each checks every "
        "complaint submitted there so far: their counts are cumulative. Recovery is the time "
        "from the end of the fault until every check held.",
        "",
        "| scenario | load | accepted | assigned | counted | duplicates | recovery | result |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for row in rows:
        recovery = f"{row.recovery:.1f} s" if row.recovery is not None else "never"
        said = verdict(row).replace("FAIL", "**FAIL**")
        lines.append(
            f"| {row.scenario} | {row.load} | {row.accepted} | {row.assigned} | {row.counted} "
            f"| {row.duplicates} | {recovery} | {said} |"
        )
    lines += ["", "Notes measured with each scenario:", ""]
    lines += [f"- *{row.scenario}*: {'; '.join(row.notes) or '—'}" for row in rows]
    return "\n".join(lines)


def write_report(path: Path, rows: list[Row], options: Options, started: datetime) -> None:
    """Put the table between the markers of ``path`` (appending them if missing)."""
    results = f"{START}\n{table(rows, options, started)}\n{END}"
    text = path.read_text(encoding="utf-8") if path.is_file() else "# Fault suite\n\n"
    if START in text and END in text:
        head, _, rest = text.partition(START)
        _, _, tail = rest.partition(END)
        text = f"{head}{results}{tail}"
    else:
        text = f"{text.rstrip()}\n\n## Results\n\n{results}\n"
    path.write_text(text, encoding="utf-8")
