"""`campus lab evaluate --kind KIND` (DESIGN §11, §14): the directors' actions of one kind are
one staggered intervention, each cooperative treated from its first started action.

Over 20 seeds of a synthetic network with a planted effect (tests/support/lab_panels), the actions
are recorded in a real SQLite mirror through the action log, the intervention is read back from
it as `lab evaluate --kind` does, and the lab's estimator runs on the planted panel: the effect
is detected and covered, and a placebo kind covers zero. End to end, the command follows the JSON
contract and refuses what it must (exit 2)."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime
from pathlib import Path

import numpy as np
import pytest

from analytics.lab_estimator import Design, evaluate
from app import actions, lab
from app.actions import Author
from bench.report_mirror import fill_mirror
from sync.mirror.db import connect
from tests.conftest import run_campus
from tests.support.campus import make_campus
from tests.support.clock import frozen_at
from tests.support.lab_panels import simulated_panel

EFFECT = 0.8  # 1.6 times the noise of a cooperative-month (lab_panels: 0.5)
SEEDS = range(20)
DIRECTOR = Author(user_id=1, username="direction-test")
TITLES = {"edt": "Espace de discussion sur le travail", "formation": "Formation des équipes"}


def record(campus, slug: str, kind: str, started: date, status: str) -> None:
    actions.record_action(
        campus,
        slug,
        started.strftime("%Y-%m"),
        axis="rapports_sociaux",
        indicator=None,
        kind=kind,
        title=TITLES[kind],
        started=started,
        status=status,
        author=DIRECTOR,
    )


def day_in(month: str, rng: np.random.Generator) -> date:
    return date(int(month[:4]), int(month[5:7]), int(rng.integers(1, 29)))


def log_of_seed(folder: Path, seed: int, starts: dict[str, str], slugs: list[str]):
    """A mirror whose action log holds, for `seed`: an `edt` action started in each treated
    cooperative's first month (and later ones, and a planned one elsewhere that never started),
    and `formation` actions in 12 untreated cooperatives from random months (the placebo)."""
    rng = np.random.default_rng(10_000 + seed)
    folder.mkdir()
    (folder / "cooperatives.csv").write_text(
        "slug,name\n" + "".join(f"{slug},Coopérative {slug}\n" for slug in slugs), encoding="utf-8"
    )
    campus = make_campus(folder, engine=connect(f"sqlite:///{folder / 'campus.db'}"))
    campus.clock = lambda: datetime(2026, 12, 15, 9, tzinfo=UTC)
    for slug, month in starts.items():
        status = str(rng.choice(["en_cours", "faite", "abandonnee"]))
        record(campus, slug, "edt", day_in(month, rng), status)
        record(campus, slug, "edt", date(2026, 11, 2), "en_cours")  # a later one: same start
    untreated = [slug for slug in slugs if slug not in starts]
    record(campus, untreated[0], "edt", date(2025, 3, 1), "prevue")  # planned: never started
    months = [f"2025-{m:02d}" for m in range(6, 13)] + [f"2026-{m:02d}" for m in range(1, 7)]
    for slug in rng.choice(untreated, size=12, replace=False):
        record(campus, str(slug), "formation", day_in(str(rng.choice(months)), rng), "faite")
    return campus


def test_kind_evaluations_detect_a_planted_effect_and_not_a_placebo(tmp_path: Path):
    detected = covered = placebo_covers_zero = 0
    for seed in SEEDS:
        panel, starts = simulated_panel(seed, effect=EFFECT)
        slugs = sorted(panel["cooperative"].unique())
        campus = log_of_seed(tmp_path / f"seed-{seed}", seed, starts, slugs)

        treated = lab.kind_intervention(campus, "edt")
        placebo = lab.kind_intervention(campus, "formation")
        assert treated.name == "kind:edt"
        assert treated.starts == dict(sorted(starts.items()))  # the first start of each

        design = Design(draws=199, seed=seed)
        effect = evaluate(panel, treated.starts, ["y"], design)[0]
        null = evaluate(panel, placebo.starts, ["y"], design)[0]
        detected += effect.ci_low > 0
        covered += effect.ci_low <= EFFECT <= effect.ci_high
        placebo_covers_zero += null.ci_low <= 0 <= null.ci_high
        campus.engine.dispose()

    assert detected >= 15, detected
    assert covered >= 17, covered
    assert placebo_covers_zero >= 17, placebo_covers_zero


# ---------------------------------------------------------------------- the command, end to end

MONTHS = tuple(f"2026-{m:02d}" for m in range(1, 11))
COOPS = [f"coop-{i:02d}" for i in range(1, 9)]


@pytest.fixture(scope="module")
def config(tmp_path_factory) -> Path:
    """The lab's synthetic mirror (8 cooperatives, 10 months) with `edt` actions started in
    three cooperatives, a planned `formation` one, and nothing of the other kinds."""
    folder = tmp_path_factory.mktemp("campus")
    engine = connect(f"sqlite:///{folder / 'campus.db'}")
    fill_mirror(engine, cooperatives=8, members_per_coop=30, topics=2400, months=MONTHS, seed=4)
    (folder / "cooperatives.csv").write_text(
        "slug,name\n" + "".join(f"{slug},Coopérative {slug}\n" for slug in COOPS)
    )
    path = folder / "campus.toml"
    path.write_text(
        '[database]\nurl = "sqlite:///campus.db"\n[reports]\nmin_group_size = 5\n'
        "[lab]\nbootstrap_draws = 199\n"
    )
    campus = make_campus(folder, engine=engine)
    campus.clock = lambda: datetime(2026, 11, 5, 9, tzinfo=UTC)
    record(campus, "coop-01", "edt", date(2026, 6, 3), "faite")
    record(campus, "coop-02", "edt", date(2026, 6, 17), "en_cours")
    record(campus, "coop-03", "edt", date(2026, 7, 1), "abandonnee")
    record(campus, "coop-03", "edt", date(2026, 9, 1), "en_cours")
    record(campus, "coop-04", "formation", date(2026, 12, 1), "prevue")
    engine.dispose()
    return path


def run(config: Path, *args: str):
    with frozen_at():
        return run_campus("--config", str(config), *args)


def test_kind_json_follows_the_contract(config: Path):
    result = run(config, "lab", "evaluate", "--kind", "edt", "--json")

    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert data["intervention"] == "kind:edt"
    assert data["cooperatives"] == ["coop-01", "coop-02", "coop-03"]
    assert data["start"] == "2026-06"
    assert data["starts"] == {"coop-01": "2026-06", "coop-02": "2026-06", "coop-03": "2026-07"}
    for row in data["outcomes"]:
        assert {"indicator", "att", "ci_low", "ci_high", "treated", "controls"} <= set(row)
        assert row["att"] is not None or row["reason"]
    assert data["verdict"]


def test_kind_writes_its_files_under_the_labs_folder(config: Path):
    result = run(config, "lab", "evaluate", "--kind", "edt")

    assert result.exit_code == 0, result.output
    folder = config.parent / "rapports" / "labo" / "kind-edt"
    assert str(folder) in result.output
    assert (folder / "evaluation.html").is_file()
    assert json.loads((folder / "evaluation.json").read_text())["intervention"] == "kind:edt"


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("relais", "--kind", "edt"), "pas les deux"),
        ((), "pas les deux"),
        (("--kind", "fete"), "Type d'action « fete » inconnu"),
        (("--kind", "formation"), "Aucune action de type « formation » n'a commencé"),
    ],
)
def test_bad_usage_exits_2_with_a_message(config: Path, args, message):
    result = run(config, "lab", "evaluate", *args)

    assert result.exit_code == 2
    assert message in result.output
    assert "Traceback" not in result.output
