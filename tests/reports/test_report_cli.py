"""`campus report` and `campus worker --once` over a synthetic mirror (no forum needed)."""

from __future__ import annotations

import json
import sqlite3
from datetime import UTC, datetime
from pathlib import Path

import pytest

from bench.report_mirror import fill_mirror
from sync.mirror.db import connect
from tests.conftest import run_campus
from tests.support.clock import frozen_at


@pytest.fixture(scope="module")
def config(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("campus")
    fill_mirror(connect(f"sqlite:///{folder / 'campus.db'}"))
    path = folder / "campus.toml"
    path.write_text('[database]\nurl = "sqlite:///campus.db"\n[reports]\nmin_group_size = 5\n')
    return path


def run(config: Path, *args: str):
    return run_campus("--config", str(config), *args)


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


@pytest.fixture
def forum_config(sandbox_server, config: Path, tmp_path: Path) -> tuple[Path, dict]:
    """campus.toml pointing at the in-thread sandbox, with its cooperatives.csv."""
    from sandbox.network import generate

    (tmp_path / "cooperatives.csv").write_text(generate(1, "small").cooperatives_csv)
    source = sqlite3.connect(config.parent / "campus.db")
    copy = sqlite3.connect(tmp_path / "campus.db")
    source.backup(copy)  # WAL pages included
    source.close()
    copy.close()
    path = tmp_path / "campus.toml"
    path.write_text(
        f'[discourse]\nurl = "{sandbox_server.url}"\nrequests_per_minute = 100000\n'
        '[database]\nurl = "sqlite:///campus.db"\n'
    )
    return path, {"CAMPUS_DISCOURSE_API_KEY": sandbox_server.api_key}


def run_with(config: Path, env: dict, *args: str):
    return run_campus("--config", str(config), *args, env=env)


@pytest.mark.integration
def test_report_publish_twice_creates_then_updates(forum_config):
    path, env = forum_config
    first = run_with(path, env, "report", "--month", "2026-10", "--publish")
    second = run_with(path, env, "report", "--month", "2026-10", "--publish")
    assert first.exit_code == 0, first.output
    assert "publié dans le sujet" in first.output
    assert "mis à jour dans le sujet" in second.output


@pytest.mark.integration
def test_pulse_post_is_idempotent_and_collect_reports_open_polls(forum_config, frozen_clock):
    path, env = forum_config
    with path.open("a", encoding="utf-8") as toml:
        toml.write('[pulse]\nmode = "discourse_polls"\n')
    first = run_with(path, env, "pulse", "post", "--month", "2026-11", "--json")
    second = run_with(path, env, "pulse", "post", "--month", "2026-11", "--json")
    assert first.exit_code == 0, first.output
    assert len(json.loads(first.stdout)["posted"]) == 6
    assert json.loads(second.stdout)["posted"] == []
    collected = run_with(path, env, "pulse", "collect", "--month", "2026-11")
    assert collected.exit_code == 0, collected.output
    assert "36 encore ouverts" in collected.output


def test_worker_once_logs_each_job_and_fails_without_a_key(config: Path):
    # a time of day when the daily jobs are due (from 6:00 in Paris): the score job runs
    with frozen_at(datetime(2026, 12, 7, 22, 50, tzinfo=UTC)):
        result = run(config, "worker", "--once")
    assert result.exit_code == 1
    lines = result.output.splitlines()
    assert lines[0].startswith("sync : échec")
    assert lines[1].startswith("score : réussi")
    assert lines[2].startswith("pulse+report : échec")
    assert "CAMPUS_DISCOURSE_API_KEY" in lines[0]


def test_report_into_an_unwritable_folder_exits_2(config: Path, tmp_path: Path):
    (tmp_path / "a-file").write_text("not a folder")
    result = run(config, "report", "--month", "2026-10", "--out", str(tmp_path / "a-file" / "x"))
    assert result.exit_code == 2, (result.output, result.exception)
    assert "a-file" in result.output
    assert (tmp_path / "a-file").read_text() == "not a folder"
