"""Pooled windows: what the month's report publishes of each figure (DESIGN §7, small groups).

A figure about fewer than `min_group_size` people in the month is published over a calendar
window instead — the quarter, the semester or the year that contains the month, from the
window's first month up to the report month (never beyond, never rolling) — and masked only when
the year so far is not enough. The analytics keep the exact monthly figures
(`analytics.indicators`); this module decides only what is shown, so the k-rule holds for every
published figure and for what follows from published figures by subtraction:

- **One granularity per scope, indicator and year, decided from the year so far.** For each month
  of the year, in order, a figure stays a monthly figure while its month is shown (not withheld by
  `analytics.indicators.suppression`); from the first month it covers fewer than
  `min_group_size` people, it is pooled, at the
  smallest granularity (quarter, semester, year) whose window reaches `min_group_size` — never
  smaller than the one used earlier in the year (the granularity only grows, so a report never
  goes back to a smaller window inside a larger one already used).
- **No differencing.** Every window starts at a calendar boundary and ends at its report month,
  and the granularity only grows, so each window published before, in the same year, either lies
  inside the new window or is disjoint from it. A new window is published only if what it adds
  to the windows already published inside it (its *rest*: the new window minus all of them) is
  about at least `min_group_size` people, or nobody: any difference of published windows then
  contains a rest, so it is about `min_group_size` people or more (n counts distinct people, so
  a larger set of months never has fewer). Otherwise the report shows again the last window published (its `end` says up to
  which month: a figure already public, so nothing new), or masks the figure if there is none.
- **Only figures that are no sum are pooled.** Additive figures (counts; see
  `analytics.catalogue`) keep monthly publication with primary and complementary suppression:
  a pooled count would let the network's monthly counts minus the cooperatives' give one
  cooperative's count over months it was masked. Shares, medians and other per-scope measures
  are no sum of the cooperatives' figures, so the network minus the cooperatives gives nothing.
- **The barometer is never pooled** across months (its averages are monthly by design), and a
  figure withheld as the complement of a count (its `n` would give the count back) is masked,
  never pooled: its window's `n` would be the same people.

Decisions for a month depend on that month and the months before it only, so the report of a
later month reproduces exactly what earlier reports published.
"""

from __future__ import annotations

from dataclasses import dataclass
from weakref import WeakKeyDictionary

import numpy as np

from analytics.catalogue import CATALOGUE
from analytics.indicators import NETWORK, Activity, Figure, Indicator, monthly_figures
from core.vocabulary import shift_month

GRANULARITIES: dict[str, int] = {"month": 1, "quarter": 3, "semester": 6, "year": 12}
POOLED = ("quarter", "semester", "year")


@dataclass(frozen=True)
class Window:
    """A calendar window of months, `start` to `end` (both "YYYY-MM", `end` the report month)."""

    granularity: str
    start: str
    end: str

    @property
    def months(self) -> int:
        """How many months the figure covers (1 for a monthly figure)."""
        start_year, start_month = map(int, self.start.split("-"))
        end_year, end_month = map(int, self.end.split("-"))
        return (end_year - start_year) * 12 + end_month - start_month + 1

    @property
    def year(self) -> int:
        return int(self.end[:4])

    @property
    def index(self) -> int:
        """Which quarter (1–4), semester (1–2), month (1–12) of the year; 1 for the year."""
        month = int(self.end[5:])
        return (month - 1) // GRANULARITIES[self.granularity] + 1

    @property
    def key(self) -> str:
        """The `Activity` key of the window's figures: the month, or "start..end"."""
        return self.end if self.granularity == "month" else f"{self.start}..{self.end}"


def window(month: str, granularity: str) -> Window:
    """The calendar window of `granularity` that contains `month`, up to `month`."""
    year, number = int(month[:4]), int(month[5:])
    size = GRANULARITIES[granularity]
    first = (number - 1) // size * size + 1
    return Window(granularity, f"{year}-{first:02d}", month)


def span(first: str, last: str) -> str:
    """The `Activity` key of the months `first` to `last` (a month alone: itself)."""
    return last if first == last else f"{first}..{last}"


@dataclass(frozen=True)
class Published:
    """What the report of a month shows of one figure: its value (None when masked), the `n`
    it is computed over, whether it is masked, and its window."""

    value: float | None
    n: int
    suppressed: bool
    window: Window


def poolable(key: str) -> bool:
    """Whether figure `key` may be pooled over months (not a count, not the barometer)."""
    spec = CATALOGUE[key]
    return not spec.additive and spec.family != "pulse"


class _YearPlan:
    """The publication decisions of one year, month after month (see the module doc)."""

    def __init__(self, activity: Activity, year: int, min_group_size: int) -> None:
        self.activity = activity
        self.year = year
        self.k = min_group_size
        self.granularity: dict[tuple[str, str], str] = {}
        self.shown: dict[tuple[str, str], set[str]] = {}  # months of the windows published
        self.held: dict[tuple[str, str], Published] = {}  # the last pooled window published
        self.months: dict[str, dict[str | None, dict[str, Published]]] = {}
        self.pending: set[str | None] = set()  # the cooperatives the month's decisions may pool
        self.pending_keys: set[str] = set()  # and the figures they may pool

    def through(self, month: str) -> dict[str | None, dict[str, Published]]:
        """The decisions of `month`, deciding the year's earlier months first."""
        for number in range(len(self.months) + 1, int(month[5:]) + 1):
            current = f"{self.year}-{number:02d}"
            self.months[current] = self._decide(current)
        return self.months[month]

    def _figure(self, key: str, scope: str | None, indicator: str) -> Figure:
        """One figure of a month or span; a window of one month is that month's figures
        (computed once; the barometer, which has none over a span, is never pooled). A span is
        computed for the cooperatives and figures the month may pool only (`pending`,
        `pending_keys`), not for every figure of every scope."""
        first, _, last = key.partition("..")
        if not last or first == last:
            figures = self.activity.figures(first)
        else:
            figures = self.activity.some_figures(
                key, self.pending | {scope}, self.pending_keys | {indicator}
            )
        return (figures.get(scope) or {}).get(indicator, Figure(None, 0))

    def _decide(self, month: str) -> dict[str | None, dict[str, Published]]:
        figures = self.activity.figures(month)
        monthly = window(month, "month")
        withheld_of = {scope: self.activity.withheld(month, scope, self.k) for scope in figures}
        pooling = [  # the cooperatives' figures this month may pool (the network: its own)
            (scope, key)
            for scope, by_key in figures.items()
            if scope is not None
            for key in by_key
            if poolable(key)
            and (withheld_of[scope][key] or self.granularity.get((scope, key), "month") != "month")
        ]
        self.pending = {scope for scope, _ in pooling}
        self.pending_keys = {key for _, key in pooling}
        result: dict[str | None, dict[str, Published]] = {}
        for scope, by_key in figures.items():
            withheld = withheld_of[scope]
            row: dict[str, Published] = {}
            for key, figure in by_key.items():
                state = (NETWORK if scope is None else scope, key)
                current = self.granularity.get(state, "month")
                if current == "month" and not withheld[key]:
                    row[key] = Published(figure.value, figure.n, False, monthly)
                    if poolable(key):
                        self.shown.setdefault(state, set()).add(month)
                elif not poolable(key) or (withheld[key] and figure.n >= self.k):
                    # a count, the barometer, or a complement (`suppression`): a window would
                    # give back the very figure it hides
                    row[key] = Published(None, figure.n, True, monthly)
                else:
                    row[key] = self._pooled(state, scope, key, month, figure)
            result[scope] = row
        return result

    def _pooled(
        self, state: tuple[str, str], scope: str | None, key: str, month: str, figure: Figure
    ) -> Published:
        """The pooled window of one figure for `month`, or the figure masked."""
        floor = GRANULARITIES[self.granularity.get(state, "month")]
        for granularity in POOLED:
            if GRANULARITIES[granularity] < floor:
                continue
            chosen = window(month, granularity)
            if self._people(_months(chosen), scope, key)[1] < self.k:
                continue  # fewer than k people even if no one came back: skip the computing
            pooled = self._figure(chosen.key, scope, key)
            if pooled.n < self.k:
                continue
            self.granularity[state] = granularity
            if not self._adds_enough(state, scope, key, chosen):
                return self.held.get(state) or Published(None, pooled.n, True, chosen)
            self.shown.setdefault(state, set()).update(_months(chosen))
            self.held[state] = Published(pooled.value, pooled.n, False, chosen)
            return self.held[state]
        return Published(None, figure.n, True, window(month, "month"))

    def _adds_enough(
        self, state: tuple[str, str], scope: str | None, key: str, chosen: Window
    ) -> bool:
        """Whether `chosen` minus every window already published inside it (windows of a year
        are nested or disjoint) is about nobody, or about `min_group_size` people or more.

        What is left may be several runs of months (a quarter after months shown alone); the
        people of each run are counted, and the largest must reach `min_group_size` (the whole
        is about at least as many people), or all be empty."""
        rest = [month for month in _months(chosen) if month not in self.shown.get(state, ())]
        runs: list[list[str]] = []
        for month in rest:
            if runs and _next(runs[-1][-1]) == month:
                runs[-1].append(month)
            else:
                runs.append([month])
        anyone = False
        for run in runs:
            least, most = self._people(run, scope, key)
            if least >= self.k:
                return True
            if most == 0:
                continue
            if most >= self.k and self._figure(span(run[0], run[-1]), scope, key).n >= self.k:
                return True
            anyone = True
        return not anyone

    def _people(self, months: list[str], scope: str | None, key: str) -> tuple[int, int]:
        """Bounds of the `n` of `months` together, from the months' own figures (computed once
        each): at least the largest month's, at most their sum (`n` counts distinct people, and
        the people of several months are the union of each month's), so 0 only when every month
        is about nobody. Spares computing a span whose outcome the bounds already decide."""
        counts = [self._figure(month, scope, key).n for month in months]
        return max(counts), sum(counts)


def _months(chosen: Window) -> list[str]:
    """The months of a window, first to last."""
    months = [chosen.start]
    while months[-1] != chosen.end:
        months.append(_next(months[-1]))
    return months


def _next(month: str) -> str:
    year, number = int(month[:4]), int(month[5:])
    return f"{year + number // 12}-{number % 12 + 1:02d}"


_PLANS: WeakKeyDictionary[Activity, dict[tuple[int, int], _YearPlan]] = WeakKeyDictionary()


def publication(
    activity: Activity, month: str, scope: str | None, min_group_size: int
) -> dict[str, Published]:
    """What the report of `month` publishes of each of `scope`'s figures (network: None)."""
    plans = _PLANS.setdefault(activity, {})
    key = (int(month[:4]), min_group_size)
    if key not in plans:
        plans[key] = _YearPlan(activity, key[0], min_group_size)
    by_scope = plans[key].through(month)
    if scope in by_scope:
        return by_scope[scope]
    nobody = window(month, "month")
    return {key: Published(None, 0, True, nobody) for key in CATALOGUE}


def own(shown: Published, month: str) -> bool:
    """Whether the report of `month` showed `month`'s own figure (a month, or a window of that
    month alone), not a window of more months, one shown again from earlier, or a mask."""
    return shown.window.start == shown.window.end == month and not shown.suppressed


def monthly(shown: Published, month: str) -> float | None:
    """The published value if it is `month`'s own figure (see `own`), else None."""
    return shown.value if own(shown, month) else None


def indicators(
    activity: Activity,
    month: str,
    scope: str | None,
    min_group_size: int,
    figures: dict[str, dict[str, Figure]] | None = None,
) -> list[Indicator]:
    """The indicators of `scope` for `month` as published: monthly, pooled or masked (see the
    module doc), with the previous month and the 3-month mean of the monthly figures shown.

    `figures` (from `monthly_figures`) avoids computing the same months twice."""
    figures = figures or monthly_figures(activity, month, scope)
    months = [shift_month(month, delta) for delta in (0, -1, -2)]
    shown = [publication(activity, key, scope, min_group_size) for key in months]
    result = []
    for key, spec in CATALOGUE.items():
        current, previous, before = (by_key[key] for by_key in shown)
        values = [monthly(*pair) for pair in zip((current, previous, before), months, strict=True)]
        visible = [value for value in values if value is not None]
        result.append(
            Indicator(
                id=key,
                axis=spec.axis,
                unit=spec.unit,
                value=current.value,
                n=current.n,
                suppressed=current.suppressed,
                previous=values[1],
                previous_n=previous.n,
                previous_suppressed=previous.suppressed
                or (values[1] is None) != (previous.value is None),
                mean_3m=float(np.mean(visible)) if visible else None,
                window=current.window,
            )
        )
    return result


def history(
    activity: Activity,
    scope: str | None,
    figures: dict[str, dict[str, Figure]],
    min_group_size: int,
) -> dict[str, list[float | None]]:
    """Each indicator's monthly figure as its month's report showed it (None when that report
    pooled or masked it), month by month, oldest first."""
    shown = {month: publication(activity, month, scope, min_group_size) for month in figures}
    return {key: [monthly(shown[month][key], month) for month in figures] for key in CATALOGUE}
