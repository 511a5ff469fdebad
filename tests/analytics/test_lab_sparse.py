"""The lab on thin data (issue 19): quarters when months are too thin, placebo coverage on sparse
panels shaped like the real network, the base of an effect on quarters, and the k-rule at
publication."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from analytics.lab_estimator import Design, OutcomeResult, evaluate, quarterly
from reports.lab_evaluation import publishable
from tests.support.lab_panels import simulated_panel
from tests.support.sparse_panels import OUTCOMES, placebo_starts, sparse_panel

FAST = Design(draws=199, seed=7)


def test_thin_outcomes_are_estimated_on_quarters_dense_ones_on_months():
    panel = sparse_panel(1)
    assert panel["answered"].notna().mean() < 0.8  # most cooperative-months have no question
    for result in evaluate(panel, placebo_starts(1), OUTCOMES, FAST):
        assert result.reason is None and result.period == "quarter"
        assert 8 <= result.treated <= 12 and result.people >= 5
    dense, starts = simulated_panel(1)
    assert evaluate(dense, starts, ["y"], FAST)[0].period == "month"


def test_a_quarter_is_the_n_weighted_mean_of_its_months():
    months = ["2026-01", "2026-02", "2026-03", "2026-04"]
    values = np.array([[1.0, 0.0, np.nan, 0.5]])
    counts = np.array([[3.0, 1.0, 0.0, 2.0]])
    pooled, people, quarters = quarterly(values, counts, months)
    assert quarters == ["2026-Q1", "2026-Q2"]
    assert pooled[0].tolist() == pytest.approx([0.75, 0.5])  # (3 × 1 + 1 × 0) / 4
    assert people[0].tolist() == [3.0, 2.0]  # the largest month: a lower bound of the people


def test_placebo_intervals_on_sparse_panels_cover_zero_at_about_the_nominal_rate():
    """200 sparse placebo panels (8 to 12 treated cooperatives in one or two cohorts, nothing
    planted): the 95 % intervals cover zero 93.0 % (answered) and 92.5 % (hours) of the time.
    With the quarter before the start as the only base they covered 87.5 % and 87.8 %: one thin
    quarter is too noisy a base, hence the mean of the year before (`Design.quarter_base`)."""
    covered: dict[str, list[bool]] = {key: [] for key in OUTCOMES}
    for seed in range(200):
        for result in evaluate(sparse_panel(seed), placebo_starts(seed), OUTCOMES, FAST):
            if result.ci_low is not None:
                covered[result.indicator].append(result.ci_low <= 0 <= result.ci_high)
    for key, flags in covered.items():
        assert len(flags) >= 195, key  # estimates, not refusals
        assert 0.90 <= np.mean(flags) <= 0.98, (key, np.mean(flags))


def test_on_quarters_an_effect_compares_with_the_mean_of_the_year_before():
    """Quarters 0-3 before the start (values 1, 3, missing, 5: mean 3), effect in quarter 4."""
    months = [f"2025-{m:02d}" for m in range(1, 13)] + [f"2026-{m:02d}" for m in range(1, 7)]
    rows = []
    for slug, before, after in (("a", 3.0, 7.0), ("b", 3.0, 7.0), *((c, 0.0, 1.0) for c in "cde")):
        for month in months:
            quarter = (int(month[5:7]) - 1) // 3 + (4 if month >= "2026" else 0)
            value = {0: before - 2, 1: before, 2: None, 3: before + 2}.get(quarter, after)
            rows.append({"cooperative": slug, "month": month, "y": value, "y_n": 9})
    panel = pd.DataFrame(rows)
    design = Design(min_pre_months=2, draws=99, min_monthly_coverage=0.95)
    result = evaluate(panel, {"a": "2026-01", "b": "2026-01"}, ["y"], design)[0]
    assert result.period == "quarter"
    cells = result.cells.set_index("month")
    # treated: 7 - mean(1, 3, 5) = 4; controls: 1 - mean(-2, 0, 2) = 1
    assert cells.loc["2026-Q1", "att"] == pytest.approx(3.0)


def _estimate(people: int, event_people: list[int]) -> OutcomeResult:
    events = pd.DataFrame(
        {
            "event": [-1, 0, 1],
            "att": [0.1, 0.2, 0.3],
            "ci_low": [-0.1, 0.0, 0.1],
            "ci_high": [0.3, 0.4, 0.5],
            "people": event_people,
        }
    )
    return OutcomeResult(
        "answered_48h", att=0.25, ci_low=0.05, ci_high=0.45, treated=9, people=people, events=events
    )


def test_publication_withholds_event_rows_over_fewer_than_k_people():
    published = publishable(_estimate(12, [6, 4, 7]), 5)
    assert published.att == 0.25
    rows = published.events.set_index("event")
    assert rows.loc[0, "withheld"] and rows.loc[0, "att"] is None and rows.loc[0, "ci_low"] is None
    assert not rows.loc[1, "withheld"] and rows.loc[1, "att"] == 0.3


def test_publication_withholds_an_effect_over_fewer_than_k_people():
    published = publishable(_estimate(4, [4, 4, 4]), 5)
    assert published.att is None and published.ci_low is None
    assert published.reason == "few_people"
    assert published.detail == {"found": 4, "needed": 5}
