"""Evaluate an intervention of the network: staggered difference-in-differences (DESIGN §11).

Pure computations, DataFrames in and out. Two steps:

1. `outcome_panel`: the cooperative × month panel of the outcomes, taken from the monthly
   report's own figures (`analytics.indicators`), so an outcome means exactly what the report
   says it means. The figures are the exact internal ones, nothing masked (DESIGN §7: the k-rule
   applies to what the lab publishes, `reports.lab_evaluation`); an undefined figure (no
   question that month) is *missing* (NaN), never zero. On a sparse network most
   cooperative-months of some outcomes have no figure: such an outcome (defined in fewer than
   `Design.min_monthly_coverage` of its cooperative-months) is estimated on calendar quarters
   (`quarterly`), and its result says so (`period`).
2. `evaluate`: Callaway & Sant'Anna (2021) group-time average treatment effects. For the cohort
   `g` of cooperatives that started in month `g` and a month `t`:

       ATT(g, t) = mean over cohort g of (Y_t - Y_b)  -  mean over controls of (Y_t - Y_b)

   with `b = g - 1` for `t >= g` (effects) and `b = t - 1` for `t < g` (pre-period placebos,
   the "varying base" of the `did` package). On quarters an effect's base `Y_b` is instead each
   cooperative's mean over its observed quarters of the year before `g` (`Design.quarter_base`):
   on thin data a single base quarter is often empty, or rests on one question, and the
   intervals then covered a zero effect only 87-88 % of the time on simulated sparse panels
   (93 % with the year's mean; tests/analytics/test_lab_sparse.py). Controls are the cooperatives not yet treated at `t`
   (never-treated ones included). Only cooperatives observed at both `t` and `b` count in a cell.
   The ATT(g, t) are aggregated into one effect (weights: the treated cooperatives of each cell,
   CS's "simple" aggregation) and by event time `e = t - g`. Uncertainty: a nonparametric
   bootstrap over cooperatives (whole cooperatives are redrawn with replacement, so the
   dependence of a cooperative's months is kept), seeded; the interval is the percentile interval
   of the aggregated effect. Pre-trend check: the mean of the pre-period placebo effects by
   event time (the last 12 months before the start at most) tested against zero with its
   bootstrap standard error (normal p-value).

The design refuses, with its reason, what the data cannot support: too few treated cooperatives,
too few controls, too few periods (months or quarters) before or after the start (thresholds in
`Design`).
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from analytics.catalogue import CATALOGUE
from analytics.indicators import Activity
from core.vocabulary import shift_month


def default_outcomes() -> tuple[str, ...]:
    """The outcomes an evaluation estimates when none is named (declared in the catalogue)."""
    return CATALOGUE.lab_outcomes()


MAX_PRE_EVENTS = 12  # the pre-trend test looks at the last 12 months before the start at most


@dataclass(frozen=True)
class Design:
    """What an evaluation needs before it estimates anything, and how it draws its intervals."""

    min_treated: int = 2
    min_controls: int = 3
    min_pre_months: int = 3
    min_post_months: int = 2
    draws: int = 999
    seed: int = 2026
    level: float = 0.95
    min_monthly_coverage: float = 0.8  # below it, an outcome is estimated on quarters
    quarter_base: int = 4  # on quarters, an effect's base: the mean of the year before the start


@dataclass
class OutcomeResult:
    """The effect of the intervention on one outcome, or why it cannot be estimated.

    `reason` is None for an estimate, else a code (`few_treated`, `few_controls`, `few_pre`,
    `few_post`) with the figures behind it in `detail`. `period` is `month` or `quarter` (the
    periods `pre_periods`, `post_periods`, `cells` and `events` count in). `cells` holds the
    ATT(g, t) (columns `cohort`, `month`, `event`, `att`, `treated`, `controls`), `events` the
    effect by event time with its interval (`event`, `att`, `ci_low`, `ci_high`, `people`).
    `people` is a lower bound of the distinct people behind the treated figures of the effect
    (per cooperative, its largest `n` of the periods used; None without counts): what the
    publication's k-rule looks at.
    """

    indicator: str
    att: float | None = None
    ci_low: float | None = None
    ci_high: float | None = None
    treated: int = 0
    controls: int = 0
    pre_periods: int = 0
    post_periods: int = 0
    pre_trend_p: float | None = None
    period: str = "month"
    people: int | None = None
    reason: str | None = None
    detail: dict = field(default_factory=dict)
    cells: pd.DataFrame = field(default_factory=pd.DataFrame)
    events: pd.DataFrame = field(default_factory=pd.DataFrame)

    @property
    def significant(self) -> bool:
        """True when the interval excludes zero."""
        return self.att is not None and (self.ci_low > 0 or self.ci_high < 0)


def outcome_panel(
    activity: Activity, months: Iterable[str], outcomes: Iterable[str]
) -> pd.DataFrame:
    """One row per cooperative and month: `cooperative`, `month`, each outcome's exact internal
    figure (NaN only when it is undefined, e.g. no question that month) and its `n` (`<id>_n`).

    Nothing is masked here: the k-rule applies to what the lab publishes (DESIGN §7), not to the
    figures it estimates on."""
    outcomes = list(outcomes)
    rows = []
    for month in months:
        for scope, figures in activity.figures(month).items():
            if scope is None:
                continue
            row: dict = {"cooperative": scope, "month": month}
            for key in outcomes:
                figure = figures[key]
                row[key] = math.nan if figure.value is None else float(figure.value)
                row[f"{key}_n"] = figure.n
            rows.append(row)
    columns = ["cooperative", "month", *outcomes, *(f"{key}_n" for key in outcomes)]
    return pd.DataFrame(rows, columns=columns)


def quarter_of(month: str) -> str:
    """The calendar quarter of a month: "2026-05" → "2026-Q2"."""
    return f"{month[:4]}-Q{(int(month[5:7]) - 1) // 3 + 1}"


def quarterly(
    values: np.ndarray, counts: np.ndarray | None, months: list[str]
) -> tuple[np.ndarray, np.ndarray | None, list[str]]:
    """Cooperatives × months figures (`values`, NaN = none) by calendar quarter.

    A quarter's figure is the mean of its months' exact figures weighted by their `n` (at least
    1; equal weights without `counts`); its `n` is the largest month's, a lower bound of the
    distinct people behind it. Returns the quarters' values, counts and labels ("2026-Q2")."""
    labels = [quarter_of(month) for month in months]
    quarters = sorted(set(labels))
    member = np.array([[label == quarter for label in labels] for quarter in quarters], float)
    seen = np.isfinite(values)
    weight = np.where(seen, 1.0 if counts is None else np.maximum(np.nan_to_num(counts), 1), 0.0)
    total = weight @ member.T
    with np.errstate(invalid="ignore", divide="ignore"):
        pooled = np.where(
            total > 0, (np.where(seen, values, 0.0) * weight) @ member.T / total, np.nan
        )
    if counts is None:
        return pooled, None, quarters
    most = np.nan_to_num(counts)[:, None, :] * member[None, :, :]
    return pooled, most.max(axis=2), quarters


def monthly_only(key: str) -> bool:
    """True for an outcome never pooled across months: the barometer (DESIGN §7)."""
    return key in CATALOGUE and CATALOGUE[key].family == "pulse"


def monthly_coverage(panel: pd.DataFrame, key: str) -> float:
    """The share of cooperative-months whose figure of `key` is defined."""
    return float(panel[key].notna().mean()) if len(panel) else 0.0


def mirror_months(activity: Activity, until: str) -> list[str]:
    """Every month from the mirror's first post up to `until` (included), oldest first."""
    if activity.posts.empty:
        return []
    first = activity.posts["created_at"].min().tz_convert(activity.tz).strftime("%Y-%m")
    months = []
    month = first
    while month <= until:
        months.append(month)
        month = shift_month(month, 1)
    return months


def analysis_months(months: list[str], starts: Mapping[str, str]) -> list[str]:
    """The months an evaluation needs: from the quarter of 13 months before the earliest start on.

    Older months change nothing: an effect ATT(g, t) compares month t with month g - 1 only, and
    the pre-trend check looks at the last `MAX_PRE_EVENTS` months before each start (each
    compared with the month before it); the first quarter is kept whole for outcomes estimated
    on quarters. Leaving them out saves computing their indicators."""
    if not starts:
        return months
    first = shift_month(min(starts.values()), -(MAX_PRE_EVENTS + 1))
    first = shift_month(first, -((int(first[5:7]) - 1) % 3))
    return [month for month in months if month >= first]


def unknown_outcomes(outcomes: Iterable[str]) -> list[str]:
    """The outcome ids that are no indicator of the report."""
    return [key for key in outcomes if key not in CATALOGUE]


@dataclass
class _Cells:
    """The ATT(g, t) cells of one outcome as matrices over cooperatives (one column per cell)."""

    cohort: np.ndarray  # month index of the cell's cohort
    month: np.ndarray  # month index t
    treated: np.ndarray  # N × K: 1 where the cooperative is a treated unit of the cell
    control: np.ndarray  # N × K: 1 where it is a control of the cell
    change: np.ndarray  # N × K: Y_t - Y_b (0 where unused)

    @property
    def event(self) -> np.ndarray:
        return self.month - self.cohort


def _cells(values: np.ndarray, cohorts: np.ndarray, base_window: int = 1) -> _Cells:
    """Every estimable ATT(g, t) cell of the panel `values` (N × T, NaN = missing).

    An effect's base is period g - 1, or with `base_window` > 1 each cooperative's mean over
    its observed periods among the `base_window` before g (thin data: a single base period is
    too often empty)."""
    n_units, n_months = values.shape
    cohort_ids, month_ids, treated, control, change = [], [], [], [], []
    for g in np.unique(cohorts[np.isfinite(cohorts)]).astype(int):
        in_cohort = cohorts == g
        window = values[:, max(0, g - base_window) : g]
        with np.errstate(invalid="ignore"), warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)  # a cooperative with none: NaN
            before = np.nanmean(window, axis=1) if window.size else np.full(n_units, np.nan)
        for t in range(1, n_months):
            diff = values[:, t] - (before if t >= g else values[:, t - 1])
            seen = np.isfinite(diff)
            is_treated = in_cohort & seen
            is_control = (cohorts > t) & ~in_cohort & seen
            if not is_treated.any() or not is_control.any():
                continue
            cohort_ids.append(g)
            month_ids.append(t)
            treated.append(is_treated)
            control.append(is_control)
            change.append(np.where(seen, diff, 0.0))
    if not cohort_ids:
        empty = np.zeros((n_units, 0))
        return _Cells(np.array([], int), np.array([], int), empty, empty, empty)
    return _Cells(
        np.array(cohort_ids),
        np.array(month_ids),
        np.column_stack(treated).astype(float),
        np.column_stack(control).astype(float),
        np.column_stack(change),
    )


def _att_cells(cells: _Cells, weights: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """ATT of each cell and its number of treated units, for each row of `weights` (B × N)."""
    n_treated = weights @ cells.treated
    n_control = weights @ cells.control
    with np.errstate(invalid="ignore", divide="ignore"):
        att = (weights @ (cells.treated * cells.change)) / n_treated - (
            weights @ (cells.control * cells.change)
        ) / n_control
    att[(n_treated == 0) | (n_control == 0)] = np.nan
    return att, np.where(np.isfinite(att), n_treated, 0.0)


def _aggregate(att: np.ndarray, size: np.ndarray, select: np.ndarray) -> np.ndarray:
    """Weighted mean of the selected cells' ATT (weights: their treated units), per row."""
    weights = size[:, select]
    total = weights.sum(axis=1)
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(
            total > 0, (np.nan_to_num(att[:, select]) * weights).sum(axis=1) / total, np.nan
        )


def _refusal(result: OutcomeResult, design: Design) -> OutcomeResult:
    """`result` with the first reason the design cannot support an estimate, if any."""
    checks = (
        ("few_treated", result.treated, design.min_treated),
        ("few_controls", result.controls, design.min_controls),
        ("few_pre", result.pre_periods, design.min_pre_months),
        ("few_post", result.post_periods, design.min_post_months),
    )
    for code, found, needed in checks:
        if found < needed:
            result.reason = code
            result.detail = {"found": int(found), "needed": int(needed)}
            return result
    return result


def bootstrap_weights(n_units: int, draws: int, seed: int) -> np.ndarray:
    """`draws` × `n_units` counts: how often each cooperative is drawn in each bootstrap sample."""
    rng = np.random.default_rng(seed)
    return rng.multinomial(n_units, np.full(n_units, 1.0 / n_units), size=draws).astype(float)


def estimate(
    values: np.ndarray,
    cohorts: np.ndarray,
    design: Design,
    indicator: str = "outcome",
    months: list[str] | None = None,
    weights: np.ndarray | None = None,
    counts: np.ndarray | None = None,
    period: str = "month",
    base_window: int = 1,
) -> OutcomeResult:
    """The effect on one outcome: `values` is N cooperatives × T periods (NaN = missing),
    `cohorts[i]` the period index when cooperative i started (inf: never within the panel).

    `weights` are the bootstrap draws (`bootstrap_weights`), shared by the outcomes of one
    evaluation so that they are drawn once; `counts` (N × T) the people behind each figure;
    `base_window` the periods before the start an effect's base averages (`_cells`)."""
    n_units, n_months = values.shape
    months = months or [str(t) for t in range(n_months)]
    result = OutcomeResult(indicator, period=period)
    cells = _cells(values, cohorts, base_window)
    post = cells.event >= 0
    result.treated = int((cells.treated[:, post].sum(axis=1) > 0).sum())
    result.controls = int((cells.control[:, post].sum(axis=1) > 0).sum())
    observed = np.isfinite(values)
    pre_counts, post_counts = [], []
    for g in np.unique(cells.cohort[post]):  # the cohorts that contribute an effect
        seen = observed[cohorts == g].any(axis=0)
        pre_counts.append(int(seen[:g].sum()))
        post_counts.append(len(set(cells.month[post & (cells.cohort == g)].tolist())))
    result.pre_periods = min(pre_counts, default=0)
    result.post_periods = max(post_counts, default=0)
    if _refusal(result, design).reason:
        return result

    point_att, point_size = _att_cells(cells, np.ones((1, n_units)))
    if weights is None:
        weights = bootstrap_weights(n_units, design.draws, design.seed)
    boot_att, boot_size = _att_cells(cells, weights)
    alpha = (1 - design.level) / 2

    def interval(draws: np.ndarray) -> tuple[float | None, float | None]:
        finite = draws[np.isfinite(draws)]
        if finite.size < 10:
            return None, None
        low, high = np.quantile(finite, [alpha, 1 - alpha])
        return float(low), float(high)

    result.att = float(_aggregate(point_att, point_size, post)[0])
    result.people = _people(cells, counts, post)
    result.ci_low, result.ci_high = interval(_aggregate(boot_att, boot_size, post))

    events = sorted(set(cells.event.tolist()))
    event_rows, pre_points, pre_draws = [], [], []
    for event in events:
        select = cells.event == event
        point = float(_aggregate(point_att, point_size, select)[0])
        draws = _aggregate(boot_att, boot_size, select)
        low, high = interval(draws)
        people = _people(cells, counts, select)
        event_rows.append(
            {"event": event, "att": point, "ci_low": low, "ci_high": high, "people": people}
        )
        if -MAX_PRE_EVENTS <= event < 0 and math.isfinite(point):
            pre_points.append(point)
            pre_draws.append(draws)
    result.events = pd.DataFrame(
        event_rows, columns=["event", "att", "ci_low", "ci_high", "people"]
    )
    result.pre_trend_p = _pre_trend_p(np.array(pre_points), np.array(pre_draws))
    result.cells = pd.DataFrame(
        {
            "cohort": [months[g] for g in cells.cohort],
            "month": [months[t] for t in cells.month],
            "event": cells.event,
            "att": point_att[0],
            "treated": cells.treated.sum(axis=0).astype(int),
            "controls": cells.control.sum(axis=0).astype(int),
        }
    )
    return result


def _people(cells: _Cells, counts: np.ndarray | None, select: np.ndarray) -> int | None:
    """A lower bound of the distinct people behind the treated figures of the selected cells:
    per treated cooperative its largest `n` over their periods, summed (None without counts)."""
    if counts is None:
        return None
    at_t = np.nan_to_num(counts[:, cells.month[select]]) * cells.treated[:, select]
    return int(at_t.max(axis=1, initial=0).sum())


def _pre_trend_p(points: np.ndarray, draws: np.ndarray) -> float | None:
    """Two-sided p-value that the mean pre-period placebo effect is zero (bootstrap SE).

    One degree of freedom on purpose: a Wald test of every pre-period effect at once needs their
    covariance, which a bootstrap over a handful of treated cooperatives estimates too poorly (it
    rejected three times too often on simulated panels without any pre-trend)."""
    if points.size == 0:
        return None
    complete = draws[:, np.isfinite(draws).all(axis=0)]
    if complete.shape[1] < 10:
        return None
    spread = float(np.std(complete.mean(axis=0), ddof=1))
    if spread == 0:
        return None
    return math.erfc(abs(points.mean()) / spread / math.sqrt(2))  # 2 × the normal's tail


def cohorts_of(cooperatives: list[str], months: list[str], starts: Mapping[str, str]) -> np.ndarray:
    """Month index of each cooperative's start (inf: not treated within the panel's months).

    A cooperative that started before the panel's first month has no month before its start,
    so it can serve neither as treated nor as control: it gets -1 and is left out."""
    index = {month: i for i, month in enumerate(months)}
    cohorts = np.full(len(cooperatives), np.inf)
    for i, slug in enumerate(cooperatives):
        start = starts.get(slug)
        if start is None or not months or start > months[-1]:
            continue
        cohorts[i] = index[start] if index.get(start, 0) > 0 else -1
    return cohorts


def evaluate(
    panel: pd.DataFrame,
    starts: Mapping[str, str],
    outcomes: Iterable[str],
    design: Design,
    end: str | None = None,
) -> list[OutcomeResult]:
    """The intervention's effect on each outcome of `panel` (from `outcome_panel`).

    `starts`: cooperative → first month of the intervention (`YYYY-MM`); `end`: its last month,
    after which the treated cooperatives are no longer observed (the effect is measured while the
    intervention runs). An outcome whose cooperative-months have a figure less often than
    `design.min_monthly_coverage` is estimated on calendar quarters (`quarterly`): a
    cooperative is treated from the quarter of its start on."""
    months = sorted(panel["month"].unique().tolist())
    cooperatives = sorted(panel["cooperative"].unique().tolist())
    quarters = sorted({quarter_of(month) for month in months})
    grids = {
        "month": (dict(starts), end),
        "quarter": (
            {slug: quarter_of(start) for slug, start in starts.items()},
            None if end is None else quarter_of(end),
        ),
    }
    # each grid's cooperatives (one that started before its first period serves in neither
    # group) and their bootstrap draws, drawn once for every outcome
    kept, weights = {}, {}
    for period, periods in (("month", months), ("quarter", quarters)):
        kept[period] = cohorts_of(cooperatives, periods, grids[period][0]) != -1
        weights[period] = bootstrap_weights(int(kept[period].sum()), design.draws, design.seed)
    results = []
    for key in outcomes:
        values = _wide(panel, key, cooperatives, months)
        counts = _wide(panel, f"{key}_n", cooperatives, months) if f"{key}_n" in panel else None
        periods = months
        thin = monthly_coverage(panel, key) < design.min_monthly_coverage
        period = "quarter" if thin and not monthly_only(key) else "month"
        if period == "quarter":
            values, counts, periods = quarterly(values, counts, months)
        period_starts, last = grids[period]
        rows = kept[period]
        units = [slug for slug, keep in zip(cooperatives, rows, strict=True) if keep]
        values = values[rows]
        counts = None if counts is None else counts[rows]
        cohorts = cohorts_of(units, periods, period_starts)
        if last is not None:
            after_end = np.array([label > last for label in periods])
            values[np.ix_(np.isfinite(cohorts), after_end)] = np.nan
        results.append(
            estimate(
                values,
                cohorts,
                design,
                key,
                periods,
                weights[period],
                counts,
                period,
                design.quarter_base if period == "quarter" else 1,
            )
        )
    return results


def _wide(frame: pd.DataFrame, column: str, units: list[str], periods: list[str]) -> np.ndarray:
    """`column` of the long `frame` (one row per cooperative and month) as a cooperatives ×
    periods matrix (NaN where absent)."""
    rows = pd.Index(units).get_indexer(frame["cooperative"])
    columns = pd.Index(periods).get_indexer(frame["month"])
    inside = (rows >= 0) & (columns >= 0)
    out = np.full((len(units), len(periods)), np.nan)
    out[rows[inside], columns[inside]] = frame[column].to_numpy(dtype=float)[inside]
    return out
