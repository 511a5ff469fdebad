"""Sparse cooperative × month panels for the lab's tests: the shape of a real network (seeded).

74 cooperatives, a few questions a month in each (about one writer per cooperative-month, a
heavy tail of busier cooperatives), 36 months. For each cooperative-month:

- `answered`: the share of its questions answered within 48 h (NaN without a question; n = the
  questions), each question answered with a probability set by the cooperative and the month;
- `hours`: the median delay of its answers (NaN without an answer; n = the answers), log-normal
  around the cooperative's and the month's level.

No intervention changes anything: any start is a placebo, its true effect zero.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

MONTHS = [f"{year}-{month:02d}" for year in (2024, 2025, 2026) for month in range(1, 13)]
OUTCOMES = ("answered", "hours")


def sparse_panel(seed: int, cooperatives: int = 74, questions: float = 0.9) -> pd.DataFrame:
    """The long panel (`cooperative`, `month`, each outcome and its `<id>_n`).

    `questions`: the mean number of questions of a cooperative-month; cooperatives differ by a
    heavy-tailed factor (gamma, shape 1), so most have fewer and a few many more."""
    rng = np.random.default_rng(seed)
    slugs = [f"coop-{i:02d}" for i in range(cooperatives)]
    n_months = len(MONTHS)
    rate = questions * rng.gamma(1.0, 1.0, cooperatives)
    asked = rng.poisson(rate[:, None], (cooperatives, n_months))
    level = rng.normal(0.4, 0.8, cooperatives)[:, None] + rng.normal(0, 0.3, n_months)[None, :]
    answered = rng.binomial(asked, 1 / (1 + np.exp(-level)))
    delay = rng.normal(2.5, 0.5, cooperatives)[:, None] + rng.normal(0, 0.2, n_months)[None, :]
    hours = np.full((cooperatives, n_months), np.nan)
    for i, t in zip(*np.nonzero(answered), strict=True):
        hours[i, t] = float(np.median(np.exp(rng.normal(delay[i, t], 1.0, answered[i, t]))))
    with np.errstate(invalid="ignore", divide="ignore"):
        share = np.where(asked > 0, answered / asked, np.nan)
    return pd.DataFrame(
        {
            "cooperative": np.repeat(slugs, n_months),
            "month": np.tile(MONTHS, cooperatives),
            "answered": share.ravel(),
            "answered_n": asked.ravel(),
            "hours": hours.ravel(),
            "hours_n": answered.ravel(),
        }
    )


def placebo_starts(seed: int, cooperatives: int = 74) -> dict[str, str]:
    """A placebo intervention: 8 to 12 cooperatives, in one or two cohorts starting between the
    second and the third year of the panel."""
    rng = np.random.default_rng(seed + 10_000)
    treated = rng.choice(cooperatives, size=int(rng.integers(8, 13)), replace=False)
    cohorts = rng.choice(np.arange(15, 30), size=int(rng.integers(1, 3)), replace=False)
    return {
        f"coop-{i:02d}": MONTHS[int(cohorts[k % len(cohorts)])]
        for k, i in enumerate(sorted(treated))
    }
