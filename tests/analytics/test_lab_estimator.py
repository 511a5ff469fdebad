"""The lab's staggered difference-in-differences (analytics.lab_estimator): worked example, an independent
implementation (OLS with statsmodels), simulations (known effect, placebo coverage, pre-trend),
the staggered design and every refusal."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
import statsmodels.formula.api as smf

from analytics.lab_estimator import Design, analysis_months, estimate, evaluate
from tests.support.lab_panels import simulated_panel

FAST = Design(draws=199, seed=7)


def long_panel(values: dict[str, list[float]], months: list[str]) -> pd.DataFrame:
    return pd.DataFrame(
        [
            {"cooperative": slug, "month": month, "y": value}
            for slug, series in values.items()
            for month, value in zip(months, series, strict=True)
        ]
    )


def test_worked_example_by_hand():
    """Two treated from month 2, three never treated; ATT(2,2) and ATT(2,3) computed by hand."""
    months = ["2026-01", "2026-02", "2026-03", "2026-04"]
    panel = long_panel(
        {
            "a": [1.0, 2.0, 5.0, 6.0],
            "b": [2.0, 2.0, 6.0, 8.0],
            "c": [0.0, 1.0, 2.0, 3.0],
            "d": [1.0, 1.0, 1.0, 1.0],
            "e": [3.0, 4.0, 4.0, 6.0],
        },
        months,
    )
    design = Design(min_treated=2, min_controls=3, min_pre_months=2, min_post_months=2, draws=99)
    result = evaluate(panel, {"a": "2026-03", "b": "2026-03"}, ["y"], design)[0]
    cells = result.cells.set_index("month")
    # base month 2026-02: treated changes (3, 4) → 3.5; controls (1, 0, 0) → 1/3
    assert cells.loc["2026-03", "att"] == pytest.approx(3.5 - 1 / 3)
    # 2026-04 vs 2026-02: treated (4, 6) → 5; controls (2, 0, 2) → 4/3
    assert cells.loc["2026-04", "att"] == pytest.approx(5 - 4 / 3)
    # pre-period placebo 2026-02 vs 2026-01: treated (1, 0) → 0.5; controls (1, 0, 1) → 2/3
    assert cells.loc["2026-02", "att"] == pytest.approx(0.5 - 2 / 3)
    assert result.att == pytest.approx(((3.5 - 1 / 3) + (5 - 4 / 3)) / 2)
    assert (result.treated, result.controls) == (2, 3)
    assert (result.pre_periods, result.post_periods) == (2, 2)


def test_group_time_effects_match_an_independent_ols_implementation():
    """Each ATT(g, t) equals the interaction coefficient of a two-period, two-group OLS fitted by
    statsmodels on the cell's own cooperatives (treated cohort, not-yet- or never-treated)."""
    panel, starts = simulated_panel(3, effect=0.4)
    result = evaluate(panel, starts, ["y"], FAST)[0]
    wide = panel.pivot(index="cooperative", columns="month", values="y")
    months = list(wide.columns)
    checked = 0
    for cell in result.cells.itertuples():
        g, t = months.index(cell.cohort), months.index(cell.month)
        base = months[g - 1] if t >= g else months[t - 1]
        cohort = [slug for slug, start in starts.items() if start == cell.cohort]
        controls = [
            slug
            for slug in wide.index
            if slug not in cohort and (slug not in starts or starts[slug] > cell.month)
        ]
        rows = [
            {"y": wide.at[slug, month], "treated": int(slug in cohort), "after": int(after)}
            for slug in cohort + controls
            for month, after in ((base, False), (cell.month, True))
        ]
        fit = smf.ols("y ~ treated * after", data=pd.DataFrame(rows)).fit()
        assert cell.att == pytest.approx(fit.params["treated:after"], abs=1e-9)
        checked += 1
    assert checked == len(result.cells) > 20


def test_aggregate_is_the_treated_weighted_mean_of_post_period_cells():
    panel, starts = simulated_panel(4, effect=0.3)
    result = evaluate(panel, starts, ["y"], FAST)[0]
    post = result.cells[result.cells["event"] >= 0]
    expected = (post["att"] * post["treated"]).sum() / post["treated"].sum()
    assert result.att == pytest.approx(expected)


def test_recovers_a_known_effect_and_its_interval_covers_it():
    panel, starts = simulated_panel(11, effect=0.5)
    result = evaluate(panel, starts, ["y"], Design(seed=1))[0]
    assert result.ci_low <= 0.5 <= result.ci_high
    assert result.ci_low > 0  # detected
    assert result.att == pytest.approx(0.5, abs=0.2)


def test_placebo_intervals_cover_zero_at_about_the_nominal_rate():
    covered = 0
    runs = 150
    for seed in range(runs):
        panel, starts = simulated_panel(1000 + seed)
        result = evaluate(panel, starts, ["y"], Design(draws=199, seed=seed))[0]
        covered += result.ci_low <= 0 <= result.ci_high
    assert 0.88 <= covered / runs <= 0.99


def test_pre_trend_check_rejects_at_about_the_nominal_rate_without_a_pre_trend():
    rejected = sum(
        evaluate(*simulated_panel(2000 + seed), ["y"], Design(draws=199, seed=seed))[0].pre_trend_p
        < 0.05
        for seed in range(100)
    )
    assert rejected <= 12


def test_pre_trend_check_flags_treated_cooperatives_already_diverging():
    panel, starts = simulated_panel(5, pre_trend=0.15)
    result = evaluate(panel, starts, ["y"], FAST)[0]
    assert result.pre_trend_p < 0.01


def test_staggered_cohorts_each_use_not_yet_treated_controls():
    panel, starts = simulated_panel(6, effect=0.0)
    result = evaluate(panel, starts, ["y"], FAST)[0]
    cells = result.cells
    assert set(cells["cohort"]) == {"2026-01", "2026-05"}
    # before 2026-05 the later cohort (6 cooperatives) is a control of the earlier one
    early = cells[(cells["cohort"] == "2026-01") & (cells["month"] == "2026-02")]
    late = cells[(cells["cohort"] == "2026-01") & (cells["month"] == "2026-06")]
    assert int(early["controls"].iloc[0]) == 28 + 6
    assert int(late["controls"].iloc[0]) == 28
    assert set(result.events["event"]) >= {-1, 0, 1, 7}


def test_staggered_effects_that_differ_by_cohort_are_averaged_with_their_weights():
    """No bias from the forbidden comparison (late vs already treated) that two-way fixed
    effects make: a growing effect in the early cohort does not leak into the late one."""
    panel, starts = simulated_panel(8, noise=0.0)
    months = sorted(panel["month"].unique())
    growth = {
        slug: [(months.index(m) - months.index(start) + 1) if m >= start else 0 for m in months]
        for slug, start in starts.items()
    }
    for slug, series in growth.items():
        rows = panel["cooperative"] == slug
        panel.loc[rows, "y"] += np.array(series, dtype=float)
    result = evaluate(panel, starts, ["y"], FAST)[0]
    post = result.cells[result.cells["event"] >= 0]
    assert np.allclose(post["att"], post["event"] + 1)


def test_months_after_the_end_are_not_counted():
    panel, starts = simulated_panel(9, effect=0.5)
    result = evaluate(panel, starts, ["y"], FAST, end="2026-08")[0]
    assert result.cells["month"].max() == "2026-08"
    assert result.post_periods == 8


def test_missing_cooperative_months_are_left_out_not_taken_as_zero():
    panel, starts = simulated_panel(10, effect=0.5)
    full = evaluate(panel, starts, ["y"], FAST)[0]
    holed = panel.copy()
    holed.loc[(holed["cooperative"] == "coop-30") & (holed["month"] == "2026-03"), "y"] = math.nan
    result = evaluate(holed, starts, ["y"], FAST)[0]
    cell = result.cells[
        (result.cells["cohort"] == "2026-01") & (result.cells["month"] == "2026-03")
    ]
    assert int(cell["controls"].iloc[0]) == 33  # one control fewer, not a zero
    assert result.att == pytest.approx(full.att, abs=0.05)


def test_same_seed_same_interval():
    panel, starts = simulated_panel(12, effect=0.2)
    first = evaluate(panel, starts, ["y"], FAST)[0]
    second = evaluate(panel, starts, ["y"], FAST)[0]
    assert (first.ci_low, first.ci_high) == (second.ci_low, second.ci_high)


# --- refusals ---------------------------------------------------------------------------------


def test_refuses_a_single_treated_cooperative():
    panel, _ = simulated_panel(13)
    result = evaluate(panel, {"coop-00": "2026-01"}, ["y"], FAST)[0]
    assert result.reason == "few_treated"
    assert result.detail == {"found": 1, "needed": 2}
    assert result.att is None and result.ci_low is None


def test_refuses_too_few_controls():
    panel, _ = simulated_panel(14, cooperatives=6)
    starts = {f"coop-{i:02d}": "2026-01" for i in range(4)}
    result = evaluate(panel, starts, ["y"], FAST)[0]
    assert result.reason == "few_controls"
    assert result.detail == {"found": 2, "needed": 3}


def test_refuses_too_few_months_before():
    panel, _ = simulated_panel(15)
    starts = {"coop-00": "2025-03", "coop-01": "2025-03"}
    result = evaluate(panel, starts, ["y"], FAST)[0]
    assert result.reason == "few_pre"
    assert result.detail == {"found": 2, "needed": 3}


def test_refuses_too_few_months_after():
    panel, _ = simulated_panel(16)
    starts = {"coop-00": "2026-12", "coop-01": "2026-12"}
    result = evaluate(panel, starts, ["y"], FAST)[0]
    assert result.reason == "few_post"
    assert result.detail == {"found": 1, "needed": 2}


def test_an_intervention_that_has_not_started_has_nothing_to_estimate():
    panel, _ = simulated_panel(17)
    starts = {"coop-00": "2027-03", "coop-01": "2027-03"}
    assert evaluate(panel, starts, ["y"], FAST)[0].reason == "few_treated"


def test_a_cooperative_suppressed_every_month_does_not_count_as_treated():
    panel, _ = simulated_panel(18)
    starts = {"coop-00": "2026-01", "coop-01": "2026-01"}
    panel.loc[panel["cooperative"] == "coop-01", "y"] = math.nan
    assert evaluate(panel, starts, ["y"], FAST)[0].reason == "few_treated"


def test_estimate_works_on_plain_arrays():
    values = np.array([[0.0, 0.0, 1.0, 1.0], [0.0, 0.0, 1.0, 1.0]] + [[0.0] * 4] * 3)
    cohorts = np.array([2, 2, np.inf, np.inf, np.inf])
    design = Design(min_pre_months=2, draws=99)
    assert estimate(values, cohorts, design).att == pytest.approx(1.0)


def test_months_long_before_the_start_change_nothing():
    panel, starts = simulated_panel(19, effect=0.3)
    months = sorted(panel["month"].unique())
    kept = analysis_months(months, {"a": "2026-03", "b": "2026-07"})
    assert kept[0] == "2025-01" and kept[-1] == months[-1]  # 2025-02, its quarter kept whole
    late = {slug: "2026-03" for slug in list(starts)[:6]}
    full = evaluate(panel, late, ["y"], FAST)[0]
    short = evaluate(panel[panel["month"].isin(analysis_months(months, late))], late, ["y"], FAST)[
        0
    ]
    assert short.att == pytest.approx(full.att)
    assert short.pre_trend_p == pytest.approx(full.pre_trend_p, abs=0.05)


def test_a_cohort_without_any_data_does_not_refuse_the_others():
    panel, starts = simulated_panel(20, effect=0.3)
    starts = {**starts, "coop-30": "2026-03", "coop-31": "2026-03"}
    panel.loc[panel["cooperative"].isin(["coop-30", "coop-31"]), "y"] = math.nan
    result = evaluate(panel, starts, ["y"], FAST)[0]
    assert result.reason is None
    assert result.treated == 12 and result.pre_periods == 12


@pytest.mark.filterwarnings("ignore:The inplace keyword")  # inside `differences`, not ours
def test_matches_the_differences_package_group_time_effects_and_simple_aggregate():
    """An independent implementation of Callaway & Sant'Anna (PyPI `differences`, outcome
    regression without covariates, not-yet-treated controls, varying base period) gives the same
    ATT(g, t) and the same overall effect; its analytic standard error is close to the width of
    our bootstrap interval."""
    from differences import ATTgt

    panel, starts = simulated_panel(3, effect=0.4)
    months = sorted(panel["month"].unique())
    index = {month: i for i, month in enumerate(months)}
    data = panel.assign(
        time=panel["month"].map(index),
        cohort=panel["cooperative"].map(lambda slug: index.get(starts.get(slug), np.nan)),
    ).set_index(["cooperative", "time"])
    reference = ATTgt(data=data, cohort_column="cohort", base_period="varying")
    reference.fit(
        formula="y", control_group="not_yet_treated", est_method="reg", progress_bar=False
    )
    theirs = reference.results()[("ATTgtElements", "", "ATT")]
    theirs.index = [(months[g], months[t]) for g, _base, t in theirs.index]

    ours = evaluate(panel, starts, ["y"], Design(seed=3))[0]
    mine = ours.cells.set_index(["cohort", "month"])["att"]
    assert len(mine) == len(theirs)
    for key, value in theirs.items():
        assert mine[key] == pytest.approx(value, abs=1e-9), key
    simple = reference.aggregate("simple").iloc[0]
    assert ours.att == pytest.approx(simple[("SimpleAggregation", "", "ATT")], abs=1e-9)
    half_width = (ours.ci_high - ours.ci_low) / 2
    assert half_width == pytest.approx(
        1.96 * simple[("SimpleAggregation", "analytic", "std_error")], rel=0.3
    )
