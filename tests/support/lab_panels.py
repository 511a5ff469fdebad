"""Simulated cooperative × month panels for the lab's estimator tests (seeded, reproducible).

Outcome = cooperative effect + month effect + noise (+ `effect` while treated, + `pre_trend`
× months for the treated cooperatives): parallel trends hold unless `pre_trend` is set.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

MONTHS = [f"2025-{m:02d}" for m in range(1, 13)] + [f"2026-{m:02d}" for m in range(1, 13)]


def simulated_panel(
    seed: int,
    *,
    cooperatives: int = 40,
    starts: dict[str, str] | None = None,
    effect: float = 0.0,
    pre_trend: float = 0.0,
    noise: float = 0.5,
) -> tuple[pd.DataFrame, dict[str, str]]:
    """A long panel (`cooperative`, `month`, `y`) and the starts of the treated cooperatives.

    Default design: 12 treated cooperatives in two cohorts (6 from 2026-01, 6 from 2026-05)."""
    rng = np.random.default_rng(seed)
    slugs = [f"coop-{i:02d}" for i in range(cooperatives)]
    if starts is None:
        starts = {slug: ("2026-01" if i < 6 else "2026-05") for i, slug in enumerate(slugs[:12])}
    unit = rng.normal(0, 1, cooperatives)
    month_effect = rng.normal(0, 1, len(MONTHS))
    y = unit[:, None] + month_effect[None, :] + rng.normal(0, noise, (cooperatives, len(MONTHS)))
    months = np.array(MONTHS)
    for i, slug in enumerate(slugs):
        if slug in starts:
            y[i] += pre_trend * np.arange(len(MONTHS)) + effect * (months >= starts[slug])
    frame = pd.DataFrame(
        {
            "cooperative": np.repeat(slugs, len(MONTHS)),
            "month": np.tile(months, cooperatives),
            "y": y.ravel(),
        }
    )
    return frame, starts
