"""The dashboard's sections on promises kept: resolved within the overall deadline by
province, times and reopenings per office, and the month by level (Khmer or English).

Each takes a suppressed table as published; a hidden cell is shown as ``[c]``.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from html import escape
from typing import Literal

from samleng.common.i18n import digits, month_name, number, percent
from samleng.reporting.domain.accountability import ladder_order
from samleng.reporting.domain.labels import label
from samleng.reporting.domain.suppression import TOTAL_ROW, SuppressedTable
from samleng.reporting.entrypoints.charts import horizontal_bars

Lang = Literal["km", "en"]

TEXT: dict[str, dict[str, str]] = {
    "overall": {
        "km": "ករណីដោះស្រាយទាន់កាលកំណត់រួម តាមខេត្ត",
        "en": "Resolved within the overall deadline, by province",
    },
    "overall_days": {
        "km": "ថ្ងៃធ្វើការ ពីការដាក់ពាក្យដល់ការដោះស្រាយ៖ មធ្យមភាគ {median} · ៩០% ក្នុងរយៈ {p90}",
        "en": "Working days from submission to resolution: median {median} · 90% within {p90}",
    },
    "offices": {
        "km": "ការិយាល័យ៖ ថ្ងៃធ្វើការដើម្បីដោះស្រាយ និងអត្រាបើកឡើងវិញ",
        "en": "Offices: working days to resolve, and reopen rate",
    },
    "office": {"km": "ការិយាល័យ", "en": "Office"},
    "monthly": {"km": "ប្រចាំខែ តាមថ្នាក់ ({month})", "en": "The month by level ({month})"},
    "level": {"km": "ថ្នាក់", "en": "Level"},
}
#: A table that scrolls sideways on a phone: reachable and named for keyboard users.
_SCROLLS = 'class="wrap" tabindex="0" role="region" aria-labelledby="{id}"'
#: How many offices the dashboard lists (the most cases resolved first; all in open data).
TOP_OFFICES = 10


def text(key: str, lang: Lang) -> str:
    """A heading of these sections, or a figure's name."""
    return TEXT[key][lang] if key in TEXT else label(key)[lang]


def fmt(value: float | None, lang: Lang) -> str:
    """A cell as a reader writes it: ``[c]`` when suppressed."""
    return "[c]" if value is None else number(value, lang)


def share_rows(
    table: SuppressedTable,
    kept: str,
    names: Mapping[str, dict[str, str]],
    lang: Lang,
    keys: Sequence[str] | None = None,
) -> list[tuple[str, float | None, str]]:
    """One bar per row (``keys``, else every row): the share of ``due`` that was
    ``kept``, in percent."""
    rows: list[tuple[str, float | None, str]] = []
    for key in table.rows if keys is None else keys:
        due, met = table.cells[(key, "due")], table.cells[(key, kept)]
        share = None if due in (None, 0) or met is None else round(100 * met / due)
        shown = (
            "[c]"
            if due is None or met is None
            else "—"
            if share is None
            else percent(share / 100, lang)
        )
        rows.append((names.get(key, label(key))[lang], share, shown))
    return rows


def overall_section(table: SuppressedTable, names: Mapping[str, dict[str, str]], lang: Lang) -> str:
    """Resolved within the overall deadline, by province and for the country."""
    chart = horizontal_bars(
        "chart-overall",
        text("overall", lang),
        share_rows(table, "within", names, lang),
        maximum=100,
    )
    days = ""
    if TOTAL_ROW in table.rows:
        median, p90 = table.cells[(TOTAL_ROW, "median")], table.cells[(TOTAL_ROW, "p90")]
        line = text("overall_days", lang).format(median=fmt(median, lang), p90=fmt(p90, lang))
        days = f'<p class="note" id="overall-days">{escape(line)}</p>'
    return f"<section><h2>{escape(text('overall', lang))}</h2>{chart}{days}</section>"


def offices_section(table: SuppressedTable, lang: Lang) -> str:
    """The offices that resolved most: median and p90 working days, reopen rate."""
    body_rows = [r for r in table.rows if r != TOTAL_ROW]
    top = sorted(body_rows, key=lambda r: (-(table.cells[(r, "resolved")] or 0), r))[:TOP_OFFICES]
    columns = ("resolved", "median", "p90", "reopen_rate")
    head = "".join(f"<th>{escape(text(c, lang))}</th>" for c in columns)
    body = ""
    for office in [*top, *([TOTAL_ROW] if TOTAL_ROW in table.rows else [])]:
        cells = []
        for column in columns:
            value = table.cells[(office, column)]
            shown = (
                percent(value, lang)
                if column == "reopen_rate" and value is not None
                else fmt(value, lang)
            )
            cells.append(f"<td>{shown}</td>")
        name = label(office)[lang] if office == TOTAL_ROW else office
        body += f"<tr><td>{escape(name)}</td>{''.join(cells)}</tr>"
    return (
        f'<section><h2 id="offices-title">{escape(text("offices", lang))}</h2>'
        f"<div {_SCROLLS.format(id='offices-title')}>"
        f'<table id="offices"><thead><tr><th>{text("office", lang)}</th>{head}</tr></thead>'
        f"<tbody>{body}</tbody></table></div></section>"
    )


def monthly_section(table: SuppressedTable, month: str, lang: Lang) -> str:
    """One month by level: resolved, in progress at its end, of this year, carried over."""
    columns = ("resolved", "in_progress", "from_this_year", "carried_over")
    head = "".join(f"<th>{escape(text(c, lang))}</th>" for c in columns)
    body = "".join(
        f"<tr><td>{escape(label(level)[lang])}</td>"
        + "".join(f"<td>{fmt(table.cells[(level, c)], lang)}</td>" for c in columns)
        + "</tr>"
        for level in sorted(table.rows, key=lambda r: (r == TOTAL_ROW, ladder_order(r)))
    )
    when = f"{month_name(int(month[5:7]), lang)} {digits(month[:4], lang)}"
    title = text("monthly", lang).format(month=when)
    return (
        f'<section><h2 id="monthly-title">{escape(title)}</h2>'
        f"<div {_SCROLLS.format(id='monthly-title')}>"
        f'<table id="monthly"><thead><tr><th>{text("level", lang)}</th>{head}</tr></thead>'
        f"<tbody>{body}</tbody></table></div></section>"
    )
