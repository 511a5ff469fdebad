"""Is a month-to-month change a change? The noise rule of the report's trends (DESIGN §7).

A figure always moves a little from one month to the next; the report calls a move a change
only when it is larger than that noise. The noise of a move is the larger of:

- a statistical interval (95 %): for counts, the Poisson interval of a difference of two counts,
  1.96 × √(a + b); for shares of a population, the interval of a difference of two proportions,
  1.96 × √(p (1 − p) (1/n₁ + 1/n₀)) with the pooled share p;
- the spread of the figure's own past: twice the median absolute month-to-month change of the
  previous months, once at least three such changes are known.

Medians of hours and averages of the barometer have no simple interval: they are judged on their
past alone, and not judged at all ("not enough months") before three past changes are known.

Then each indicator declares which direction is better (`better` in `analytics.catalogue`), so
a change is "better" or "worse" for the people concerned, or "neutral" (more members is neither).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

Z_95 = 1.96
MIN_PAST_CHANGES = 3
SPREAD_FACTOR = 2.0
COUNT_UNITS = frozenset({"count", "people"})


@dataclass(frozen=True)
class Trend:
    """How `value` compares with the previous month.

    `direction`: "up", "down" or "flat" (within the noise); None when a value is missing or the
    noise cannot be judged. `verdict`: "better", "worse", "neutral" (a change with no better
    direction) or "stable"; None when not judged. `noise`: the size a change had to exceed.
    """

    direction: str | None
    verdict: str | None
    delta: float | None
    noise: float | None


NOT_JUDGED = Trend(None, None, None, None)


def statistical_noise(
    unit: str, value: float, previous: float, n: int, previous_n: int
) -> float | None:
    """The 95 % interval of the difference `value - previous`, or None for hours and scales."""
    if unit in COUNT_UNITS:
        return Z_95 * math.sqrt(max(value, 0.0) + max(previous, 0.0))
    if unit == "share" and n > 0 and previous_n > 0:
        pooled = (value * n + previous * previous_n) / (n + previous_n)
        return Z_95 * math.sqrt(pooled * (1 - pooled) * (1 / n + 1 / previous_n))
    return None


def past_noise(history: list[float | None]) -> float | None:
    """Twice the median absolute change between consecutive known months of `history` (the
    months before the one judged), or None with fewer than three such changes."""
    changes = [
        abs(b - a)
        for a, b in zip(history, history[1:], strict=False)
        if a is not None and b is not None
    ]
    if len(changes) < MIN_PAST_CHANGES:
        return None
    return SPREAD_FACTOR * float(np.median(changes))


def judge(
    unit: str,
    better: str | None,
    value: float | None,
    previous: float | None,
    *,
    n: int = 0,
    previous_n: int = 0,
    history: list[float | None] | None = None,
) -> Trend:
    """The trend of `value` against `previous` (see the module doc for the rule).

    `history`: the shown values of the months before the previous one and the previous one
    itself, oldest first (the current value excluded); `better`: "up", "down" or None.
    """
    if value is None or previous is None:
        return NOT_JUDGED
    delta = value - previous
    bounds = [
        bound
        for bound in (
            statistical_noise(unit, value, previous, n, previous_n),
            past_noise(history or []),
        )
        if bound is not None
    ]
    if not bounds:
        return NOT_JUDGED
    noise = max(bounds)
    if abs(delta) <= noise or delta == 0:
        return Trend("flat", "stable", delta, noise)
    direction = "up" if delta > 0 else "down"
    verdict = "neutral" if better is None else "better" if direction == better else "worse"
    return Trend(direction, verdict, delta, noise)
