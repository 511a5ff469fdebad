"""`campus report` and `campus worker --once` over a synthetic mirror (no forum needed)."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner
from report_mirror import fill_mirror

import cli
from sync.db import connect


@pytest.fixture(scope="module")
def config(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("campus")
    fill_mirror(connect(f"sqlite:///{folder / 'campus.db'}"))
    path = folder / "campus.toml"
    path.write_text('[database]\nurl = "sqlite:///campus.db"\n[reports]\nmin_group_size = 5\n')
    return path


def run(config: Path, *args: str):
    return CliRunner().invoke(cli.main, ["--config", str(config), *args], env={"CAMPUS_LANG": "fr"})


def test_report_prints_the_folder_it_wrote(config: Path):
    result = run(config, "report", "--month", "2026-10")
    assert result.exit_code == 0, result.output
    folder = Path(result.output.strip())
    assert folder == config.parent / "rapports" / "2026-10"
    assert (folder / "network.html").exists()


def test_report_in_english_into_another_folder(config: Path, tmp_path: Path):
    result = run(config, "report", "--month", "2026-10", "--lang", "en", "--out", str(tmp_path))
    assert result.exit_code == 0, result.output
    assert "October 2026" in (tmp_path / "2026-10" / "network.md").read_text()


def test_a_bad_month_exits_2_and_writes_nothing(config: Path, tmp_path: Path):
    result = run(config, "report", "--month", "2026-13", "--out", str(tmp_path))
    assert result.exit_code == 2
    assert "2026-13" in result.output
    assert list(tmp_path.iterdir()) == []


def test_an_unknown_cooperative_exits_2(config: Path, tmp_path: Path):
    result = run(config, "report", "--month", "2026-10", "--coop", "nope", "--out", str(tmp_path))
    assert result.exit_code == 2
    assert "nope" in result.output


def test_a_bad_minimum_group_size_in_the_config_exits_2(tmp_path: Path):
    path = tmp_path / "campus.toml"
    path.write_text("[reports]\nmin_group_size = 1\n")
    result = run(path, "report", "--month", "2026-10")
    assert result.exit_code == 2
    assert "min_group_size" in result.output
