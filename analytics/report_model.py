"""The month's whole report as plain data, computed in one pass (DESIGN §7).

`month_report` reads the prepared mirror (`Activity`) once for every month it needs and returns a
`MonthReport`: for the network and each cooperative, every indicator with its n, suppression,
previous month, 3-month mean, its year of history, its trend judged against the noise
(`analytics.trends`) in its declared better direction (`analytics.catalogue`), and, for a cooperative, the network's
figure beside it; the vigilance cards (`analytics.vigilance_history`: one per scope and axis, with
their status, basis and severity) and the ranking of the cooperatives that need attention first; and the series of the charts. Nothing in it is text for a
reader: `reports` renders it (HTML, Markdown, CSV, JSON, PDF, web pages) and owns the words.
No member name enters it: only cooperative names (from the categories) and figures.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from datetime import datetime

import numpy as np
import pandas as pd

from analytics.action_course import ActionEntry, action_entries, network_counts
from analytics.catalogue import CATALOGUE
from analytics.coverage import Coverage
from analytics.indicators import (
    Activity,
    monthly_figures,
    reply_counts,
    response_hours,
)
from analytics.pooling import Window, history, indicators
from analytics.settings import IndicatorSettings
from analytics.trends import NOT_JUDGED, Trend, judge
from analytics.vigilance_history import vigilance
from analytics.vigilance_status import Card, Ranked
from core.forum import Forum
from core.vocabulary import AXES, shift_month

RESPONSE_BIN_EDGES = (0, 1, 4, 12, 24, 48, 168, math.inf)  # hours; then "no answer"
SCALE = 5  # barometer answers 1 to 5
SELF_REPORTED = ("pulse",)  # families not read from the forum's activity
NEEDS_PAST = ("new_contributors", "newcomers_not_back")
"""Indicators that compare a member with their own past: in the mirror's first month every
poster looks new, so that month is no figure of theirs either."""


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


@dataclass
class ScopeModel:
    """The network (`slug` None) or one cooperative, for month M."""

    slug: str | None
    name: str
    rows: list[Row]
    cards: list[Card] = field(default_factory=list)
    charts: dict = field(default_factory=dict)
    actions: list[ActionEntry] = field(default_factory=list)  # cooperatives: the action log

    @property
    def key(self) -> str:
        return self.slug or "network"

    def row(self, key: str) -> Row:
        return next(row for row in self.rows if row.id == key)

    def by_axis(self) -> list[tuple[str, list[Row]]]:
        """Rows grouped by Gollac axis, in the report's order."""
        return [(axis, [row for row in self.rows if row.axis == axis]) for axis in AXES]

    @property
    def active_cards(self) -> list[Card]:
        """The cards raised this month (not the resolved ones)."""
        return [card for card in self.cards if card.status != "resolved"]


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
    ranking: list[Ranked]
    key_figures: tuple[str, ...] = field(default_factory=CATALOGUE.key_figures)
    first_month: str | None = None  # the mirror's first month (`first_covered_month`)
    # the network's actions by kind, then status; None when no action log was given
    action_counts: dict[str, dict[str, int]] | None = None


def _rows(
    activity: Activity,
    month: str,
    slug: str | None,
    min_group_size: int,
    months: int,
    network: dict[str, Row] | None,
    first_month: str | None,
) -> list[Row]:
    """Every indicator of `slug` for `month`, with trend, history and the network beside it."""
    figures = monthly_figures(activity, month, slug, months)
    base = indicators(activity, month, slug, min_group_size, figures)
    series = {
        key: covered(key, values, months_of(month, len(values)), first_month)
        for key, values in history(activity, slug, figures, min_group_size).items()
    }
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


def months_of(month: str, count: int) -> list[str]:
    """The `count` months ending with `month`, oldest first."""
    return [shift_month(month, -delta) for delta in range(count - 1, -1, -1)]


def first_covered_month(activity: Activity) -> str | None:
    """The month (in the network's time zone) of the mirror's first post: its coverage starts
    there. None when it holds no post."""
    posts = activity.posts
    if posts.empty:
        return None
    return posts["created_at"].min().tz_convert(activity.tz).strftime("%Y-%m")


def covered(
    key: str, values: list[float | None], months: list[str], first_month: str | None
) -> list[float | None]:
    """An indicator's history without the months the mirror does not cover: before its first
    month (the forum's activity is not known there, so no figure is 0), and that first month
    too for `NEEDS_PAST` (everyone posting then looks new). Self-reported answers stay."""
    if first_month is None or CATALOGUE[key].family in SELF_REPORTED:
        return values
    start = shift_month(first_month, 1) if key in NEEDS_PAST else first_month
    return [value if month >= start else None for value, month in zip(values, months, strict=True)]


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


def _shares(votes: list[float], people: int, min_group_size: int) -> list[float] | None:
    """Each answer's share of the votes, or None under the k-rule (or without any vote)."""
    total = sum(votes)
    return [v / total for v in votes] if total and people >= min_group_size else None


def _poll_distributions(forum: Forum, months: list[str], min_group_size: int) -> dict:
    """{(scope, axis, month): shares} from the months' closed Discourse pulse polls. The network
    pools the cooperatives whose result is shown, as the network's averages do."""
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
    result = {}
    for scope, axis, month in people:
        votes = [counts.get((scope, axis, month, k), 0) for k in range(1, SCALE + 1)]
        result[(scope, axis, month)] = _shares(votes, people[(scope, axis, month)], min_group_size)
    return result


def _barometer_distributions(forum: Forum, months: list[str], min_group_size: int) -> dict:
    """{(scope, axis, month): shares} from the anonymous barometer's counts, under the rule of
    its averages (`analytics.barometer_figures`): the scope's counted answers and the answers on
    the axis both reach `min_group_size`; the network pools every group."""
    cells = forum.barometer_cells[forum.barometer_cells["month"].isin(months)]
    counts = forum.barometer_counts[forum.barometer_counts["month"].isin(months)]
    result = {}
    for month, month_cells in cells.groupby("month"):
        month_counts = counts[counts["month"] == month]
        scopes = [None, *sorted(set(month_cells["cooperative"]) - {""})]
        for scope in scopes:
            mine = (
                month_cells if scope is None else month_cells[month_cells["cooperative"] == scope]
            )
            rows = (
                month_counts
                if scope is None
                else month_counts[month_counts["cooperative"] == scope]
            )
            counted = int(mine["respondents"].sum())
            for axis in AXES:
                on_axis = rows[rows["axis"] == axis].groupby("value")["count"].sum()
                votes = [float(on_axis.get(k, 0)) for k in range(1, SCALE + 1)]
                people = min(counted, int(sum(votes)))
                result[(scope, axis, month)] = _shares(votes, people, min_group_size)
    return result


def pulse_distributions(
    forum: Forum, months: list[str], min_group_size: int
) -> dict[str | None, dict[str, list[list[float] | None]]]:
    """For the network (key None) and each cooperative, for each axis, month by month, the share
    of each answer 1–5, or None where the k-rule withholds it (as it withholds the average) or
    nothing was collected. A month's anonymous barometer counts when it has any, else its closed
    Discourse pulse polls (months collected before the barometer), as `analytics.indicators`."""
    with_counts = set(forum.barometer_cells["month"])
    found = _barometer_distributions(forum, months, min_group_size)
    polls = _poll_distributions(forum, [m for m in months if m not in with_counts], min_group_size)
    found |= polls
    scopes = [None, *sorted({scope for scope, _axis, _month in found} - {None})]
    return {
        scope: {axis: [found.get((scope, axis, month)) for month in months] for axis in AXES}
        for scope in scopes
    }


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
    regions: dict[str, str] | None = None,
    actions: pd.DataFrame | None = None,
) -> MonthReport:
    """The report model of `month` (see the module doc); `names`: cooperative slug → name;
    `regions`: slug → region when `cooperatives.csv` gives it (peer groups of the vigilance);
    `actions`: the directors' action log (`analytics.action_course.ACTION_COLUMNS`), shown
    beside each cooperative's points with the course of their indicators, and counted for the
    network.

    `only`: a cooperative slug, to model the network and that cooperative only (the ranking
    then covers that cooperative alone)."""
    months = months_of(month, history_months)
    first_month = first_covered_month(activity)
    network_rows = _rows(activity, month, None, min_group_size, history_months, None, first_month)
    network = ScopeModel(None, "", network_rows)
    by_id = {row.id: row for row in network_rows}
    network.charts = {
        "response": None
        if by_id["answered_48h"].suppressed
        else response_bins(response_hours(activity, month, None)),
        "load": None
        if by_id["top_decile_share"].suppressed
        else load_curve(reply_counts(activity, month, None)),
    }
    barometer = pulse_distributions(activity.forum, months, min_group_size)
    nothing = {axis: [None] * len(months) for axis in AXES}
    network.charts["pulse"] = barometer[None]
    coops = []
    for slug in [only] if only else sorted(names):
        rows = _rows(activity, month, slug, min_group_size, history_months, by_id, first_month)
        coop = ScopeModel(slug, names.get(slug, slug), rows)
        coop.charts = {"pulse": barometer.get(slug, nothing)}
        coops.append(coop)
    scopes = [network, *coops]
    signal = vigilance(
        activity,
        months,
        [scope.slug for scope in scopes],
        thresholds=thresholds,
        min_group_size=min_group_size,
        worse={
            scope.slug: {row.id for row in scope.rows if row.trend.verdict == "worse"}
            for scope in scopes
        },
        names=names,
        regions=regions,
    )
    for scope in scopes:
        scope.cards = signal.cards[scope.key]
    if actions is not None:
        for coop in coops:
            coop.actions = action_entries(
                activity,
                month,
                coop.slug,
                actions,
                coop.cards,
                {row.id: dict(zip(months, row.history, strict=True)) for row in coop.rows},
                min_group_size,
                first_month,
            )
    return MonthReport(
        month=month,
        months=months,
        generated_at=generated_at,
        coverage=coverage,
        min_group_size=min_group_size,
        tz=activity.tz,
        network=network,
        cooperatives=coops,
        ranking=signal.ranking,
        first_month=first_month,
        action_counts=None if actions is None else network_counts(actions, month),
    )
