"""cohort.pdf: the published cells of a cohort table laid out for a school, a
municipality or the region, on the personal reports' sandbox, fetcher and fonts."""

from __future__ import annotations

from typing import Any, Literal

from profdiag._cohort.charts import colour, dots, stacked_bars, trend_lines
from profdiag._cohort.measures import NO_ANSWER, TIE, TOTAL, Measure
from profdiag._cohort.tables import OTHER, CohortRow, CohortTables
from profdiag._instrument.model import Instrument

Language = Literal["ru", "en"]

TEXTS: dict[str, dict[str, str]] = {
    "ru": {
        "title": "Результаты диагностики: сводка по группам",
        "instrument": "Методика",
        "groups": "Группы",
        "years": "Годы",
        "k_rule": (
            "Защита данных: ни одно опубликованное число не лежит между 1 и {k1}; такие "
            "ячейки скрыты вместе с дополнительными, чтобы их нельзя было вычислить из "
            "итогов. Группы меньше {k} человек объединены в «другие». Заштрихованная часть "
            "полосы — скрытые ячейки (их доли не показаны)."
        ),
        "latest": "Год {year}",
        "by_group": "Распределение по группам",
        "overall": "Все группы вместе",
        "trend": "Изменение по годам (все группы)",
        "means": "Средние баллы по группам",
        "scale_range": "шкала от {low} до {high}",
        "other": "другие",
        "total": "все",
        "tie": "несколько равных",
        "hidden": "скрыто",
        "n": "чел.",
        "share_note": "Доли — от ответивших на вопрос.",
        "no_years": "—",
        "page": "Стр.",
        "page_of": "из",
    },
    "en": {
        "title": "Assessment results: summary by group",
        "instrument": "Instrument",
        "groups": "Groups",
        "years": "Years",
        "k_rule": (
            "Disclosure control: no published count lies between 1 and {k1}; such cells are "
            "hidden together with complementary ones, so that totals cannot reveal them. "
            "Groups under {k} are merged into 'other'. The hatched part of a bar stands for "
            "the hidden cells (their shares are not shown)."
        ),
        "latest": "Year {year}",
        "by_group": "Distribution by group",
        "overall": "All groups together",
        "trend": "Change over the years (all groups)",
        "means": "Mean scores by group",
        "scale_range": "scale from {low} to {high}",
        "other": "other",
        "total": "all",
        "tie": "several equal",
        "hidden": "hidden",
        "n": "n",
        "share_note": "Shares of those who answered the item.",
        "no_years": "—",
        "page": "Page",
        "page_of": "of",
    },
}


def cohort_context(
    tables: CohortTables, instrument: Instrument, *, language: Language, title: str | None
) -> dict[str, Any]:
    """A plain dict for cohort.html.j2, from published rows only."""
    t = TEXTS[language]
    years = sorted({row.year for row in tables.rows if row.year is not None}, key=_order)
    latest = years[-1] if years else None
    sections = []
    shown_year = t["latest"].format(year=latest) if latest and len(years) > 1 else ""
    for measure in tables.measures:
        rows = [row for row in tables.rows if row.measure == measure.id]
        if measure.kind == "scale":
            sections.append(_scale_section(measure, rows, instrument, latest, language))
        else:
            sections.append(_category_section(measure, rows, years, latest, language))
        sections[-1]["year"] = shown_year
    return {
        "lang": language,
        "t": t,
        "title": title or t["title"],
        "instrument": instrument.title.get(language),
        "groups": ", ".join(tables.by),
        "years": ", ".join(years) if years else t["no_years"],
        "k_rule": t["k_rule"].format(k=tables.min_cell, k1=tables.min_cell - 1),
        "sections": sections,
    }


def _order(year: str) -> tuple[int, float, str]:
    try:
        return (0, float(year), year)
    except ValueError:
        return (1, 0.0, year)


def _group_name(group: tuple[str, ...], language: Language) -> str:
    t = TEXTS[language]
    if group and all(part == TOTAL for part in group):
        return t["total"]
    if group and all(part == OTHER for part in group):
        return t["other"]
    return " / ".join(group)


def _label(measure: Measure, index: int, language: Language) -> str:
    code = measure.categories[index]
    if code == TIE:
        return TEXTS[language]["tie"]
    label = measure.labels[index] if index < len(measure.labels) else None
    return label.get(language) if label is not None else code


def _category_section(
    measure: Measure,
    rows: list[CohortRow],
    years: list[str],
    latest: str | None,
    language: Language,
) -> dict[str, Any]:
    t = TEXTS[language]
    title = measure.title.get(language) if measure.title else measure.id
    now = [row for row in rows if row.year == latest]
    groups = list(dict.fromkeys(row.group for row in now))
    cell = {(row.group, row.category): row for row in now}
    categories = list(measure.categories)
    legend = []
    overall = groups[-1] if groups else ()
    for index, code in enumerate(categories):
        row = cell.get((overall, code))
        legend.append(
            {
                "colour": colour(index),
                "label": _label(measure, index, language),
                "n": "" if row is None or row.n is None else str(row.n),
                "share": "" if row is None or row.share is None else f"{row.share:.0%}",
            }
        )
    chart = None
    if measure.kind == "single":
        bars = [
            (
                _group_name(group, language) + f" ({_n_of(cell, group)})",
                [_share(cell.get((group, code))) for code in categories],
            )
            for group in groups
        ]
        chart = stacked_bars(bars, title + ": " + t["by_group"], t["hidden"])
    else:
        bars = [
            (_label(measure, index, language)[:40], [_share(cell.get((overall, code)))])
            for index, code in enumerate(categories)
        ]
        chart = stacked_bars(bars, title + ": " + t["overall"], t["hidden"])
    trend = None
    if len(years) > 1:
        overall_rows = {(row.year, row.category): row for row in rows if row.group == overall}
        series = [
            (code, [_share(overall_rows.get((year, code))) for year in years])
            for code in categories
        ]
        trend = trend_lines(years, series, title + ": " + t["trend"])
    return {
        "title": title,
        "kind": measure.kind,
        "legend": legend,
        "chart": chart,
        "trend": trend,
        "range": "",
    }


def _n_of(cell: dict[tuple[tuple[str, ...], str], CohortRow], group: tuple[str, ...]) -> str:
    row = cell.get((group, TOTAL))
    return "" if row is None or row.n is None else str(row.n)


def _share(row: CohortRow | None) -> float | None:
    if row is None or row.share is None or row.category in (NO_ANSWER, TOTAL):
        return None
    return row.share


def _scale_section(
    measure: Measure,
    rows: list[CohortRow],
    instrument: Instrument,
    latest: str | None,
    language: Language,
) -> dict[str, Any]:
    t = TEXTS[language]
    title = measure.title.get(language) if measure.title else measure.id
    from profdiag._scoring.plan import compile_plan

    scale_id = measure.id.split(":", 1)[1]
    position = [scale.id for scale in instrument.scales].index(scale_id)
    low, high = compile_plan(instrument).scale_ranges[position]
    means = [row for row in rows if row.year == latest and row.category == "mean"]
    points = [(_group_name(row.group, language), row.value) for row in means]
    return {
        "title": title,
        "kind": "scale",
        "legend": [],
        "chart": dots(points, float(low), float(high), title + ": " + t["means"]),
        "trend": None,
        "range": t["scale_range"].format(low=f"{low:g}", high=f"{high:g}"),
    }


def cohort_pdf(
    tables: CohortTables,
    instrument: Instrument,
    *,
    language: Language = "ru",
    title: str | None = None,
) -> bytes:
    """cohort.pdf as bytes: the package's cohort template in its sandbox, rendered with
    the assets-only fetcher and the bundled fonts."""
    from profdiag._report.environment import report_environment
    from profdiag._report.render import _source_date_epoch, html_to_pdf

    context = cohort_context(tables, instrument, language=language, title=title)
    html = report_environment().get_template("cohort.html.j2").render(context)
    with _source_date_epoch():
        return html_to_pdf(html)
