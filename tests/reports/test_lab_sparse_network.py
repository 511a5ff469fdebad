"""The lab on the sparse sandbox network (issue 19), end to end: `--size sparse` → `campus sync`
→ three placebo interventions of 12, 10 and 8 cooperatives get estimates, on quarters."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from analytics.indicators import Activity
from analytics.lab_estimator import Design, default_outcomes
from core.vocabulary import Intervention
from reports.lab_evaluation import run_evaluation
from sandbox.network import generate
from sandbox.server import SandboxServer
from sync.mirror.db import connect
from sync.mirror.loader import load_forum
from tests.conftest import SANDBOX_TEST_KEY, run_campus
from tests.support.clock import frozen_at

pytestmark = [pytest.mark.integration, pytest.mark.dated]

PLACEBOS = {"p12": (0, 12, "2025-09"), "p10": (20, 10, "2025-11"), "p8": (40, 8, "2026-01")}


@pytest.fixture(scope="module")
def mirrored(tmp_path_factory) -> tuple[Path, dict[str, list[str]]]:
    """A campus folder whose mirror holds the sparse network (seed 1) and the placebos' file."""
    folder = tmp_path_factory.mktemp("sparse")
    network = generate(1, "sparse")
    slugs = [cooperative.slug for cooperative in network.cooperatives]
    placebos = {name: slugs[first : first + n] for name, (first, n, _) in PLACEBOS.items()}
    (folder / "cooperatives.csv").write_text(network.cooperatives_csv, encoding="utf-8")
    (folder / "interventions.csv").write_text(
        "name,cooperatives,start,end,description\n"
        + "".join(
            f"{name},{' '.join(placebos[name])},{start},,Placebo\n"
            for name, (_, _, start) in PLACEBOS.items()
        ),
        encoding="utf-8",
    )
    (folder / "campus.toml").write_text(
        "[discourse]\nrequests_per_minute = 1000000\n[sync]\nreconcile_days = 3650\n"
        '[database]\nurl = "sqlite:///campus.db"\n[reports]\nmin_group_size = 5\n'
        "[lab]\nbootstrap_draws = 199\n",
        encoding="utf-8",
    )
    with SandboxServer(network, api_key=SANDBOX_TEST_KEY, rate_limit_per_minute=0) as server:
        env = {"CAMPUS_DISCOURSE_URL": server.url, "CAMPUS_DISCOURSE_API_KEY": SANDBOX_TEST_KEY}
        with frozen_at():
            result = run_campus("--config", str(folder / "campus.toml"), "sync", env=env)
    assert result.exit_code == 0, result.output
    return folder, placebos


def test_placebos_of_8_to_12_cooperatives_get_estimates(mirrored):
    folder, placebos = mirrored
    activity = Activity(load_forum(connect(f"sqlite:///{folder / 'campus.db'}")))
    for name, (_, _, start) in PLACEBOS.items():
        intervention = Intervention(name, {slug: start for slug in placebos[name]}, start)
        results = run_evaluation(
            activity,
            intervention,
            default_outcomes(),
            Design(draws=199, seed=3),
            min_group_size=5,
            until="2026-10",
        )
        estimated = [r for r in results if r.att is not None and r.ci_low is not None]
        assert len(estimated) >= 3, (name, [(r.indicator, r.reason) for r in results])
        assert {r.period for r in estimated} == {"quarter"}  # months too thin
        assert all(r.people >= 5 for r in estimated)  # what is published rests on k people


def test_json_and_text_say_the_estimate_is_by_quarter(mirrored):
    folder, _ = mirrored
    with frozen_at():
        result = run_campus(
            "--config", str(folder / "campus.toml"), "lab", "evaluate", "p8", "--json"
        )
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    estimated = [row for row in data["outcomes"] if row["att"] is not None]
    assert len(estimated) >= 3
    for row in estimated:
        assert row["period"] == "quarter"
        assert "Estimé par trimestre" in row["conclusion"]
        assert all(e["withheld"] == (e["people"] < 5) for e in row["events"])


def test_files_say_the_periods_are_quarters(mirrored, tmp_path: Path):
    folder, _ = mirrored
    out = tmp_path / "p10"
    with frozen_at():
        result = run_campus(
            "--config", str(folder / "campus.toml"), "lab", "evaluate", "p10", "--out", str(out)
        )
    assert result.exit_code == 0, result.output
    markdown = (out / "evaluation.md").read_text(encoding="utf-8")
    html = (out / "evaluation.html").read_text(encoding="utf-8")
    assert "(trimestres)" in markdown and "Estimé par trimestre" in markdown
    assert "Trimestres depuis le début" in html
    assert "au moins 5 personnes" in markdown  # the k-rule, on what is published
