"""`campus demo`: the README's main job, end to end on the sandbox (small network)."""

import csv
import re
from pathlib import Path

from tests.conftest import run_campus

KEY = "demo-k3y-that-must-never-show"


def run_demo(out: Path):
    return run_campus(
        "demo", "--size", "small", "--out", str(out), env={"CAMPUS_SANDBOX_API_KEY": KEY}
    )


def network_pulse(month_dir: Path) -> dict[str, dict]:
    """The network's pulse averages per axis, as indicators.csv gives them."""
    with (month_dir / "indicators.csv").open(encoding="utf-8") as rows:
        pulse = [row for row in csv.DictReader(rows) if row["indicator"].startswith("pulse_")]
    return {row["axis"]: row for row in pulse if row["scope"] == "network"}


def test_demo_runs_the_whole_pipeline_and_says_where_the_report_is(tmp_path: Path):
    out = tmp_path / "demo"
    result = run_demo(out)
    assert result.exit_code == 0, result.output
    month_dir = out / "rapports" / "2026-10"
    assert result.output.rstrip().endswith(str(month_dir / "network.html"))
    for name in ("network.html", "network.md", "indicators.csv", "indicators.json"):
        assert (month_dir / name).stat().st_size > 0, name
    assert len(list((month_dir / "cooperatives").glob("*.html"))) == 6
    # the forum starts unprovisioned: provision creates the structure, members fill the groups
    assert "Total : 33 à créer, 0 à modifier, 0 inchangé(s), 0 orphelin(s)" in result.output
    assert "Total : 300 ajout(s)" in result.output
    # the pulse answers reached the report: a network average per axis, on 1-5
    network = network_pulse(month_dir)
    assert len(network) == 6
    assert all(1 <= float(row["value"]) <= 5 for row in network.values())
    # the sandbox's key reaches neither the output nor any file the demo wrote
    assert KEY not in result.output
    written = [path for path in out.rglob("*") if path.is_file()]
    assert written and not [path for path in written if KEY.encode() in path.read_bytes()]


def test_demo_run_again_in_the_same_folder_starts_from_a_fresh_mirror(tmp_path: Path):
    out = tmp_path / "demo"
    assert run_demo(out).exit_code == 0
    first = network_pulse(out / "rapports" / "2026-10")
    again = run_demo(out)
    assert again.exit_code == 0, again.output
    assert "Baromètre octobre 2026 : 6 sujets d'annonce publiés, 0 déjà en place." in again.output
    assert network_pulse(out / "rapports" / "2026-10") == first


def test_demo_says_how_many_people_answered_the_anonymous_barometer(tmp_path: Path):
    result = run_demo(tmp_path / "demo")
    assert result.exit_code == 0, result.output
    counted = re.search(
        r"Baromètre octobre 2026 clos : (\d+) réponses comptées, 0 perdue\.", result.output
    )
    assert counted and int(counted[1]) > 0, result.output
    assert "sondage" not in result.output  # no Discourse poll: votes would not be anonymous
