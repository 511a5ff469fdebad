"""What a monthly report says: scopes, indicators by axis, vigilance points, charts.

Built from an `Activity` (the prepared mirror); rendering to HTML/Markdown/CSV/JSON is in
`reports.render`. No member name ever enters this model: only cooperative names (from the
categories) and figures, which are suppressed below the minimum group size.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from analytics.indicators import (
    DEFINITIONS,
    Activity,
    Indicator,
    cooperatives,
    history,
    indicators,
    monthly_figures,
    reply_counts,
    response_hours,
)
from analytics.settings import IndicatorSettings
from analytics.vigilance import VigilancePoint, vigilance_points
from reports import charts
from reports.formatting import Formatter
from reports.settings import ReportSettings
from sync.pulse import AXES


@dataclass
class ScopeReport:
    """The network or one cooperative, for one month."""

    slug: str | None  # None: the network
    name: str
    indicators: list[Indicator]
    points: list[VigilancePoint]
    charts: dict[str, str] = field(default_factory=dict)  # name -> inline SVG, or "" if suppressed

    @property
    def key(self) -> str:
        return self.slug or "network"

    def by_axis(self) -> list[tuple[str, list[Indicator], list[VigilancePoint]]]:
        """Indicators and points grouped by Gollac axis, in the report's order."""
        return [
            (
                axis,
                [row for row in self.indicators if row.axis == axis],
                [point for point in self.points if point.axis == axis],
            )
            for axis in AXES
        ]


@dataclass
class Report:
    month: str
    generated_at: datetime
    lang: str
    min_group_size: int
    network: ScopeReport
    cooperatives: list[ScopeReport]
    months: list[str]  # months of the trend charts, oldest first


def cooperative_names(activity: Activity) -> dict[str, str]:
    """Each cooperative's display name: the name of its top-level category, else its slug."""
    categories = activity.forum.categories
    top = categories[categories["parent_id"].isna()].set_index("slug")["name"]
    return {slug: str(top.get(slug, slug)) for slug in cooperatives(activity.forum)}


def build_scope(
    activity: Activity,
    month: str,
    slug: str | None,
    name: str,
    settings: ReportSettings,
    thresholds: IndicatorSettings,
    fmt: Formatter,
    with_charts: bool,
) -> tuple[ScopeReport, list[str]]:
    """One scope's indicators, points and (optionally) charts; also the trend months."""
    figures = monthly_figures(activity, month, slug, settings.history_months if with_charts else 3)
    rows = indicators(activity, month, slug, settings.min_group_size, figures)
    scope = ScopeReport(slug, name, rows, vigilance_points(rows, thresholds))
    months = list(figures)
    if with_charts:
        by_id = {row.id: row for row in rows}
        scope.charts["trend"] = charts.trend_chart(
            history(activity, slug, figures, settings.min_group_size), months, fmt
        )
        scope.charts["response"] = (
            ""
            if by_id["answered_48h"].suppressed
            else charts.response_chart(response_hours(activity, month, slug), fmt)
        )
        scope.charts["load"] = (
            ""
            if by_id["top_decile_share"].suppressed
            else charts.load_chart(reply_counts(activity, month, slug), fmt)
        )
    return scope, months


def build_content(
    activity: Activity,
    month: str,
    settings: ReportSettings,
    thresholds: IndicatorSettings,
    lang: str,
    generated_at: datetime,
    only: str | None = None,
) -> Report:
    """The report of `month`: the network, then every cooperative (or only `only`).

    Charts are drawn for the network only: 74 cooperatives × 3 charts would triple the time."""
    fmt = Formatter(lang, activity.tz)
    names = cooperative_names(activity)
    network_name = "Réseau" if lang == "fr" else "Network"
    network, months = build_scope(
        activity, month, None, network_name, settings, thresholds, fmt, with_charts=True
    )
    slugs = [only] if only else sorted(names)
    coops = [
        build_scope(
            activity,
            month,
            slug,
            names.get(slug, slug),
            settings,
            thresholds,
            fmt,
            with_charts=False,
        )[0]
        for slug in slugs
    ]
    return Report(
        month=month,
        generated_at=generated_at,
        lang=lang,
        min_group_size=settings.min_group_size,
        network=network,
        cooperatives=coops,
        months=months,
    )


def definition_rows(lang: str) -> list[tuple[str, str, str]]:
    """(axis, label, definition) of every indicator, for the annex."""
    return [
        (d.axis, getattr(d, lang), getattr(d, f"definition_{lang}")) for d in DEFINITIONS.values()
    ]
