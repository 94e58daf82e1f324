"""Small server-side SVG charts for the dashboard: no JavaScript, no CDN, phone-friendly.

Charts scale to the screen width (``viewBox``); a suppressed value draws no bar and is
labelled ``[c]``; every chart has a title for screen readers.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from html import escape

BAR_COLOURS = ("#1f6f8b", "#e07a1f", "#6a994e", "#9d4edd")


def _value_text(value: float | None) -> str:
    return "[c]" if value is None else f"{value:,}"


def grouped_bars(
    chart_id: str,
    title: str,
    categories: Sequence[str],
    series: Sequence[tuple[str, Sequence[float | None]]],
    value_text: Callable[[float | None], str] = _value_text,
) -> str:
    """Vertical grouped bars: one group per category, one bar per series (each bar's
    value written by ``value_text``, e.g. in Khmer digits)."""
    width, height, left, bottom, top = 420, 240, 10, 30, 30
    peak = max([v or 0 for _, values in series for v in values] + [1])
    group_width = (width - left - 10) / max(len(categories), 1)
    bar_width = group_width * 0.8 / max(len(series), 1)
    parts = [_svg_open(chart_id, title, width, height)]
    for s_index, (name, _values) in enumerate(series):
        colour = BAR_COLOURS[s_index % len(BAR_COLOURS)]
        parts.append(
            f'<rect x="{left + s_index * 140}" y="6" width="12" height="12" fill="{colour}"/>'
            f'<text x="{left + s_index * 140 + 16}" y="17" font-size="13">{escape(name)}</text>'
        )
    for c_index, category in enumerate(categories):
        x0 = left + c_index * group_width + group_width * 0.1
        for s_index, (_name, values) in enumerate(series):
            value = values[c_index]
            bar = (value or 0) / peak * (height - top - bottom)
            x = x0 + s_index * bar_width
            y = height - bottom - bar
            colour = BAR_COLOURS[s_index % len(BAR_COLOURS)]
            parts.append(
                f'<rect class="bar" x="{x:.1f}" y="{y:.1f}" width="{bar_width * 0.9:.1f}" '
                f'height="{bar:.1f}" fill="{colour}"><title>{escape(category)}: '
                f"{value_text(value)}</title></rect>"
            )
            if value is None:  # suppressed: say so where the bar would stand
                parts.append(
                    f'<text x="{x + bar_width * 0.45:.1f}" y="{height - bottom - 3}" '
                    f'font-size="9" text-anchor="middle" fill="#555">c</text>'
                )
        parts.append(
            f'<text x="{x0 + group_width * 0.4:.1f}" y="{height - bottom + 16}" font-size="11" '
            f'text-anchor="middle">{escape(category)}</text>'
        )
    parts.append(
        f'<line x1="{left}" y1="{height - bottom}" x2="{width - 10}" y2="{height - bottom}" '
        'stroke="#555"/></svg>'
    )
    return "".join(parts)


def horizontal_bars(
    chart_id: str,
    title: str,
    rows: Sequence[tuple[str, float | None, str]],
    maximum: float | None = None,
) -> str:
    """One horizontal bar per row: (label, value, text shown after the bar)."""
    row_height, label_width, width = 28, 170, 420
    height = row_height * max(len(rows), 1) + 10
    peak = maximum or max([v or 0 for _, v, _ in rows] + [1])
    parts = [_svg_open(chart_id, title, width, height)]
    for index, (name, value, text) in enumerate(rows):
        y = 5 + index * row_height
        bar = (value or 0) / peak * (width - label_width - 50)
        parts.append(
            f'<text x="{label_width - 6}" y="{y + 17}" font-size="13" text-anchor="end">'
            f"{escape(name)}</text>"
            f'<rect class="bar" x="{label_width}" y="{y + 4}" width="{bar:.1f}" height="18" '
            f'fill="{BAR_COLOURS[0]}"><title>{escape(name)}: {escape(text)}</title></rect>'
            f'<text x="{label_width + bar + 6:.1f}" y="{y + 17}" font-size="12">'
            f"{escape(text)}</text>"
        )
    if not rows:
        parts.append('<text x="10" y="20" font-size="13">—</text>')
    parts.append("</svg>")
    return "".join(parts)


def _svg_open(chart_id: str, title: str, width: int, height: int) -> str:
    return (
        f'<svg id="{chart_id}" class="chart" role="img" aria-labelledby="{chart_id}-title" '
        f'viewBox="0 0 {width} {height}" preserveAspectRatio="xMinYMin meet" '
        f'xmlns="http://www.w3.org/2000/svg"><title id="{chart_id}-title">{escape(title)}</title>'
    )
