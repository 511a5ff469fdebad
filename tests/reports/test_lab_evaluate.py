"""`campus lab evaluate` over a synthetic mirror: JSON contract, files, refusals, bad input."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from analytics.indicators import Activity
from analytics.lab_estimator import outcome_panel
from bench.report_mirror import fill_mirror
from sync.mirror.db import connect
from sync.mirror.loader import load_forum
from tests.conftest import run_campus
from tests.support.clock import frozen_at

pytestmark = pytest.mark.dated

MONTHS = tuple(f"2026-{m:02d}" for m in range(1, 11))
COOPS = [f"coop-{i:02d}" for i in range(1, 9)]


@pytest.fixture(scope="module")
def config(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("campus")
    fill_mirror(
        connect(f"sqlite:///{folder / 'campus.db'}"),
        cooperatives=8,
        members_per_coop=30,
        topics=2400,
        months=MONTHS,
        seed=4,
    )
    (folder / "cooperatives.csv").write_text(
        "slug,name\n" + "".join(f"{slug},Coopérative {slug}\n" for slug in COOPS)
    )
    (folder / "interventions.csv").write_text(
        "name,cooperatives,start,end,description\n"
        "relais,coop-01 coop-02 coop-03:2026-07,2026-06,,Relais des questions sans réponse\n"
        "solo,coop-04,2026-06,,Une seule coopérative\n"
        "tardif,coop-05 coop-06,2026-10,,Commencé le dernier mois\n"
    )
    path = folder / "campus.toml"
    path.write_text(
        '[database]\nurl = "sqlite:///campus.db"\n[reports]\nmin_group_size = 5\n'
        "[lab]\nbootstrap_draws = 199\n"
    )
    return path


def run(config: Path, *args: str):
    """`campus --config CONFIG …` in early November 2026: the mirror's last month is "last month"."""
    with frozen_at():
        return run_campus("--config", str(config), *args)


def test_json_follows_the_contract(config: Path):
    result = run(config, "lab", "evaluate", "relais", "--json")
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert data["intervention"] == "relais"
    assert data["cooperatives"] == ["coop-01", "coop-02", "coop-03"]
    assert data["start"] == "2026-06"
    assert data["starts"]["coop-03"] == "2026-07"
    keys = {"indicator", "att", "ci_low", "ci_high", "treated", "controls", "pre_periods"}
    keys |= {"post_periods", "pre_trend_p"}
    assert [row["indicator"] for row in data["outcomes"]][:4] == [
        "answered_48h",
        "first_response_hours",
        "top_decile_share",
        "after_hours",
    ]
    for row in data["outcomes"]:
        assert keys <= set(row)
        if row["att"] is None:
            assert row["reason"]
        else:
            assert row["ci_low"] <= row["ci_high"]
            # exact internal figures: coop-01's barometer (4 voters) counts too
            assert row["treated"] == 3
            assert row["period"] in ("month", "quarter")
            assert row["people"] >= 5
            assert row["controls"] >= 3
    assert isinstance(data["verdict"], str) and data["verdict"]


def test_an_estimated_outcome_says_what_its_interval_means(config: Path):
    data = json.loads(run(config, "lab", "evaluate", "relais", "--json").output)
    row = next(r for r in data["outcomes"] if r["indicator"] == "after_hours")
    assert row["att"] is not None
    inside = row["ci_low"] <= 0 <= row["ci_high"]
    assert ("Pas d'effet détectable" in row["conclusion"]) == inside


def test_the_lab_estimates_on_exact_figures_under_the_group_size(config: Path):
    """coop-01 has 4 voters every month (report_mirror): the estimator sees its exact barometer
    (nothing masked before estimating, DESIGN §7); the k-rule applies to what is published."""
    activity = Activity(load_forum(connect(f"sqlite:///{config.parent / 'campus.db'}")))
    panel = outcome_panel(activity, list(MONTHS), ["pulse_autonomie"])
    coop = panel[panel["cooperative"] == "coop-01"]
    assert coop["pulse_autonomie"].notna().all()
    assert (coop["pulse_autonomie_n"] == 4).all()


def test_barometer_outcomes_count_every_treated_cooperative_with_a_figure(config: Path):
    data = json.loads(run(config, "lab", "evaluate", "relais", "--json").output)
    row = next(r for r in data["outcomes"] if r["indicator"] == "pulse_autonomie")
    assert row["treated"] == 3  # coop-01 (4 voters) is estimated on, not missing
    assert row["period"] == "month"  # the barometer is never pooled across months


def test_one_treated_cooperative_is_refused_with_its_reason(config: Path):
    data = json.loads(run(config, "lab", "evaluate", "solo", "--json").output)
    for row in data["outcomes"]:
        assert row["att"] is None and row["ci_low"] is None and row["ci_high"] is None
        assert row["reason_code"] == "few_treated"
        assert "1 seule coopérative" in row["reason"]
    assert data["verdict"].startswith("Aucune estimation possible")


def test_too_few_months_after_the_start_is_refused(config: Path):
    data = json.loads(run(config, "lab", "evaluate", "tardif", "--json").output)
    assert {row["reason_code"] for row in data["outcomes"]} == {"few_post"}


def test_files_are_written_with_the_verdict(config: Path, tmp_path: Path):
    result = run(config, "lab", "evaluate", "RELAIS", "--out", str(tmp_path / "eval"))
    assert result.exit_code == 0, result.output
    folder = tmp_path / "eval"
    assert sorted(p.name for p in folder.iterdir()) == [
        "evaluation.html",
        "evaluation.json",
        "evaluation.md",
    ]
    html = (folder / "evaluation.html").read_text()
    data = json.loads((folder / "evaluation.json").read_text())
    assert data["verdict"] in result.output
    assert "Callaway" in html and "intervalle de confiance à 95 %" in html.lower()
    assert "<script" not in html


def test_chosen_outcomes_only(config: Path):
    result = run(config, "lab", "evaluate", "relais", "--json", "--outcome", "solved_share")
    assert [row["indicator"] for row in json.loads(result.output)["outcomes"]] == ["solved_share"]


def test_an_unknown_outcome_exits_2(config: Path):
    result = run(config, "lab", "evaluate", "relais", "--json", "--outcome", "bonheur")
    assert result.exit_code == 2
    assert "bonheur" in result.output


def test_an_unknown_intervention_exits_2_with_the_known_ones(config: Path):
    result = run(config, "lab", "evaluate", "inconnue", "--json")
    assert result.exit_code == 2
    assert "inconnue" in result.output and "relais" in result.output


def test_english_verdict(config: Path):
    result = run_campus(
        "--config",
        str(config),
        "lab",
        "evaluate",
        "solo",
        "--json",
        "--lang",
        "en",
        env={"CAMPUS_LANG": "en"},
    )
    assert "No estimate" in json.loads(result.output)["verdict"]


def test_no_treated_data_at_all_is_said_plainly():
    from analytics.lab_estimator import OutcomeResult
    from reports.lab_evaluation import reason_text

    result = OutcomeResult("answered_48h", reason="few_treated", detail={"found": 0, "needed": 2})
    assert reason_text(result, "fr").startswith("aucune coopérative concernée n'a de données")


def test_verdicts_never_overstate():
    from analytics.lab_estimator import OutcomeResult
    from reports.lab_evaluation import verdict

    def result(att, low, high, p):
        return OutcomeResult("answered_48h", att=att, ci_low=low, ci_high=high, pre_trend_p=p)

    assert verdict("x", [result(0.02, -0.01, 0.05, 0.6)], "fr").startswith("Pas d'effet détectable")
    assert verdict("x", [result(0.05, 0.02, 0.08, 0.6)], "fr").startswith("Écart détectable")
    doubtful = verdict("x", [result(0.05, 0.02, 0.08, 0.01)], "fr")
    assert doubtful.startswith("Pas de conclusion possible")
    assert "évoluaient déjà différemment" in doubtful
