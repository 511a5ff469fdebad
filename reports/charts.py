"""Charts of the HTML report, drawn from the report model as inline SVG (the file opens offline).

matplotlib draws the network's charts; each function returns an `<svg>` element ready to paste in
HTML (no XML prolog, DOCTYPE, metadata or namespace URLs, so the report references no external
address) with its text alternative. Readability rules: one series per panel or a legend outside
the plotting area (never over the data), percent and hour axes labelled in the reader's
language, months as short dates. Charts never show names: only counts, shares and months.
"""

from __future__ import annotations

import io
import math
import re
from dataclasses import dataclass

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
from matplotlib.collections import PolyCollection  # noqa: E402
from matplotlib.lines import Line2D  # noqa: E402
from matplotlib.patches import Patch  # noqa: E402
from matplotlib.ticker import FuncFormatter, MaxNLocator  # noqa: E402

from analytics.indicators import top_repliers  # noqa: E402
from analytics.report_model import MonthReport, Row, ScopeModel  # noqa: E402
from core.i18n import _, ngettext  # noqa: E402
from core.vocabulary import AXES  # noqa: E402
from reports.formatting import Formatter  # noqa: E402
from reports.wording import axis_label, label  # noqa: E402

plt.rcParams.update(
    {
        "svg.fonttype": "none",  # text stays text: smaller, searchable, no embedded glyphs
        "svg.hashsalt": "campus",  # stable element ids: the same data gives the same file
        "text.parse_math": False,  # a cooperative's name is shown as written, "$" included
        "font.family": "sans-serif",
        "font.size": 9,
        "axes.spines.top": False,
        "axes.spines.right": False,
    }
)

LINE = "#1b6ca8"
# the barometer's five answers, from « pas du tout d'accord » (red) to « tout à fait » (green)
SCALE_COLOURS = ["#b2182b", "#ef8a62", "#d9d9d9", "#67a9cf", "#2166ac"]

_PROLOG = re.compile(r"^.*?(?=<svg)", re.DOTALL)
_METADATA = re.compile(r"<metadata>.*?</metadata>\s*", re.DOTALL)
_NAMESPACES = re.compile(r'\s+xmlns(?::\w+)?="[^"]*"')


@dataclass(frozen=True)
class Chart:
    """An inline SVG chart and its text alternative."""

    svg: str
    alt: str


def _svg(figure) -> str:
    buffer = io.StringIO()
    figure.savefig(buffer, format="svg", metadata={"Date": None})
    plt.close(figure)
    text = _PROLOG.sub("", buffer.getvalue(), count=1)
    text = _METADATA.sub("", text)
    text = _NAMESPACES.sub("", text)
    return text.replace("xlink:href", "href").strip()


def _tick_formatter(unit: str, fmt: Formatter) -> FuncFormatter:
    if unit == "share":
        return FuncFormatter(lambda value, _pos: fmt.value(value, "share"))
    if unit == "hours":
        return FuncFormatter(lambda value, _pos: fmt.value(value, "count") + " h")
    return FuncFormatter(lambda value, _pos: fmt.value(value, "count"))


GRID = dict(left=0.06, right=0.975, top=0.93, wspace=0.3, hspace=0.45)
"""Margins of the many-panel charts, drawn once per cooperative: fixed, as a layout engine
would spend most of the drawing time finding the same ones again."""


def _bars(x: np.ndarray, bottom: np.ndarray, heights: np.ndarray, colour: str) -> PolyCollection:
    """Bars 0.8 wide as one collection: one artist, not one per bar (much faster to draw)."""
    left, right, top = x - 0.4, x + 0.4, bottom + heights
    corners = np.stack([[left, bottom], [left, top], [right, top], [right, bottom]])
    return PolyCollection(corners.transpose(2, 0, 1), facecolors=colour, linewidths=0)


def _month_ticks(panel, months: list[str], fmt: Formatter, most: int = 3) -> None:
    """At most `most` month labels, the last month always named: a small panel holds three."""
    step = max(1, math.ceil(len(months) / most))
    positions = list(range(len(months) - 1, -1, -step))[::-1]
    panel.set_xticks(positions, [fmt.short_month(months[i]) for i in positions], fontsize=7)
    panel.set_xlim(-0.5, len(months) - 0.5)


NETWORK_LINE = "#8a8a8a"
COMPARABLE_UNITS = ("share", "hours")  # drawn beside the network's (not head counts)


def _history(row: Row) -> np.ndarray:
    return np.array([np.nan if v is None else v for v in row.history], dtype=float)


GOOD = "#1e7b3a"  # the report's colours for a change judged better or worse (its CSS)
BAD = "#b3261e"
VERDICT_COLOURS = {"better": GOOD, "worse": BAD}
COVERAGE_LINE = "#9aa5ad"


def _current_month(panel, x: float, value: float, verdict: str | None) -> None:
    """The report's month: green or red only where its change is judged better or worse (in
    the indicator's better direction), else a neutral ring."""
    colour = VERDICT_COLOURS.get(verdict or "")
    if colour is None:
        panel.plot(x, value, "o", markerfacecolor="white", markeredgecolor=LINE, markersize=5)
    else:
        panel.plot(x, value, "o", color=colour, markersize=5)


def _coverage_start(report: MonthReport) -> int | None:
    """Where the mirror's first month falls in the charts' months (None: before them all)."""
    first = report.first_month
    if first is None or first <= report.months[0] or first not in report.months:
        return None
    return report.months.index(first)


def _legend(scope: ScopeModel, beside: bool, start: int | None, lang: str) -> list[Line2D]:
    """The key figures' legend: the lines, the month's marks, and the mirror's start."""
    handles = []
    if beside:
        handles += [
            Line2D([], [], color=LINE, marker="o", markersize=2.5, linewidth=1.5, label=scope.name),
            Line2D(
                [],
                [],
                color=NETWORK_LINE,
                linestyle="--",
                linewidth=1.2,
                label=_("réseau (taux et délais)", lang=lang),
            ),  # fmt: skip
        ]
    handles += [
        Line2D(
            [],
            [],
            linestyle="",
            marker="o",
            markerfacecolor="white",
            markeredgecolor=LINE,
            label=_("ce mois : stable ou non jugé", lang=lang),
        ),  # fmt: skip
        Line2D([], [], linestyle="", marker="o", color=GOOD, label=_("ce mois : mieux", lang=lang)),
        Line2D(
            [], [], linestyle="", marker="o", color=BAD, label=_("ce mois : moins bien", lang=lang)
        ),  # fmt: skip
    ]
    if start is not None:
        handles.append(
            Line2D(
                [],
                [],
                color=COVERAGE_LINE,
                linestyle=":",
                linewidth=1.2,
                label=_("début du miroir (rien avant)", lang=lang),
            )  # fmt: skip
        )
    return handles


def key_figures_chart(
    report: MonthReport, fmt: Formatter, scope: ScopeModel | None = None
) -> Chart:
    """The key figures over the months: one small panel each. For a cooperative (`scope`), its
    line, with the network's beside it where both share a scale (shares and hours: head counts
    of one cooperative and of the whole network are not comparable). The report's month is
    coloured as the legend says (green better, red worse, else neutral); months before the
    mirror's first one have no point, and a dotted line marks where it starts."""
    lang = fmt.lang
    scope = scope or report.network
    beside = None if scope.slug is None else report.network
    start = _coverage_start(report)
    figure, panels = plt.subplots(2, 4, figsize=(11, 4.8))
    figure.subplots_adjust(**GRID, bottom=0.16 if beside is None else 0.2)
    x = np.arange(len(report.months))
    described = []
    for panel, key in zip(panels.flat, report.key_figures, strict=True):
        row = scope.row(key)
        values = _history(row)
        panel.set_title(label(key, lang), fontsize=8, loc="left", wrap=True)
        _month_ticks(panel, report.months, fmt)
        if start is not None:
            panel.axvline(start - 0.5, color=COVERAGE_LINE, linestyle=":", linewidth=1.2)
        if np.isnan(values).all():
            panel.text(0.5, 0.5, _("Trop peu de données", lang=lang), ha="center", va="center",
                       transform=panel.transAxes, color="#777")  # fmt: skip
            panel.set_yticks([])
            continue
        first = next(v for v in row.history if v is not None)
        detail = f"{label(key, lang)} : {fmt.value(first, row.unit)} → "
        detail += fmt.value(row.history[-1], row.unit)
        if beside is not None and row.unit in COMPARABLE_UNITS:
            network = beside.row(key)
            panel.plot(x, _history(network), color=NETWORK_LINE, linestyle="--", linewidth=1.2)
            value = fmt.value(network.history[-1], row.unit)
            detail += " (" + _("réseau : {value}", lang=lang, value=value) + ")"
        panel.plot(x, values, color=LINE, marker="o", markersize=2.5, linewidth=1.5)
        if not np.isnan(values[-1]):
            _current_month(panel, x[-1], values[-1], row.trend.verdict)
        panel.yaxis.set_major_formatter(_tick_formatter(row.unit, fmt))
        counted = row.unit not in COMPARABLE_UNITS  # head counts: whole ticks, never 0,3
        panel.yaxis.set_major_locator(MaxNLocator(4, integer=counted))
        panel.set_ylim(0, max(panel.get_ylim()[1] * 1.05, 1 if counted else 0))  # dots whole
        described.append(detail)
    handles = _legend(scope, beside is not None, start, lang)
    figure.legend(handles=handles, loc="lower center", ncols=3, frameon=False, fontsize=8)
    alt = _(
        "Évolution des chiffres clés sur {n} mois ({first} → {last}) : {details}.",
        lang=lang,
        n=len(report.months),
        first=fmt.short_month(report.months[0]),
        last=fmt.short_month(report.months[-1]),
        details=" ; ".join(described) or "–",
    )
    if start is not None:
        alt += " " + _(
            "Le miroir commence en {month} : aucun chiffre avant.",
            lang=lang,
            month=fmt.short_month(report.months[start]),
        )
    return Chart(_svg(figure), alt)


def response_chart(bins: list[int], fmt: Formatter) -> Chart:
    """How long the month's questions waited for a first response (bars by delay band)."""
    lang = fmt.lang
    names = _("< 1 h|1–4 h|4–12 h|12–24 h|24–48 h|2–7 j|> 7 j|sans réponse", lang=lang).split("|")
    figure, panel = plt.subplots(figsize=(8, 3), layout="constrained")
    colours = [LINE] * 5 + ["#edae49"] * 2 + ["#d1495b"]
    bars = panel.bar(range(len(names)), bins, color=colours)
    panel.bar_label(bars, fontsize=7, padding=2)
    panel.set_xticks(range(len(names)), names, fontsize=8)
    panel.set_ylabel(_("questions", lang=lang))
    panel.set_xlabel(_("délai avant la première réponse d'une autre personne", lang=lang))
    panel.margins(y=0.15)
    alt = _(
        "Questions du mois par délai de première réponse : {details}.",
        lang=lang,
        details=", ".join(f"{name} : {count}" for name, count in zip(names, bins, strict=True)),
    )
    return Chart(_svg(figure), alt)


def load_chart(curve: list[tuple[float, float]], fmt: Formatter) -> Chart:
    """Cumulative share of replies against the share of repliers, most active first; the point
    of "the top 10 %" marked as the key figure counts it: the ⌈10 % × repliers⌉ most active."""
    lang = fmt.lang
    people = np.array([p for p, _r in curve]) * 100
    replies = np.array([r for _p, r in curve]) * 100
    repliers = len(curve) - 1  # the curve starts at (0, 0)
    top = top_repliers(repliers)
    figure, panel = plt.subplots(figsize=(6, 3.8), layout="constrained")
    panel.plot(people, replies, color="#d1495b", linewidth=2, label=_("ce mois-ci", lang=lang))
    panel.plot([0, 100], [0, 100], color="#999", linestyle="--",
               label=_("si chacun·e répondait autant", lang=lang))  # fmt: skip
    panel.plot(people[top], replies[top], "o", color="#1d2a33", markersize=5,
               label=_("les 10 % les plus actifs", lang=lang))  # fmt: skip
    panel.set_xlim(0, 100)
    panel.set_ylim(0, 100)
    percent = FuncFormatter(lambda value, _pos: fmt.value(value / 100, "share"))
    panel.xaxis.set_major_formatter(percent)
    panel.yaxis.set_major_formatter(percent)
    panel.set_xlabel(_("part des personnes ayant répondu (les plus actives d'abord)", lang=lang))
    panel.set_ylabel(_("part des réponses", lang=lang))
    figure.legend(loc="outside lower center", ncols=3, frameon=False, fontsize=8)
    alt = ngettext(
        "Courbe de concentration : les 10 % de personnes les plus actives ({n} personne sur "
        "{repliers}, arrondi au-dessus) écrivent {share} des réponses du mois.",
        "Courbe de concentration : les 10 % de personnes les plus actives ({n} personnes sur "
        "{repliers}, arrondi au-dessus) écrivent {share} des réponses du mois.",
        top,
        lang=lang,
        repliers=fmt.integer(repliers),
        share=fmt.value(replies[top] / 100, "share"),
    )
    return Chart(_svg(figure), alt)


def pulse_chart(
    distributions: dict[str, list[list[float] | None]], months: list[str], fmt: Formatter
) -> Chart | None:
    """The barometer as distributions over months: per axis, each month's answers 1–5 stacked
    as shares (a month with too few voters is left empty). None when no month has a result."""
    lang = fmt.lang
    if not any(share for series in distributions.values() for share in series):
        return None
    answers = [
        _("1 pas du tout d'accord", lang=lang),
        "2",
        "3",
        "4",
        _("5 tout à fait d'accord", lang=lang),
    ]
    figure, panels = plt.subplots(2, 3, figsize=(11, 5.2), sharey=True)
    figure.subplots_adjust(**GRID, bottom=0.13)
    x = np.arange(len(months))
    described = []
    for panel, axis in zip(panels.flat, AXES, strict=True):
        panel.set_title(axis_label(axis, lang), fontsize=8, loc="left")
        bottom = np.zeros(len(months))
        series = distributions[axis]
        for score in range(5):
            heights = np.array([s[score] if s else 0.0 for s in series])
            panel.add_collection(_bars(x, bottom, heights, SCALE_COLOURS[score]))
            bottom += heights
        panel.set_ylim(0, 1)
        panel.yaxis.set_major_formatter(FuncFormatter(lambda v, _p: fmt.value(v, "share")))
        _month_ticks(panel, months, fmt)
        latest = series[-1]
        if latest:
            agree = latest[3] + latest[4]
            described.append(f"{axis_label(axis, lang)} : {fmt.value(agree, 'share')}")
    handles = [
        Patch(color=colour, label=text) for colour, text in zip(SCALE_COLOURS, answers, strict=True)
    ]
    figure.legend(handles=handles, loc="lower center", ncols=5, frameon=False, fontsize=8)
    alt = _(
        "Réponses au baromètre par axe et par mois, de « pas du tout d'accord » à « tout à fait "
        "d'accord ». Part de réponses 4 ou 5 le dernier mois : {details}.",
        lang=lang,
        details=" ; ".join(described) or "–",
    )
    return Chart(_svg(figure), alt)


def cooperative_charts(
    report: MonthReport, scope: ScopeModel, fmt: Formatter
) -> dict[str, Chart | None]:
    """Every chart of a cooperative's report: its key figures beside the network's, and its
    barometer (None when no month has a result shown)."""
    return {
        "key": key_figures_chart(report, fmt, scope),
        "pulse": pulse_chart(scope.charts["pulse"], report.months, fmt),
    }


def network_charts(report: MonthReport, fmt: Formatter) -> dict[str, Chart | None]:
    """Every chart of the network report (None where the figure behind it is withheld)."""
    series = report.network.charts
    return {
        "key": key_figures_chart(report, fmt),
        "response": None if series["response"] is None else response_chart(series["response"], fmt),
        "load": load_chart(series["load"], fmt) if series["load"] else None,
        "pulse": pulse_chart(series["pulse"], report.months, fmt),
    }
