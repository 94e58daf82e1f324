"""The public dashboard page (``/dashboard``), Khmer or English, readable on a phone.

Everything on it comes from the same suppressed tables as the open-data API; the charts
are SVG drawn here, so the page needs no script and nothing from the internet.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from html import escape
from typing import Annotated, Literal

from fastapi import APIRouter, Header, Query
from fastapi.responses import HTMLResponse

from samleng.common.i18n import (
    day,
    digits,
    language_of,
    month_name,
    number,
    short_month,
)
from samleng.common.reference import service_catalogue
from samleng.common.reference.catalogue import UnknownService
from samleng.reporting.adapters.gazetteer import area_names
from samleng.reporting.domain.accountability import MONTHLY_COLUMNS
from samleng.reporting.domain.accountability_cells import OFFICES_TABLE, OVERALL_TABLE
from samleng.reporting.domain.desks import DESK_COLUMNS
from samleng.reporting.domain.figures import STATUS_COLUMNS
from samleng.reporting.domain.labels import SUPPRESSION_RULE, label
from samleng.reporting.domain.periods import Period
from samleng.reporting.domain.publication import (
    BACKLOG_COLUMNS,
    FEE_COLUMNS,
    SLA_COLUMNS,
    TREND_COLUMNS,
    table_id,
)
from samleng.reporting.domain.suppression import TOTAL_ROW, SuppressedTable
from samleng.reporting.entrypoints.charts import grouped_bars, horizontal_bars
from samleng.reporting.entrypoints.dashboard_accountability import (
    monthly_section,
    offices_section,
    overall_section,
    share_rows,
)
from samleng.reporting.entrypoints.deps import CalendarDep, PublicationsDep, SettingsDep
from samleng.reporting.entrypoints.opendata import (
    TABLE_RESPONSES,
    PeriodParam,
    period_of,
    published,
)

Lang = Literal["km", "en"]

TEXT: dict[str, dict[str, str]] = {
    "title": {"km": "សំឡេង — ស្ថិតិសាធារណៈ", "en": "Samleng — public statistics"},
    "period": {"km": "រយៈពេល", "en": "Period"},
    "updated": {"km": "ធ្វើបច្ចុប្បន្នភាពចុងក្រោយ", "en": "Last updated"},
    "trend": {"km": "ករណីបានទទួល និងបានដោះស្រាយ តាមខែ", "en": "Received and resolved by month"},
    "backlog": {
        "km": "ករណីនៅសល់ពីមុន តាមឆ្នាំទទួល",
        "en": "Cases carried over, by year received",
    },
    "fees": {
        "km": "សេវាដែលមានរបាយការណ៍ទារប្រាក់លើស",
        "en": "Services with reports of extra fees",
    },
    "sla": {
        "km": "ករណីដែលការិយាល័យដោះស្រាយទាន់កាលកំណត់ តាមខេត្ត",
        "en": "Cases whose offices kept every deadline, by province",
    },
    "provinces": {"km": "តារាងតាមខេត្ត", "en": "Table by province"},
    "province": {"km": "ខេត្ត/រាជធានី", "en": "Province"},
    "other_lang": {"km": "English", "en": "ខ្មែរ"},
    "open_data": {"km": "ទិន្នន័យបើកចំហ (CSV)", "en": "Open data (CSV)"},
    "still_open": {"km": "នៅកំពុងដោះស្រាយ", "en": "Still open"},
    "open_at_start": {"km": "នៅសល់ដើមគ្រា", "en": "Open at start"},
    "desks": {
        "km": "បញ្ជរ ខ្សែទូរស័ព្ទ និងបណ្តាញសង្គម៖ ករណី និងសារ",
        "en": "Counters, hotline and social media: cases and messages",
    },
    "desk": {"km": "បញ្ជរ", "en": "Desk"},
    "no_desks": {
        "km": "គ្មានករណី ឬសារតាមបញ្ជរក្នុងរយៈពេលនេះទេ។",
        "en": "No cases or messages at the desks in this period.",
    },
}

STYLE = """
body{font-family:"Khmer OS","Khmer OS System","Noto Sans Khmer",sans-serif;margin:0;
padding:12px;color:#222;background:#fafafa;line-height:1.6}
main{max-width:760px;margin:0 auto}h1{font-size:1.4rem;margin:.2rem 0}
h2{font-size:1.1rem;margin:1.4rem 0 .4rem}section{background:#fff;border-radius:8px;
padding:10px;margin-bottom:10px;box-shadow:0 1px 2px #0002}svg.chart{width:100%;height:auto}
table{border-collapse:collapse;width:100%;font-size:.9rem}th,td{padding:4px 6px;
border-bottom:1px solid #ddd;text-align:right}th:first-child,td:first-child{text-align:left}
.wrap{overflow-x:auto}.note{font-size:.8rem;color:#555}nav a{margin-right:12px}
"""


router = APIRouter(tags=["dashboard"])


@router.get(
    "/dashboard",
    response_class=HTMLResponse,
    responses={k: v for k, v in TABLE_RESPONSES.items() if k != 200},
)
async def dashboard(
    publications: PublicationsDep,
    settings: SettingsDep,
    calendar: CalendarDep,
    lang: Annotated[Lang | None, Query(description="km or en; else Accept-Language")] = None,
    period: PeriodParam | None = None,
    accept_language: Annotated[str | None, Header()] = None,
) -> HTMLResponse:
    """The public dashboard for a period (this year by default), in the language asked for
    (``?lang=``), else the one the browser prefers most, else Khmer."""
    released = datetime.now(UTC)
    if settings.monthly_release:  # figures as of this month's start: last month's year
        released = calendar.month_start(released) - timedelta(microseconds=1)
    this_year = str(calendar.local_date(released).year)
    chosen = period_of(period if period is not None else this_year, calendar)
    year = f"{chosen.first_day.year:04d}"  # the backlog is published per year
    month = min(chosen.months()[-1], calendar.local(released).strftime("%Y-%m"))
    offices = chosen.label if len(chosen.months()) > 1 else _quarter_of(chosen.label)
    wanted = {
        "overall": (f"overall/{chosen.label}/national", OVERALL_TABLE),
        "offices": (f"offices/{offices}/national", OFFICES_TABLE),
        "monthly": (f"monthly/{month}/national", MONTHLY_COLUMNS),
        "trend": (table_id("trend", chosen.label), TREND_COLUMNS),
        "backlog": (table_id("backlog", year), BACKLOG_COLUMNS),
        "fees": (table_id("fees", chosen.label), FEE_COLUMNS),
        "sla": (table_id("sla", chosen.label), SLA_COLUMNS),
        "provinces": (table_id("status", chosen.label), STATUS_COLUMNS),
        "desks": (table_id("desks", chosen.label), DESK_COLUMNS),
    }
    found, edition = await published(publications, chosen, dict(wanted.values()))
    tables = {key: found[name] for key, (name, _) in wanted.items()}
    reader = lang or language_of(accept_language)
    page = _page(reader, chosen, edition.last_updated, tables, settings.small_cell_threshold, month)
    return HTMLResponse(page, headers={"Content-Language": reader, "Vary": "Accept-Language"})


def _t(key: str, lang: Lang) -> str:
    return TEXT[key][lang] if key in TEXT else label(key)[lang]


def _body_rows(table: SuppressedTable) -> list[str]:
    return [r for r in table.rows if r != TOTAL_ROW]


def _service_name(code: str, lang: Lang) -> str:
    try:
        service = service_catalogue().service(code)
    except UnknownService:
        return label(code)[lang]
    return service.name_km if lang == "km" else service.name_en


def _page(
    lang: Lang,
    chosen: Period,
    updated: datetime | None,
    tables: dict[str, SuppressedTable],
    threshold: int,
    month: str,
) -> str:
    period = chosen.label
    names = area_names()
    trend = tables["trend"]
    months = _body_rows(trend)
    trend_svg = grouped_bars(
        "chart-trend",
        _t("trend", lang),
        [short_month(int(m[5:7]), lang) for m in months],
        [(_t(c, lang), [trend.cells[(m, c)] for m in months]) for c in ("received", "resolved")],
        value_text=lambda value: _fmt(value, lang),
    )
    backlog = tables["backlog"]
    years = _body_rows(backlog)
    backlog_svg = grouped_bars(
        "chart-backlog",
        _t("backlog", lang),
        [digits(y, lang) for y in years],
        [
            (_t(c, lang), [backlog.cells[(y, c)] for y in years])
            for c in ("open_at_start", "resolved", "still_open")
        ],
        value_text=lambda value: _fmt(value, lang),
    )
    fees = tables["fees"]
    top = sorted(_body_rows(fees), key=lambda s: -(fees.cells[(s, "reports")] or 0))[:8]
    fees_svg = horizontal_bars(
        "chart-fees",
        _t("fees", lang),
        [
            (
                _service_name(s, lang),
                fees.cells[(s, "reports")],
                _fmt(fees.cells[(s, "reports")], lang),
            )
            for s in top
        ],
    )
    sla = tables["sla"]
    sla_rows = share_rows(sla, "met", names, lang, _body_rows(sla))
    sla_svg = horizontal_bars("chart-sla", _t("sla", lang), sla_rows, maximum=100)
    provinces = tables["provinces"]
    columns = ("received", "open", "resolved", "rejected", "forwarded", "escalated")
    head = "".join(f"<th>{escape(_t(c, lang))}</th>" for c in columns)
    body = "".join(
        "<tr><td>"
        + escape(names.get(r, label(r))[lang])
        + "</td>"
        + "".join(f"<td>{_fmt(provinces.cells[(r, c)], lang)}</td>" for c in columns)
        + "</tr>"
        for r in provinces.rows
    )
    other = "en" if lang == "km" else "km"
    rule = SUPPRESSION_RULE[lang].format(k_minus_1=threshold - 1)
    updated_text = "—"
    if updated:
        local = chosen.calendar.local(updated)
        clock = digits(local.strftime("%H:%M"), lang)
        updated_text = f"{day(local, lang)} {clock} ({escape(local.tzname() or '')})"
    return f"""<!doctype html>
<html lang="{lang}"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{escape(_t("title", lang))}</title><style>{STYLE}</style></head>
<body><main>
<nav><a href="?lang={other}&amp;period={escape(period)}">{_t("other_lang", lang)}</a>
<a href="/v1/open-data/status?period={escape(period)}&amp;format=csv">{_t("open_data", lang)}</a>
</nav>
<h1 id="title">{escape(_t("title", lang))}</h1>
<p class="note">{_t("period", lang)}: {escape(_period_text(period, lang))} ·
{_t("updated", lang)}: {updated_text}</p>
<section><h2>{escape(_t("trend", lang))}</h2>{trend_svg}</section>
<section><h2>{escape(_t("backlog", lang))}</h2>{backlog_svg}</section>
<section><h2>{escape(_t("fees", lang))}</h2>{fees_svg}</section>
<section><h2>{escape(_t("sla", lang))}</h2>{sla_svg}</section>
{overall_section(tables["overall"], names, lang)}
{offices_section(tables["offices"], lang)}
{monthly_section(tables["monthly"], month, lang)}
{_desks_section(tables["desks"], lang)}
<section><h2 id="provinces-title">{escape(_t("provinces", lang))}</h2>
<div class="wrap" tabindex="0" role="region" aria-labelledby="provinces-title">
<table id="provinces">
<thead><tr><th>{_t("province", lang)}</th>{head}</tr></thead><tbody>{body}</tbody></table></div>
</section>
<p class="note">[c]: {escape(rule)}</p>
</main></body></html>"""


def _desks_section(desks: SuppressedTable, lang: Lang) -> str:
    """Cases filed at each desk and the social-media desk's messages, as a table."""
    title = f'<h2 id="desks-title">{escape(_t("desks", lang))}</h2>'
    if not desks.rows:
        return f'<section>{title}<p class="note">{escape(_t("no_desks", lang))}</p></section>'
    head = "".join(f"<th>{escape(_t(c, lang))}</th>" for c in desks.columns)
    body = "".join(
        f"<tr><td>{escape(label(r)[lang])}</td>"
        + "".join(f"<td>{_fmt(desks.cells[(r, c)], lang)}</td>" for c in desks.columns)
        + "</tr>"
        for r in desks.rows
    )
    return f"""<section>{title}
<div class="wrap" tabindex="0" role="region" aria-labelledby="desks-title">
<table id="desks"><thead><tr><th>{_t("desk", lang)}</th>{head}</tr></thead>
<tbody>{body}</tbody></table></div></section>"""


def _fmt(value: float | None, lang: Lang) -> str:
    return "[c]" if value is None else number(value, lang)


def _quarter_of(month: str) -> str:
    return f"{month[:4]}-Q{(int(month[5:7]) - 1) // 3 + 1}"


def _period_text(period: str, lang: Lang) -> str:
    """A period label for a reader: "2026", "2026-Q2" or a month by name ("ធ្នូ ២០២៦")."""
    if len(period) == 7 and period[4] == "-" and period[5:].isdigit():
        return f"{month_name(int(period[5:]), lang)} {digits(period[:4], lang)}"
    return digits(period, lang)
