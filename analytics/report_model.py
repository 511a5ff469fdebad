"""The month's whole report as plain data, computed in one pass (DESIGN §7).

`month_report` reads the prepared mirror (`Activity`) once for every month it needs and returns a
`MonthReport`: for the network and each cooperative, every indicator with its n, suppression,
previous month, 3-month mean, its year of history, its trend judged against the noise
(`analytics.trends`) in its declared better direction (`analytics.catalogue`), and, for a cooperative, the network's
figure beside it; the points of attention with the keys of their texts; the ranking of the
cooperatives that need attention first; and the series of the charts. Nothing in it is text for a
reader: `reports` renders it (HTML, Markdown, CSV, JSON, PDF, web pages) and owns the words.
No member name enters it: only cooperative names (from the categories) and figures.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from datetime import datetime

import numpy as np
import pandas as pd

from analytics.catalogue import CATALOGUE
from analytics.coverage import Coverage
from analytics.indicators import (
    Activity,
    Indicator,
    monthly_figures,
    reply_counts,
    response_hours,
)
from analytics.pooling import Window, history, indicators
from analytics.settings import IndicatorSettings
from analytics.trends import NOT_JUDGED, Trend, judge
from analytics.vigilance import VigilancePoint, vigilance_points
from core.vocabulary import AXES, shift_month

RESPONSE_BIN_EDGES = (0, 1, 4, 12, 24, 48, 168, math.inf)  # hours; then "no answer"
SCALE = 5  # barometer answers 1 to 5


@dataclass(frozen=True)
class Row:
    """One indicator of one scope for month M, ready to render."""

    id: str
    axis: str
    unit: str
    family: str
    better: str | None
    value: float | None
    n: int
    suppressed: bool
    previous: float | None
    previous_n: int
    previous_suppressed: bool
    mean_3m: float | None
    trend: Trend
    history: list[float | None]  # shown values of `MonthReport.months`, oldest first
    network_value: float | None = None  # cooperatives only: the network's shown value
    network_n: int = 0
    window: Window | None = None  # the value's window (`analytics.pooling`); None: the month


@dataclass(frozen=True)
class Attention:
    """A cooperative that needs attention: its points and the axes they fall on."""

    slug: str
    name: str
    points: int
    axes: list[str]
    indicators: list[str]


@dataclass
class ScopeModel:
    """The network (`slug` None) or one cooperative, for month M."""

    slug: str | None
    name: str
    rows: list[Row]
    points: list[VigilancePoint]
    charts: dict = field(default_factory=dict)

    @property
    def key(self) -> str:
        return self.slug or "network"

    def row(self, key: str) -> Row:
        return next(row for row in self.rows if row.id == key)

    def by_axis(self) -> list[tuple[str, list[Row], list[VigilancePoint]]]:
        """Rows and points grouped by Gollac axis, in the report's order."""
        return [
            (
                axis,
                [row for row in self.rows if row.axis == axis],
                [point for point in self.points if point.axis == axis],
            )
            for axis in AXES
        ]


@dataclass
class MonthReport:
    """Everything the month's reports show (see the module doc)."""

    month: str
    months: list[str]  # months of the histories, oldest first, ending with `month`
    generated_at: datetime
    coverage: Coverage
    min_group_size: int
    tz: str
    network: ScopeModel
    cooperatives: list[ScopeModel]
    ranking: list[Attention]
    key_figures: tuple[str, ...] = field(default_factory=CATALOGUE.key_figures)


def _rows(
    activity: Activity,
    month: str,
    slug: str | None,
    min_group_size: int,
    months: int,
    network: dict[str, Row] | None,
) -> list[Row]:
    """Every indicator of `slug` for `month`, with trend, history and the network beside it."""
    figures = monthly_figures(activity, month, slug, months)
    base = indicators(activity, month, slug, min_group_size, figures)
    series = history(activity, slug, figures, min_group_size)
    rows = []
    exact = list(figures.values())  # the trend is judged on the exact monthly figures …
    for item in base:
        spec = CATALOGUE[item.id]
        trend = judge(
            item.unit,
            spec.better,
            exact[-1][item.id].value,
            exact[-2][item.id].value,
            n=item.n,
            previous_n=item.previous_n,
            history=[by_key[item.id].value for by_key in exact[:-1]],
        )
        if series[item.id][-1] is None or item.previous is None:
            trend = NOT_JUDGED  # … and published only between two monthly figures shown
        beside = network.get(item.id) if network else None
        rows.append(
            Row(
                id=item.id,
                axis=item.axis,
                unit=item.unit,
                family=spec.family,
                better=spec.better,
                value=item.value,
                n=item.n,
                suppressed=item.suppressed,
                previous=item.previous,
                previous_n=item.previous_n,
                previous_suppressed=item.previous_suppressed,
                mean_3m=item.mean_3m,
                trend=trend,
                history=series[item.id],
                network_value=beside.value if beside else None,
                network_n=beside.n if beside else 0,
                window=item.window,
            )
        )
    return rows


def response_bins(hours: pd.Series) -> list[int]:
    """How many of the month's questions waited how long (`RESPONSE_BIN_EDGES`), then how many
    have no answer yet."""
    answered = hours.dropna().to_numpy()
    counts = np.histogram(answered, bins=list(RESPONSE_BIN_EDGES))[0].tolist()
    return [int(count) for count in counts] + [int(hours.isna().sum())]


def load_curve(counts: pd.Series) -> list[tuple[float, float]]:
    """(share of repliers, share of replies) from the most active down: the concentration curve."""
    values = counts.to_numpy(dtype=float)
    if not len(values) or values.sum() == 0:
        return []
    people = np.concatenate([[0.0], np.arange(1, len(values) + 1) / len(values)])
    replies = np.concatenate([[0.0], np.cumsum(values) / values.sum()])
    return list(zip(people.tolist(), replies.tolist(), strict=True))


def pulse_distributions(
    activity: Activity, months: list[str], min_group_size: int
) -> dict[str | None, dict[str, list[list[float] | None]]]:
    """For the network (key None) and each cooperative, for each axis, month by month, the share
    of each answer 1–5 (None: no closed barometer, or fewer than `min_group_size` voters). The
    network pools the cooperatives whose result is shown, as the network's averages do."""
    forum = activity.forum
    polls = forum.polls[
        forum.polls["pulse_month"].isin(months) & (forum.polls["status"] == "closed")
    ]
    options = forum.poll_options[forum.poll_options["poll_id"].isin(polls["id"])]
    options = options.join(
        polls.set_index("id")[["name", "cooperative", "pulse_month"]], on="poll_id"
    )
    options = options.assign(
        score=options.groupby("poll_id")["position"].rank(method="first").astype(int)
    )
    keys = ["cooperative", "name", "pulse_month"]
    voters = polls.groupby(keys, dropna=False)["voters"].sum()
    shown = voters[voters >= min_group_size]
    pooled = options.merge(shown.reset_index()[keys])
    counts = {
        **pooled.groupby(keys + ["score"])["votes"].sum().to_dict(),
        **{
            (None, *key): votes
            for key, votes in pooled.groupby(keys[1:] + ["score"])["votes"].sum().items()
        },
    }
    people = {
        **shown.to_dict(),
        **{(None, *key): n for key, n in shown.groupby(level=keys[1:]).sum().items()},
    }
    result: dict[str | None, dict[str, list[list[float] | None]]] = {}
    for scope in [None, *polls["cooperative"].dropna().unique().tolist()]:
        by_axis: dict[str, list[list[float] | None]] = {}
        for axis in AXES:
            series: list[list[float] | None] = []
            for month in months:
                votes = [counts.get((scope, axis, month, k), 0) for k in range(1, SCALE + 1)]
                total = sum(votes)
                enough = people.get((scope, axis, month), 0) >= min_group_size
                series.append([v / total for v in votes] if total and enough else None)
            by_axis[axis] = series
        result[scope] = by_axis
    return result


def ranking(cooperatives: list[ScopeModel]) -> list[Attention]:
    """The cooperatives with points of attention, most points first; ties: the widest spread over
    axes, then the furthest past their thresholds, then the name."""
    ranked = []
    for scope in cooperatives:
        if not scope.points:
            continue
        axes = [axis for axis in AXES if any(point.axis == axis for point in scope.points)]
        gap = sum(min(point.gap, 1.0) for point in scope.points)
        ranked.append(
            (
                (-len(scope.points), -len(axes), -gap, scope.name),
                Attention(
                    scope.slug or "",
                    scope.name,
                    len(scope.points),
                    axes,
                    [point.indicator for point in scope.points],
                ),
            )
        )
    return [attention for _, attention in sorted(ranked, key=lambda item: item[0])]


def month_report(
    activity: Activity,
    month: str,
    coverage: Coverage,
    names: dict[str, str],
    *,
    thresholds: IndicatorSettings,
    min_group_size: int,
    history_months: int,
    generated_at: datetime,
    only: str | None = None,
) -> MonthReport:
    """The report model of `month` (see the module doc); `names`: cooperative slug → name.

    `only`: a cooperative slug, to model the network and that cooperative only (the ranking
    then covers that cooperative alone)."""
    months = [shift_month(month, -delta) for delta in range(history_months - 1, -1, -1)]
    network_rows = _rows(activity, month, None, min_group_size, history_months, None)
    network = ScopeModel(None, "", network_rows, [])
    network.points = _points(network_rows, thresholds)
    by_id = {row.id: row for row in network_rows}
    network.charts = {
        "response": None
        if by_id["answered_48h"].suppressed
        else response_bins(response_hours(activity, month, None)),
        "load": None
        if by_id["top_decile_share"].suppressed
        else load_curve(reply_counts(activity, month, None)),
    }
    barometer = pulse_distributions(activity, months, min_group_size)
    nothing = {axis: [None] * len(months) for axis in AXES}
    network.charts["pulse"] = barometer[None]
    coops = []
    for slug in [only] if only else sorted(names):
        rows = _rows(activity, month, slug, min_group_size, history_months, by_id)
        coop = ScopeModel(slug, names.get(slug, slug), rows, _points(rows, thresholds))
        coop.charts = {"pulse": barometer.get(slug, nothing)}
        coops.append(coop)
    return MonthReport(
        month=month,
        months=months,
        generated_at=generated_at,
        coverage=coverage,
        min_group_size=min_group_size,
        tz=activity.tz,
        network=network,
        cooperatives=coops,
        ranking=ranking(coops),
    )


def _points(rows: list[Row], thresholds: IndicatorSettings) -> list[VigilancePoint]:
    shown = [
        Indicator(
            row.id,
            row.axis,
            row.unit,
            row.value,
            row.n,
            row.suppressed,
            row.previous,
            row.previous_n,
            row.previous_suppressed,
            row.mean_3m,
        )  # fmt: skip
        for row in rows
    ]
    return vigilance_points(shown, thresholds)
